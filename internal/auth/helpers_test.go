package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/golang-jwt/jwt/v5"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	t0     = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
)

func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

func mint(t *testing.T, o auth.MintOptions) string {
	t.Helper()
	if o.Now == nil {
		o.Now = fixed(t0)
	}
	if o.TTL == 0 {
		o.TTL = time.Hour
	}
	tok, err := auth.Mint(secret, o)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	return tok
}

// signed signs arbitrary claims with HS256 and the test secret.
func signed(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func wantUnauthenticated(t *testing.T, err error, contains string) {
	t.Helper()
	if err == nil {
		t.Fatal("expected error, got nil")
	}
	if k := errs.KindOf(err); k != errs.Unauthenticated {
		t.Fatalf("kind = %v, want UNAUTHENTICATED (err %v)", k, err)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not contain %q", err, contains)
	}
}

func assertPrincipal(t *testing.T, got, want auth.Principal) {
	t.Helper()
	if got.Workspace != want.Workspace || got.Subject != want.Subject || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("principal = %+v, want %+v", got, want)
	}
	if strings.Join(scopeStrings(got.Scopes), " ") != strings.Join(scopeStrings(want.Scopes), " ") {
		t.Fatalf("scopes = %v, want %v", got.Scopes, want.Scopes)
	}
	if (got.Identity == nil) != (want.Identity == nil) || (got.Identity != nil && *got.Identity != *want.Identity) {
		t.Fatalf("identity = %v, want %v", got.Identity, want.Identity)
	}
}

func scopeStrings(s []auth.Scope) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

func sign(t *testing.T, m jwt.SigningMethod, kid string, key any, c jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
