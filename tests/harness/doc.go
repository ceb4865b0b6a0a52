// Package harness runs a program under test and talks to it.
//
// It builds a main package into a temporary binary, starts it in a process
// group of its own, collects its stdout and stderr line by line as they
// arrive, and waits for lines, replies and exits with deadlines. It also
// offers TCP helpers for both sides of a connection. Everything a Process,
// Conn or Listener does is recorded in a Transcript, so a failure can be told
// as a story.
//
// The package knows nothing about the workbook's stages: what to send and
// what to expect belongs to the checks that use it.
package harness
