package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/golang-jwt/jwt/v5"
)

// claimsAt returns valid claims for a service token issued at t0.
func claimsAt(extra jwt.MapClaims) jwt.MapClaims {
	c := jwt.MapClaims{"ws": "w1", "aud": "cdp", "iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix(), "scope": "profiles:read"}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// withHeader signs claims with HS256 and an extra header parameter.
func withHeader(t *testing.T, key string, value any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header[key] = value
	s, err := tok.SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tampered replaces the payload of a signed token, keeping its signature.
func tampered(t *testing.T, tok string, c jwt.MapClaims) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

func TestVerifyTokenPitfalls(t *testing.T) {
	const day = 24 * time.Hour
	good := signed(t, claimsAt(nil))
	tests := []struct {
		name    string
		token   string
		at      time.Time
		wantErr string // "" means accepted
	}{
		{"baseline", good, t0, ""},
		{"tampered payload", tampered(t, good, claimsAt(jwt.MapClaims{"ws": "w2"})), t0, "token signature is invalid"},
		{"exp as a string", signed(t, claimsAt(jwt.MapClaims{"exp": "2030-01-02"})), t0, "token is malformed"},
		{"exp as a numeric string", signed(t, claimsAt(jwt.MapClaims{"exp": "1893553445"})), t0, "token is malformed"},
		{"iat as a string", signed(t, claimsAt(jwt.MapClaims{"iat": "now"})), t0, "token is malformed"},
		{"crit header", withHeader(t, "crit", []string{"exp"}, claimsAt(nil)), t0, "unsupported critical header"},
		{"empty crit header", withHeader(t, "crit", []string{}, claimsAt(nil)), t0, "unsupported critical header"},
		{"past exp", good, t0.Add(time.Hour + 61*time.Second), "token is expired"},
		{"exp within leeway", good, t0.Add(time.Hour + 59*time.Second), ""},
		{"iat in the future within leeway", good, t0.Add(-59 * time.Second), ""},
		{"iat in the future beyond leeway", good, t0.Add(-61 * time.Second), "token used before issued"},
		{"nbf within leeway", signed(t, claimsAt(jwt.MapClaims{"nbf": t0.Add(59 * time.Second).Unix()})), t0, ""},
		{"nbf beyond leeway", signed(t, claimsAt(jwt.MapClaims{"nbf": t0.Add(61 * time.Second).Unix()})), t0, "token is not valid yet"},
		{"service lifetime at maximum", signed(t, claimsAt(jwt.MapClaims{"exp": t0.Add(365 * day).Unix()})), t0, ""},
		{"service lifetime beyond maximum", signed(t, claimsAt(jwt.MapClaims{"exp": t0.Add(365*day + time.Second).Unix()})), t0,
			"service token lifetime exceeds the maximum of 365 days"},
		{"service lifetime without iat", signed(t, claimsAt(jwt.MapClaims{"iat": nil, "exp": t0.Add(2 * 365 * day).Unix()})), t0,
			"service token lifetime exceeds"},
		{"service lifetime without iat, remaining life ok", signed(t, claimsAt(jwt.MapClaims{"iat": nil, "exp": t0.Add(300 * day).Unix()})), t0, ""},
		{"end-user lifetime at maximum", signed(t, claimsAt(jwt.MapClaims{"scope": "me", "identity": map[string]string{"type": "email", "value": "a@b.co"},
			"exp": t0.Add(day).Unix()})), t0, ""},
		{"end-user lifetime beyond maximum", signed(t, claimsAt(jwt.MapClaims{"scope": "me", "identity": map[string]string{"type": "email", "value": "a@b.co"},
			"exp": t0.Add(day + time.Second).Unix()})), t0, "end-user token lifetime exceeds the maximum of 24 hours"},
		{"unknown scope", signed(t, claimsAt(jwt.MapClaims{"scope": "profiles:read anything"})), t0, "token carries a scope the service does not know"},
		{"unknown scope alone", signed(t, claimsAt(jwt.MapClaims{"scope": "openid"})), t0, "does not know"},
		{"scope case matters", signed(t, claimsAt(jwt.MapClaims{"scope": "ADMIN"})), t0, "does not know"},
		{"missing ws", signed(t, claimsAt(jwt.MapClaims{"ws": nil})), t0, "token is missing ws claim"},
		{"empty ws", signed(t, claimsAt(jwt.MapClaims{"ws": ""})), t0, "token is missing ws claim"},
		{"ws as a number", signed(t, claimsAt(jwt.MapClaims{"ws": 7})), t0, "token is malformed"},
		{"wrong aud", signed(t, claimsAt(jwt.MapClaims{"aud": "cdp-staging"})), t0, "token has invalid audience"},
		{"missing exp", signed(t, claimsAt(jwt.MapClaims{"exp": nil})), t0, "exp claim is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := auth.NewVerifier(t.Context(), auth.Options{Secret: secret, Now: fixed(tc.at)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = v.Verify(context.Background(), tc.token)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			wantUnauthenticated(t, err, tc.wantErr)
		})
	}
}

func TestMintRefusesLifetimesBeyondTheMaximum(t *testing.T) {
	id := &auth.IdentityRef{Type: "line_uid", Value: "U1"}
	tests := []struct {
		name string
		o    auth.MintOptions
		ok   bool
	}{
		{"service at max", auth.MintOptions{Workspace: "w1", TTL: auth.MaxServiceLifetime}, true},
		{"service beyond max", auth.MintOptions{Workspace: "w1", TTL: auth.MaxServiceLifetime + time.Second}, false},
		{"end user at max", auth.MintOptions{Workspace: "w1", Scopes: []auth.Scope{auth.ScopeMe}, Identity: id, TTL: auth.MaxEndUserLifetime}, true},
		{"end user beyond max", auth.MintOptions{Workspace: "w1", Scopes: []auth.Scope{auth.ScopeMe}, Identity: id, TTL: 25 * time.Hour}, false},
		{"unknown scope", auth.MintOptions{Workspace: "w1", Scopes: []auth.Scope{"anything"}, TTL: time.Hour}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := auth.Mint(secret, tc.o)
			if tc.ok != (err == nil) {
				t.Fatalf("Mint = %q, %v; want ok %v", tok, err, tc.ok)
			}
		})
	}
}
