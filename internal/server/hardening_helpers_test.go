package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func jsonLogger(l logLines) *slog.Logger { return slog.New(slog.NewJSONHandler(l, nil)) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// subjectToken mints an all-scopes service token for another subject.
func subjectToken(t *testing.T, ws, subject string) string {
	t.Helper()
	tok, err := auth.Mint(Secret, auth.MintOptions{Workspace: ws, Scopes: auth.AllScopes(), Subject: subject, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
