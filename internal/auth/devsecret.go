package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DevSecretFile is the file in the data directory that keeps the generated
// development secret.
const DevSecretFile = "jwt-secret"

// minDevSecret is the shortest kept secret DevSecret accepts; a shorter one
// is replaced.
const minDevSecret = 32

// DevSecret returns the HS256 secret kept in dir, generating and storing a
// random one the first time, so tokens stay valid across restarts.
func DevSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, DevSecretFile)
	if secret, err := readDevSecret(path); secret != nil || err != nil {
		return secret, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write dev secret: %w", err)
	}
	return []byte(secret), nil
}

// ExistingDevSecret returns the development secret DevSecret kept in dir,
// and an error when there is none (or one DevSecret would replace). Unlike
// DevSecret it never creates one: a command pointed at the wrong directory
// would otherwise mint tokens that no running server accepts.
func ExistingDevSecret(dir string) ([]byte, error) {
	secret, err := readDevSecret(filepath.Join(dir, DevSecretFile))
	if err != nil {
		return nil, err
	}
	if secret == nil {
		return nil, fmt.Errorf("no development secret in %s: start the server once with `go run .` or set CDP_JWT_SECRET", dir)
	}
	return secret, nil
}

// readDevSecret returns the secret kept at path, or nil when there is no
// usable one.
func readDevSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read dev secret: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if len(s) < minDevSecret {
		return nil, nil
	}
	return []byte(s), nil
}
