package main

import (
	"os"
	"testing"
	"time"

	"workbook/tests/harness"
)

func TestProcReaders(t *testing.T) {
	if tick := clockTick(); tick <= 0 {
		t.Errorf("clockTick() = %d", tick)
	}
	// Spend some CPU, so that at least one tick is counted.
	before, err := cpuTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(harness.Scaled(10 * time.Second))
	for {
		after, err := cpuTime(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if after > before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the CPU time in /proc/self/stat did not grow while this test kept a CPU busy")
		}
	}
	if n, err := rss(os.Getpid()); err != nil || n <= 0 {
		t.Errorf("rss = %d, %v; want a positive size", n, err)
	}
	if selfCPUTime() <= 0 {
		t.Error("selfCPUTime() is not positive after spending CPU")
	}
	if _, err := cpuTime(-1); err == nil {
		t.Error("cpuTime of a process that cannot exist succeeded")
	}
	if _, err := rss(-1); err == nil {
		t.Error("rss of a process that cannot exist succeeded")
	}
}
