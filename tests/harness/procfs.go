package harness

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// This file reads what Linux shows about a running process under /proc
// (see proc(5)): its open descriptors, memory, CPU time and threads. It is
// evidence that does not depend on what the program prints.

// OpenSockets returns how many of the process's open descriptors are
// sockets ("socket:[inode]" in /proc/PID/fd).
func OpenSockets(pid int) (int, error) {
	fds, err := Descriptors(pid)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, target := range fds {
		if strings.HasPrefix(target, "socket:[") {
			n++
		}
	}
	return n, nil
}

// Descriptors returns the process's open descriptors, each with what it
// refers to, as /proc/PID/fd shows it: "socket:[1234]", "pipe:[5678]",
// "anon_inode:[eventpoll]", "/dev/null"...
func Descriptors(pid int) (map[int]string, error) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fds := make(map[int]string, len(entries))
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // closed since the directory was read
		}
		fds[fd] = target
	}
	return fds, nil
}

// ResidentMemory returns how much of the process's memory is in RAM
// (VmRSS in /proc/PID/status), in bytes.
func ResidentMemory(pid int) (int64, error) {
	kb, err := statusField(pid, "VmRSS")
	return kb * 1024, err
}

// Threads returns how many threads the process has (Threads in
// /proc/PID/status).
func Threads(pid int) (int, error) {
	n, err := statusField(pid, "Threads")
	return int(n), err
}

// statusField returns the number of a "Name: number [kB]" line of
// /proc/PID/status.
func statusField(pid int, name string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && key == name {
			f := strings.Fields(value)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s line in /proc/%d/status", name, pid)
}

// OnCPU reports whether any thread of the process is running or waiting
// for a CPU to run on (state R in /proc/PID/task/TID/stat), as opposed to
// sleeping on something, such as epoll_wait(2) or a blocked write(2).
func OnCPU(pid int) (bool, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return false, err
	}
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if err != nil {
			continue // the thread has ended since the directory was read
		}
		// The state comes after the command name, which is in
		// parentheses and may hold spaces.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && bytes.HasPrefix(b[i+1:], []byte(" R")) {
			return true, nil
		}
	}
	return false, nil
}

// clockTicks is the unit of the CPU times in /proc/PID/stat (USER_HZ). It
// is 100 on every Linux architecture Go supports.
const clockTicks = 100

// CPUTime returns the CPU time the process has used so far, in user and
// kernel mode together (utime and stime in /proc/PID/stat), to the
// hundredth of a second.
func CPUTime(pid int) (time.Duration, error) {
	f, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, f)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, f)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// Running reports whether pid names a process that has not ended. A zombie
// (ended, its exit status not yet collected) counts as ended.
func Running(pid int) bool {
	f, err := statFields(pid)
	return err == nil && len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// statFields returns the fields of /proc/PID/stat from the third (the
// state) on. The second, the command name, is in parentheses and may hold
// spaces, so the fields are counted from the last ')'.
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, b)
	}
	return strings.Fields(string(b[i+1:])), nil
}

// An EpollWatch is one entry of an epoll instance's interest list, as
// /proc/PID/fdinfo shows it.
type EpollWatch struct {
	FD     int    // the watched descriptor ("tfd")
	Events uint32 // the events asked for, such as EPOLLIN
	Data   uint64 // the data the program gave with it (EpollEvent.Fd and Pad)
}

// EpollInstances returns, for each epoll instance the process has open,
// its descriptor and its interest list.
func EpollInstances(pid int) (map[int][]EpollWatch, error) {
	fds, err := Descriptors(pid)
	if err != nil {
		return nil, err
	}
	instances := map[int][]EpollWatch{}
	for fd, target := range fds {
		if target != "anon_inode:[eventpoll]" {
			continue
		}
		watches, err := epollWatches(pid, fd)
		if err != nil {
			continue // closed since the directory was read
		}
		instances[fd] = watches
	}
	return instances, nil
}

// epollWatches parses /proc/PID/fdinfo/FD of an epoll descriptor, whose
// interest list comes one entry a line:
//
//	tfd:        5 events:       19 data:                5  pos:0 ino:... sdev:...
func epollWatches(pid, fd int) ([]EpollWatch, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
	if err != nil {
		return nil, err
	}
	var watches []EpollWatch
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[0] != "tfd:" || f[2] != "events:" || f[4] != "data:" {
			continue
		}
		tfd, err1 := strconv.Atoi(f[1])
		events, err2 := strconv.ParseUint(f[3], 16, 32)
		data, err3 := strconv.ParseUint(f[5], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("unexpected line in /proc/%d/fdinfo/%d: %q", pid, fd, sc.Text())
		}
		watches = append(watches, EpollWatch{FD: tfd, Events: uint32(events), Data: data})
	}
	return watches, nil
}
