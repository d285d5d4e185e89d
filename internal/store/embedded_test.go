package store

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// startIn starts an embedded store in dir, stopped when the test ends.
func startIn(t *testing.T, dir string, log *slog.Logger) *Embedded {
	t.Helper()
	e, err := StartEmbedded(context.Background(), dir, log)
	if err != nil {
		t.Fatalf("StartEmbedded(%s): %v", dir, err)
	}
	t.Cleanup(e.Stop)
	return e
}

// connect returns a client of uri that has answered a ping. It disconnects
// when the test ends, before the store stops (cleanups run last first).
func connect(t *testing.T, uri string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	if err := c.Ping(context.Background(), nil); err != nil {
		t.Fatalf("ping %s: %v", uri, err)
	}
	return c
}

// ping checks that uri answers, and disconnects: Stop gives connected
// clients a few seconds to leave.
func ping(t *testing.T, uri string) {
	t.Helper()
	if err := connect(t, uri).Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// socketOf is the socket path the driver reads from uri.
func socketOf(t *testing.T, uri string) string {
	t.Helper()
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil || len(cs.Hosts) != 1 {
		t.Fatalf("parse %q: hosts %v, %v", uri, cs, err)
	}
	return cs.Hosts[0]
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)) }

func TestEmbeddedListensOnlyOnAPrivateSocket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	before := tcpListeners(t)
	e := startIn(t, dir, quiet())
	ping(t, e.URI())

	if got, want := socketOf(t, e.URI()), filepath.Join(dir, socketName); got != want {
		t.Fatalf("URI %s names %s, want the socket %s", e.URI(), got, want)
	}
	fi, err := os.Lstat(filepath.Join(dir, socketName))
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket: %v, %v; want a socket with mode 0600", fi.Mode(), err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	if after := tcpListeners(t); after != before {
		t.Fatalf("TCP listeners of the process went from %d to %d", before, after)
	}
}

func TestLongDataDirPutsTheSocketInAPrivateTempDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, strings.Repeat("d", max(1, maxSocketPath-len(base))))
	e := startIn(t, dir, quiet())
	ping(t, e.URI())

	sock := socketOf(t, e.URI())
	tmp := filepath.Dir(sock)
	if strings.HasPrefix(sock, dir) || len(sock) > maxSocketPath {
		t.Fatalf("socket %s: want a short path outside %s", sock, dir)
	}
	if fi, err := os.Stat(tmp); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket dir %s: %v, %v; want mode 0700", tmp, fi, err)
	}
	e.Stop()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("socket dir %s after Stop: %v; want it removed", tmp, err)
	}
}

func TestStaleSocketDoesNotPreventStart(t *testing.T) {
	dir := t.TempDir()
	leaveSocket(t, filepath.Join(dir, socketName))
	e := startIn(t, dir, quiet())
	ping(t, e.URI())
}

func TestNonSocketAtTheSocketPathIsLeftAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, socketName)
	if err := os.WriteFile(path, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if e, err := StartEmbedded(context.Background(), dir, quiet()); err == nil {
		e.Stop()
		t.Fatal("StartEmbedded succeeded over a regular file at the socket path")
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "mine" {
		t.Fatalf("file at socket path: %q, %v; want it untouched", b, err)
	}
	// The failed start released the directory.
	os.Remove(path)
	startIn(t, dir, quiet())
}

func TestColonInDataDirPutsTheSocketElsewhere(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a:1")
	e := startIn(t, dir, quiet())
	ping(t, e.URI())
	if sock := socketOf(t, e.URI()); strings.HasPrefix(sock, dir) {
		t.Fatalf("socket %s is in %s", sock, dir)
	}
}

func TestSocketURIKeepsOddPaths(t *testing.T) {
	for _, p := range []string{"/tmp/a b/mongodb.sock", "/tmp/a,b@c?d/mongodb.sock", "/tmp/a+b%2F/mongodb.sock"} {
		if got := socketOf(t, socketURI(p)); got != p {
			t.Errorf("socketURI(%q) reads back as %q", p, got)
		}
	}
}

// leaveSocket makes the socket file a crashed server leaves behind.
func leaveSocket(t *testing.T, path string) {
	t.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("leftover socket: %v, %v", fi, err)
	}
}

// syncBuffer is a log destination FerretDB's goroutines can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
