package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Exit statuses.
const (
	exitOK    = 0 // every reply was right
	exitError = 1 // a wrong reply, a failed connection, or a run that could not start
	exitUsage = 2 // bad flags
)

// chartConfig is what -chart, -table or -spread asks for.
type chartConfig struct {
	file    string // -chart: the summary lines, a file or "-" for stdin
	metric  string
	title   string
	table   string // -table: the summary lines, a file or "-" for stdin
	spread  string // -spread: the summary lines, a file or "-" for stdin
	against string // -against: the label -spread divides by
}

func main() {
	cfg, ch, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(exitOK) // -h asked for the usage
	}
	if err != nil {
		os.Exit(exitUsage)
	}
	if ch.file != "" || ch.table != "" || ch.spread != "" {
		os.Exit(runChart(ch))
	}
	if cfg.serve {
		os.Exit(runServe(cfg))
	}

	// The first Ctrl-C ends the measurement early and still prints the
	// summary; a second one kills the tool.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	s, err := run(ctx, cfg, progressTo(os.Stderr))
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		os.Exit(exitError)
	}
	for _, f := range s.failures {
		fmt.Fprintf(os.Stderr, "loadgen: error: %s\n", f)
	}
	if more := s.errors - int64(len(s.failures)+s.notOpened); more > 0 {
		fmt.Fprintf(os.Stderr, "loadgen: and %d more errors like these\n", more)
	}
	if s.notOpened > 0 {
		fmt.Fprintf(os.Stderr, "loadgen: error: %d of %d connections were not opened: opening stops at the first error\n", s.notOpened, s.conns)
	}
	fmt.Println(s.String())
	if s.errors > 0 {
		os.Exit(exitError)
	}
}

// runChart prints the chart or the table ch asks for and returns the exit
// status.
func runChart(ch chartConfig) int {
	name := cmp.Or(ch.file, ch.table, ch.spread)
	in := io.Reader(os.Stdin)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
			return exitError
		}
		defer f.Close()
		in = f
	}
	var err error
	switch {
	case ch.table != "":
		err = table(os.Stdout, in)
	case ch.spread != "":
		err = spread(os.Stdout, in, ch.metric, ch.against)
	default:
		err = chart(os.Stdout, in, ch.metric, ch.title)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		return exitError
	}
	return exitOK
}

const usageText = `Usage: go run ./tests/cmd/loadgen [flags]
       go run ./tests/cmd/loadgen -serve [-addr HOST:PORT] [-timeout D]
       go run ./tests/cmd/loadgen -chart FILE [-metric KEY] [-title TEXT]
       go run ./tests/cmd/loadgen -table FILE
       go run ./tests/cmd/loadgen -spread FILE [-metric KEY] [-against LABEL]

Loads a line-reversing server with many connections, or a proxy with bulk
transfers to and from loadgen -serve; checks every reply and byte, and prints
one summary line on stdout (see "go doc ./tests/cmd/loadgen").

Flags:
`

// parseArgs reads the command line. On a bad one it prints the problem and
// the usage to stderr and returns an error.
func parseArgs(args []string, stderr io.Writer) (config, chartConfig, error) {
	var cfg config
	var ch chartConfig
	fs := flagSet(&cfg, &ch, stderr)
	if err := fs.Parse(args); err != nil {
		return cfg, ch, err
	}
	sizeSet := false
	fs.Visit(func(f *flag.Flag) { sizeSet = sizeSet || f.Name == "size" })
	if isBulk(cfg.mode) && !sizeSet {
		cfg.size = defaultBulkSize
	}
	err := checkArgs(fs, cfg, ch)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n\n", err)
		fs.Usage()
	}
	return cfg, ch, err
}

// defaultBulkSize is -size in the bulk modes, unless set: the bytes of
// each transfer.
const defaultBulkSize = 64 << 20

// flagSet returns the command's flags, which set cfg and ch.
func flagSet(cfg *config, ch *chartConfig, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "the server's `host:port`")
	fs.IntVar(&cfg.conns, "conns", 10, "`connections` to open")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long to measure (in idle mode: to hold the connections)")
	fs.IntVar(&cfg.size, "size", 32, "line length in `bytes`, without the \"\\n\"; in the bulk modes, bytes per transfer (default 64 MiB there)")
	fs.StringVar(&cfg.mode, "mode", modeClosed, "closed, pipelined or idle; or, through a proxy to loadgen -serve, download or upload")
	fs.IntVar(&cfg.depth, "depth", 16, "`requests` in flight per connection in pipelined mode")
	fs.IntVar(&cfg.pid, "pid", 0, "the server's process `ID`, to report its CPU time and memory")
	fs.IntVar(&cfg.ramp, "ramp", 64, "most `connections` opened and not answered yet, to spare a small listen backlog")
	fs.DurationVar(&cfg.timeout, "timeout", 5*time.Second, "longest wait for a connection, a write or a reply")
	fs.Int64Var(&cfg.requests, "requests", 0, "end the measurement after this many `replies` (0: after -duration)")
	fs.StringVar(&cfg.label, "label", "", "a `name` for the run in the summary, such as the server's")
	fs.BoolVar(&cfg.serve, "serve", false, "be the bulk server: listen on -addr and serve the bulk modes' transfers until SIGINT or SIGTERM")
	fs.StringVar(&ch.file, "chart", "", "print a mermaid chart of the summary lines in `FILE` (- for stdin) and exit")
	fs.StringVar(&ch.metric, "metric", "rps", "the summary `key` that -chart or -spread shows")
	fs.StringVar(&ch.title, "title", "", "the chart's title (default: what -metric measures)")
	fs.StringVar(&ch.table, "table", "", "print a Markdown table of the summary lines in `FILE` (- for stdin) and exit")
	fs.StringVar(&ch.spread, "spread", "", "print how -metric varied over repeated runs in `FILE` (- for stdin) and exit")
	fs.StringVar(&ch.against, "against", "", "with -spread, also show each run divided by the paired run with this `label`")
	return fs
}

// checkArgs returns what is wrong with the parsed command line, if anything.
func checkArgs(fs *flag.FlagSet, cfg config, ch chartConfig) error {
	modes := 0
	for _, file := range []string{ch.file, ch.table, ch.spread} {
		if file != "" {
			modes++
		}
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case modes > 1 || modes == 1 && cfg.serve:
		return errors.New("-serve, -chart, -table and -spread: one at a time")
	case ch.against != "" && ch.spread == "":
		return errors.New("-against goes with -spread")
	case ch.table != "":
		return nil
	case ch.file != "" || ch.spread != "":
		if _, ok := metricTitles[ch.metric]; !ok {
			return fmt.Errorf("invalid value %q for flag -metric: want one of %s", ch.metric, strings.Join(chartMetrics(), ", "))
		}
		return nil
	}
	if _, _, err := net.SplitHostPort(cfg.addr); err != nil {
		return fmt.Errorf("invalid value %q for flag -addr: %v", cfg.addr, err)
	}
	for _, f := range []struct {
		name  string
		value int64
		least int64
	}{
		{"conns", int64(cfg.conns), 1},
		{"size", int64(cfg.size), 1},
		{"depth", int64(cfg.depth), 1},
		{"ramp", int64(cfg.ramp), 1},
		{"pid", int64(cfg.pid), 0},
		{"requests", cfg.requests, 0},
	} {
		if f.value < f.least {
			return fmt.Errorf("invalid value %d for flag -%s: want %d or more", f.value, f.name, f.least)
		}
	}
	return checkRunArgs(cfg)
}

// checkRunArgs checks the flags of a load run that are not plain counts.
func checkRunArgs(cfg config) error {
	switch cfg.mode {
	case modeClosed, modePipelined, modeDownload, modeUpload:
		if cfg.duration <= 0 {
			return fmt.Errorf("invalid value %v for flag -duration: want more than 0", cfg.duration)
		}
	case modeIdle:
		if cfg.duration < 0 {
			return fmt.Errorf("invalid value %v for flag -duration: want 0 or more", cfg.duration)
		}
	default:
		return fmt.Errorf("invalid value %q for flag -mode: want closed, pipelined, idle, download or upload", cfg.mode)
	}
	if cfg.timeout <= 0 {
		return fmt.Errorf("invalid value %v for flag -timeout: want more than 0", cfg.timeout)
	}
	if strings.ContainsAny(cfg.label, " \t\n=") {
		return fmt.Errorf("invalid value %q for flag -label: no spaces or '=', so the summary line stays key=value", cfg.label)
	}
	return nil
}
