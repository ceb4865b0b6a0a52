package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// checkDescriptors makes sure this process and the programs it starts may
// open need descriptors each.
func checkDescriptors(need int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return os.NewSyscallError("getrlimit", err)
	}
	if lim.Max < uint64(need) {
		return fmt.Errorf("the idle runs need %d open descriptors per process, and the hard limit is %d: "+
			"raise it (as root: prlimit --pid $$ --nofile=%d:%d, then run c10k from that shell), or pass a smaller -idle",
			need, lim.Max, need, need)
	}
	// Go raised this process's soft limit to the hard one when it started,
	// and gives the programs it starts the original soft limit back,
	// unless the program sets the limit itself: so set it, and they
	// inherit it. (They would raise it themselves anyway, being Go
	// programs; this keeps them from depending on that.)
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return os.NewSyscallError("setrlimit", err)
	}
	return nil
}

// printMachine prints what the figures depend on: the processor, the
// number of cores, the kernel, the Go version, the date, and how busy the
// machine is.
func printMachine() {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	fmt.Printf("Machine: %d cores, %s; Linux %s; %s; %s\n", runtime.NumCPU(), model,
		strings.TrimSpace(string(kernel)), runtime.Version(), time.Now().Format("2006-01-02"))
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if load, err := strconv.ParseFloat(f[0], 64); err == nil && load > 0.5 {
				fmt.Printf("Note: the load average is %s: other programs are using the CPU, and the figures will be noisy.\n", f[0])
			}
		}
	}
}

// repositoryRoot returns the directory holding go.work, from the current
// directory up.
func repositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run c10k inside the workbook's repository: no go.work found")
		}
		dir = parent
	}
}
