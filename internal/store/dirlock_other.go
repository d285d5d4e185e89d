//go:build !unix

package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// dirLock records the holder's pid but, without flock on this platform,
// does not keep a second process out.
type dirLock struct{ f *os.File }

// lockDir writes this process's pid to the lock file.
func lockDir(dir string) (*dirLock, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := writePID(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write lock file: %w", err)
	}
	return &dirLock{f: f}, nil
}

// release closes the lock file.
func (l *dirLock) release() { _ = l.f.Close() }
