//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// dirLock is an exclusive flock on the data directory's lock file. The
// kernel drops it when the process dies, so a kill -9 leaves nothing to
// clean up; the file itself stays, as removing it would let two processes
// lock different inodes of the same name.
type dirLock struct{ f *os.File }

// lockDir takes dir for this embedded store, or fails with an inUseError
// when someone else has it. Locks are per open file, so a second store in
// the same process is refused too.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &inUseError{dir: dir, pid: holderPID(path)}
		}
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	if err := writePID(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write lock file: %w", err)
	}
	return &dirLock{f: f}, nil
}

// release gives the directory up.
func (l *dirLock) release() { _ = l.f.Close() }
