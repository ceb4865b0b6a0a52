// Package experiment holds what the workbook's load experiments share:
// tests/cmd/c10k (Stage 3's servers) and tests/cmd/proxybench (Stage 4's
// proxies). It finds the repository, says what machine the figures come
// from, builds the programs into a folder under bin/, starts each on a
// port the kernel chooses and waits for its listening line, runs the load
// generator (tests/cmd/loadgen) against it, and prints the results as
// tables, charts and spreads.
//
// Every command it runs is printed first, with a "$ ", so that the output
// of an experiment says how to repeat any one run by hand.
package experiment
