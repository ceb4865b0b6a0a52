package experiment

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseLoads(t *testing.T) {
	named := map[string]Load{"idle": {Conns: 3000, Mode: "idle"}, "download": {Mode: "download", Conns: 1, Size: 1 << 20}}
	loads, err := ParseLoads("1,100x16,idle,download", named)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"-conns", "1", "-duration", "10s"},
		{"-conns", "100", "-mode", "pipelined", "-depth", "16", "-duration", "10s"},
		{"-conns", "3000", "-mode", "idle", "-duration", "10s"},
		{"-conns", "1", "-mode", "download", "-size", "1048576", "-duration", "10s"},
	}
	for i, l := range loads {
		if got := l.Args(10 * time.Second); !slices.Equal(got, want[i]) {
			t.Errorf("load %d: loadgen flags %q, want %q", i, got, want[i])
		}
	}
	if !loads[3].Bulk() || loads[0].Bulk() {
		t.Error("Bulk: want true for download only")
	}
	for _, bad := range []string{"0", "x", "10x", "10x0", "upload", ""} {
		if _, err := ParseLoads(bad, named); err == nil || !strings.Contains(err.Error(), "download, idle") {
			t.Errorf("ParseLoads(%q): %v, want an error naming the loads there are", bad, err)
		}
	}
}

func TestParseLabels(t *testing.T) {
	labels := []string{"goroutine", "baseline", "epoll"}
	got, err := ParseLabels("proxies", "epoll,goroutine", labels, true)
	if want := []string{"goroutine", "baseline", "epoll"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("with a baseline: %q, %v; want %q, in the labels' order", got, err, want)
	}
	if _, err := ParseLabels("proxies", "baseline", labels, false); err == nil || !strings.Contains(err.Error(), "-proxies") {
		t.Errorf("baseline without -baseline: %v, want an error naming -proxies", err)
	}
	if _, err := ParseLabels("servers", "epoll,nginx", labels, false); err == nil || !strings.Contains(err.Error(), `"nginx" is not one of`) {
		t.Errorf("an unknown label: %v, want an error naming it", err)
	}
	if got := Against([]string{"goroutine", "epoll"}, "baseline", "goroutine"); got != "goroutine" {
		t.Errorf("Against = %q, want goroutine, the first candidate present", got)
	}
	if got := Against([]string{"epoll"}, "baseline", "goroutine"); got != "" {
		t.Errorf("Against = %q, want none", got)
	}
}
