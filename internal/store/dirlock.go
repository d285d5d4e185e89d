package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// lockName is the file in the data directory whose lock marks the
// directory as taken by a running embedded store.
const lockName = "cdp.lock"

// ErrDataDirInUse is matched (with errors.Is) by the error StartEmbedded
// returns when another embedded store, in this process or another, has the
// data directory.
var ErrDataDirInUse = errors.New("data directory in use")

// inUseError names the directory and, when it could be read, the pid that
// holds it.
type inUseError struct {
	dir string
	pid int
}

func (e *inUseError) Error() string {
	pid := "unknown"
	if e.pid > 0 {
		pid = strconv.Itoa(e.pid)
	}
	return fmt.Sprintf("data directory %s is in use by another cdp process (pid %s)", e.dir, pid)
}

func (e *inUseError) Is(target error) bool { return target == ErrDataDirInUse }

// holderPID reads the pid the lock's holder wrote, or 0.
func holderPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}

// writePID records this process as the holder, for the other side's error.
func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}
