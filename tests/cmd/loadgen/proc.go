package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// This file reads what Linux says about a process in /proc; see proc(5).

// cpuTime returns the CPU time process pid has used so far: user plus
// system time, summed over all its threads. The kernel counts it in clock
// ticks, so it is exact only to a tick (10 ms at the usual 100 Hz).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The second field, the command name, is in parentheses and may hold
	// spaces; the fields after the last ')' start with field 3, the state.
	// utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	fields := strings.Fields(string(b[i+1:]))
	if i < 0 || len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %v", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / time.Duration(clockTick()), nil
}

// atClkTck is the auxiliary-vector entry that carries the clock tick rate,
// AT_CLKTCK in <elf.h>; see getauxval(3).
const atClkTck = 17

// clockTick returns how many clock ticks make a second, the unit of the CPU
// times in /proc/PID/stat: sysconf(_SC_CLK_TCK) in C. Go's standard library
// has no sysconf, but the C library only reads the value from the auxiliary
// vector that the kernel hands every new process, and Linux shows that
// vector in /proc/self/auxv: pairs of native words, a type and a value.
// When that cannot be read it assumes 100, which is what Linux reports on
// every common architecture.
var clockTick = sync.OnceValue(func() int64 {
	const fallback = 100
	auxv, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return fallback
	}
	word := int(unsafe.Sizeof(uintptr(0)))
	for ; len(auxv) >= 2*word; auxv = auxv[2*word:] {
		typ, val := nativeWord(auxv[:word]), nativeWord(auxv[word:2*word])
		if typ == atClkTck && val > 0 {
			return int64(val)
		}
	}
	return fallback
})

// nativeWord decodes a 4- or 8-byte word in the machine's byte order.
func nativeWord(b []byte) uint64 {
	if len(b) == 4 {
		return uint64(binary.NativeEndian.Uint32(b))
	}
	return binary.NativeEndian.Uint64(b)
}

// rss returns the resident set size of process pid, in bytes: the memory it
// occupies in RAM now (VmRSS in /proc/PID/status).
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: VmRSS: %v", pid, err)
			}
			return kib * 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS line (is it a kernel thread?)", pid)
}

// selfCPUTime returns the CPU time this process has used so far, from
// getrusage(2), which counts in microseconds rather than clock ticks.
func selfCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
