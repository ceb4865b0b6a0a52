package experiment

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"workbook/tests/harness"
)

// RaiseDescriptorLimit makes sure this process and the programs it starts
// may open need descriptors each: it checks the hard limit, and raises the
// soft limit to it. why says what needs them, for the error.
func RaiseDescriptorLimit(need int, why string) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return os.NewSyscallError("getrlimit", err)
	}
	if lim.Max < uint64(need) {
		return fmt.Errorf("%s need %d open descriptors per process, and the hard limit is %d: "+
			"raise it (as root: prlimit --pid $$ --nofile=%d:%d, then run the command from that shell), or pass a smaller -idle",
			why, need, lim.Max, need, need)
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

// PrintMachine prints what the figures depend on: the processor, the
// number of cores, the kernel, the Go version, the date, and how busy the
// machine is.
func PrintMachine() {
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

// BuildFolder makes a new folder for an experiment's programs under bin/
// at the top of the repository (git ignores bin/), named after prefix.
// Remove it with os.RemoveAll when the experiment is over.
func BuildFolder(root, prefix string) (string, error) {
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(filepath.Join(root, "bin"), prefix+"-")
}

// Build compiles the main package in dir into outDir, which it makes if
// need be, and returns the binary's path; see harness.Build.
func Build(dir, outDir string) (string, error) {
	// The go command keeps its temporary files in the folder it builds
	// into, so the folder must exist first.
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	return harness.Build(context.Background(), dir, outDir)
}
