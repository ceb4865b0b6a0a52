package lessons

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Normalise returns lines with what changes from run to run made the same,
// so that a lesson's block and a real run compare equal when they differ
// only there. Both sides go through it, so a lesson keeps realistic
// numbers: a port the kernel chose, a time, a count. What it does:
//
//   - runs of spaces and tabs become one space, and trailing ones go (ss,
//     ls and the transcripts align their columns to the widest value);
//   - every distinct port, in order of appearance, becomes P1, P2... (8080,
//     the lessons' own port, stays);
//   - durations (0.003s, (0.2s), 209ms, 600µs) become T;
//   - numbers of five digits or more (byte and loop counts, PIDs, inodes)
//     become N, and so do sizes in MiB, KiB and kB, the counts of a
//     transcript ("the last 25 of 130 events", "(×40 in a row)"), ss's
//     queue sizes and the numbers in /proc listings;
//   - long quoted texts after expected: and got: (where a transfer stopped
//     depends on timing) become "…";
//   - temporary paths become /tmp/…, and a solo module's ~/my-stageN.
func Normalise(lines []string) []string {
	ports := map[string]string{}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimRight(spaces.ReplaceAllString(l, " "), " ")
		l = portRE.ReplaceAllStringFunc(l, func(m string) string {
			sub := portRE.FindStringSubmatch(m)
			n, _ := strconv.Atoi(sub[2])
			if n == 8080 || n < 1024 || n > 65535 {
				return m
			}
			p, ok := ports[sub[2]]
			if !ok {
				p = fmt.Sprintf("P%d", len(ports)+1)
				ports[sub[2]] = p
			}
			return sub[1] + p
		})
		for _, r := range replacements {
			l = r.re.ReplaceAllString(l, r.with)
		}
		out = append(out, l)
	}
	return out
}

var (
	spaces = regexp.MustCompile(`[ \t]+`)
	portRE = regexp.MustCompile(`(127\.0\.0\.1[:/ ]|0\.0\.0\.0:|\bport |-port |\bPort )(\d+)\b`)

	replacements = []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms|s)\b`), "T"},
		{regexp.MustCompile(`/tmp/\S*`), "/tmp/…"},
		{regexp.MustCompile(`/\S*/(my-stage\d)\b`), "~/$1"},
		{regexp.MustCompile(`^(\s*(?:expected|got): )"[^"]{40,}"$`), `$1"…"`},
		{regexp.MustCompile(`\b\d+ (MiB|KiB|kB|MB|KB)\b`), "N $1"},
		{regexp.MustCompile(`\blast \d+ of \d+ events\b`), "last N of N events"},
		{regexp.MustCompile(`×\d+`), "×N"},
		{regexp.MustCompile(`\b(pid=|PID |/proc/)\d+`), "${1}N"},
		{regexp.MustCompile(`\b(ino|sdev):[0-9a-f]+`), "$1:N"},
		{regexp.MustCompile(`\b(descriptor|socket) \d+\b`), "$1 N"},
		// ss: a state, then the receive and send queues.
		{regexp.MustCompile(`^([A-Z][A-Z0-9-]+) \d+ \d+ `), "$1 N N "},
		// ls -l: permissions, links, owner, group, size and date.
		{regexp.MustCompile(`^[-a-z]{10} \d+ \S+ \S+ \d+ \w+ \d+ \d\d:\d\d `), ""},
		{regexp.MustCompile(`\b\d{5,}\b`), "N"},
	}
)
