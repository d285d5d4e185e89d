package store

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tcpListeners counts the listening TCP sockets this process holds, from
// /proc; the test is skipped where there is no /proc.
func tcpListeners(t *testing.T) int {
	t.Helper()
	mine := socketInodes(t)
	n := 0
	for _, f := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Skipf("no %s: %v", f, err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) > 9 && fields[3] == "0A" && mine[fields[9]] {
				n++
			}
		}
	}
	return n
}

// socketInodes are the inodes of the sockets among the process's files.
func socketInodes(t *testing.T) map[string]bool {
	t.Helper()
	fds, err := filepath.Glob("/proc/self/fd/*")
	if err != nil || len(fds) == 0 {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		target, err := os.Readlink(fd)
		if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	return inodes
}

func TestTCPListenersSeesAListener(t *testing.T) {
	before := tcpListeners(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := tcpListeners(t); got != before+1 {
		t.Fatalf("with one more listener: %d, want %d", got, before+1)
	}
}
