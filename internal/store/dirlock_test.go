//go:build unix

package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestSecondStartOnTheSameDirIsRefusedUntilStop(t *testing.T) {
	dir := t.TempDir()
	first := startIn(t, dir, quiet())

	_, err := StartEmbedded(context.Background(), dir, quiet())
	want := fmt.Sprintf("data directory %s is in use by another cdp process (pid %d)", dir, os.Getpid())
	if !errors.Is(err, ErrDataDirInUse) || err.Error() != want {
		t.Fatalf("second start: %v; want %q", err, want)
	}
	ping(t, first.URI()) // the refused start left the first alone

	first.Stop()
	ping(t, startIn(t, dir, quiet()).URI())
}

// helperDirEnv names the directory the helper process holds.
const helperDirEnv = "CDP_STORE_TEST_HOLD_DIR"

// TestHelperHoldsDir is not a test: run as a child process by
// TestKilledHolderReleasesTheDir, it starts a store and waits to be killed.
func TestHelperHoldsDir(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	if _, err := StartEmbedded(context.Background(), dir, quiet()); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	select {}
}

func TestKilledHolderReleasesTheDir(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestHelperHoldsDir$")
	child.Env = append(os.Environ(), helperDirEnv+"="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		t.Fatalf("helper: %q", line)
	}

	_, err = StartEmbedded(context.Background(), dir, quiet())
	want := fmt.Sprintf("in use by another cdp process (pid %d)", child.Process.Pid)
	if !errors.Is(err, ErrDataDirInUse) || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("start beside the helper: %v; want ...%q", err, want)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	if fi, err := os.Lstat(filepath.Join(dir, socketName)); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("the killed helper left no socket (%v, %v): the test proves nothing", fi, err)
	}
	ping(t, startIn(t, dir, quiet()).URI())
}
