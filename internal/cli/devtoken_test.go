package cli

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
)

// The development token carries exactly the scopes the docs promise.
func TestDevTokenScopesAreTheDocumentedOnes(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	tok, err := serveToken(secret, "")
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(context.Background(), auth.Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Workspace != "dev" || p.Subject != "dev" || !slices.Equal(p.Scopes, devScopes()) {
		t.Fatalf("development token = %+v, want workspace dev, subject dev, scopes %v", p, devScopes())
	}
	want := joinScopes(p.Scopes)
	for _, doc := range []string{"../../README.md", "../../docs/security.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(strings.Fields(string(b)), " "); !strings.Contains(text, want) {
			t.Errorf("%s does not list the development token's scopes %q", doc, want)
		}
	}
}

// `cdp token` refuses what the server would refuse.
func TestTokenCommandRefusesUnknownScopesAndLongLifetimes(t *testing.T) {
	dir := t.TempDir()
	if _, err := auth.DevSecret(dir); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string { return map[string]string{"CDP_DATA_DIR": dir}[k] }
	for _, args := range [][]string{
		{"--scope", "anything"},
		{"--scope", "profiles:read anything"},
		{"--ttl", "8761h"},
		{"--scope", "me", "--identity", "line_uid:U1", "--ttl", "25h"},
	} {
		var out strings.Builder
		err := Run(context.Background(), append([]string{"token", "--workspace", "acme"}, args...), &out, env)
		if err == nil || out.Len() > 0 {
			t.Errorf("token %v: printed %q, err %v; want a refusal", args, out.String(), err)
		}
	}
}
