package auth_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
)

func TestExistingDevSecretNeedsOneKept(t *testing.T) {
	dir := t.TempDir()
	if s, err := auth.ExistingDevSecret(dir); err == nil || !strings.Contains(err.Error(), "no development secret in "+dir) {
		t.Fatalf("empty dir: got %q, %v; want the no-secret error", s, err)
	}
	if _, err := os.Stat(filepath.Join(dir, auth.DevSecretFile)); !os.IsNotExist(err) {
		t.Fatalf("ExistingDevSecret created a secret file: %v", err)
	}
	made, err := auth.DevSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := auth.ExistingDevSecret(dir)
	if err != nil || string(got) != string(made) {
		t.Fatalf("after DevSecret: got %q, %v; want %q", got, err, made)
	}
}

func TestExistingDevSecretRefusesAShortOne(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, auth.DevSecretFile), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := auth.ExistingDevSecret(dir); err == nil {
		t.Fatalf("short secret: got %q, want an error", s)
	}
}

func TestDevSecretIsStable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	a, err := auth.DevSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := auth.DevSecret(dir)
	if err != nil || string(a) != string(b) {
		t.Fatalf("second DevSecret = %q, %v; want %q", b, err, a)
	}
	fi, err := os.Stat(filepath.Join(dir, auth.DevSecretFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, %v; want mode 0600", fi, err)
	}
}
