package store

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// socketName is the embedded store's Unix socket. The driver takes a host
// ending in "sock" for a socket path, so the name must keep that ending.
const socketName = "mongodb.sock"

// maxSocketPath is the longest socket path every supported platform takes:
// sun_path holds 104 bytes on macOS and the BSDs, 108 on Linux, NUL included.
const maxSocketPath = 103

// privateDir creates dir, or narrows an existing one, so that only its
// owner can enter it: the socket, the SQLite files and the development
// secret are all inside.
func privateDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("stat data dir: %w", err)
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("make data directory %s private: %w", dir, err)
	}
	log.Warn("data directory was open to other users; made it private", "dir", dir, "was", fi.Mode().Perm().String())
	return nil
}

// socketPlace returns the socket path for the store in dir: inside dir
// when the path fits, else inside a new private temporary directory,
// returned as tmp for Stop to remove. It removes a socket a crashed process
// left in dir, so the caller must hold dir's lock.
func socketPlace(dir string) (path, tmp string, err error) {
	path = filepath.Join(dir, socketName)
	if fits(path) {
		return path, "", removeStaleSocket(path)
	}
	tmp, err = os.MkdirTemp("", "cdp-") // created 0700
	if err != nil {
		return "", "", fmt.Errorf("create private socket directory: %w", err)
	}
	path = filepath.Join(tmp, socketName)
	if !fits(path) {
		_ = os.Remove(tmp)
		return "", "", fmt.Errorf("socket path %s is over %d bytes or has a colon: use another CDP_DATA_DIR or TMPDIR", path, maxSocketPath)
	}
	return path, tmp, nil
}

// fits says whether path can be a socket the driver reaches: short enough
// for sun_path, and without a colon, which the driver takes for a port even
// when escaped.
func fits(path string) bool {
	return len(path) <= maxSocketPath && !strings.Contains(path, ":")
}

// removeStaleSocket deletes a socket left at path. Anything else there is
// not ours to delete.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stat socket: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove stale socket: %w", err)
	}
	return nil
}

// socketURI is the MongoDB URI of a Unix socket path that fits. The driver
// query-unescapes the host, so QueryEscape keeps the path intact, where
// FerretDB's own MongoDBURI leaves a '+' the driver reads as a space.
func socketURI(path string) string {
	return "mongodb://" + url.QueryEscape(path) + "/"
}
