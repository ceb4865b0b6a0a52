package lessons

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var summaryRE = regexp.MustCompile(`<summary>(.*?)</summary>`)

// FormatProblems holds the lesson to the format the lessons share, and
// returns what breaks it, each as "LINE: what is wrong":
//
//   - every "## Step N" section has a "**Your task.**" paragraph and after
//     it the folds whose summaries are stepFolds, one after the other, in
//     that order (other folds may come before or after them);
//   - every <details> is closed, with a blank line after the line that
//     opens it and before the line that closes it, or GitHub does not
//     render the Markdown inside;
//   - no block marked as a function's body (the answer to a Step) is
//     outside a fold.
func (l *Lesson) FormatProblems(stepFolds []string) []string {
	var out []string
	problem := func(i int, format string, a ...any) {
		out = append(out, fmt.Sprintf("%d: %s", i+1, fmt.Sprintf(format, a...)))
	}
	var opened []int // the lines of the <details> still open
	fence := false
	for i, line := range l.Lines {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if fence {
			continue
		}
		if strings.Contains(line, "<details>") {
			opened = append(opened, i)
			if i+1 < len(l.Lines) && strings.TrimSpace(l.Lines[i+1]) != "" {
				problem(i, "leave a blank line after the line that opens a fold")
			}
		}
		if strings.Contains(line, "</details>") {
			if len(opened) == 0 {
				problem(i, "this </details> closes no fold")
				continue
			}
			opened = opened[:len(opened)-1]
			if i > 0 && strings.TrimSpace(l.Lines[i-1]) != "" {
				problem(i, "leave a blank line before </details>")
			}
		}
	}
	for _, i := range opened {
		problem(i, "this fold is never closed (</details>)")
	}
	for _, s := range l.stepSections() {
		out = append(out, l.stepProblems(s, stepFolds)...)
	}
	frags, err := l.Fragments()
	if err != nil {
		return append(out, err.Error())
	}
	for _, f := range frags {
		if f.Body != "" && !f.InFold {
			problem(f.Fence, "the body of %s is outside a fold: a Step's answer belongs in its last fold, One way to write it", f.Body)
		}
	}
	return out
}

// A section is a "## " heading and the lines up to the next one.
type section struct {
	title      string
	start, end int // the heading's index, and the next heading's (or the end)
}

// stepSections returns the lesson's "## Step N" sections.
func (l *Lesson) stepSections() []section {
	var out []section
	fence := false
	for i, line := range l.Lines {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if fence || !strings.HasPrefix(line, "## ") {
			continue
		}
		if n := len(out); n > 0 && out[n-1].end < 0 {
			out[n-1].end = i
		}
		if stepHeading.MatchString(line) {
			out = append(out, section{title: strings.TrimPrefix(line, "## "), start: i, end: -1})
		}
	}
	if n := len(out); n > 0 && out[n-1].end < 0 {
		out[n-1].end = len(l.Lines)
	}
	return out
}

// stepProblems checks one Step's section: its task, then its folds.
func (l *Lesson) stepProblems(s section, folds []string) []string {
	task := -1
	var summaries []string
	var at []int
	for i := s.start; i < s.end; i++ {
		if task < 0 && strings.HasPrefix(l.Lines[i], "**Your task.**") {
			task = i
		}
		if strings.Contains(l.Lines[i], "<details>") {
			if m := summaryRE.FindStringSubmatch(l.Lines[i]); m != nil {
				summaries = append(summaries, m[1])
				at = append(at, i)
			}
		}
	}
	where := fmt.Sprintf("%d: %s", s.start+1, s.title)
	if task < 0 {
		return []string{where + `: no "**Your task.**" paragraph`}
	}
	for k := 0; k+len(folds) <= len(summaries); k++ {
		if slices.Equal(summaries[k:k+len(folds)], folds) {
			if at[k] < task {
				return []string{fmt.Sprintf("%s: the fold %q comes before the task", where, folds[0])}
			}
			return nil
		}
	}
	return []string{fmt.Sprintf("%s: want the folds %q, one after the other and in that order; the Step has %q", where, folds, summaries)}
}
