package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/golang-jwt/jwt/v5"
)

func TestVerifyHeader(t *testing.T) {
	v, err := auth.NewVerifier(t.Context(), auth.Options{Secret: secret, Now: fixed(t0)})
	if err != nil {
		t.Fatal(err)
	}
	tok := mint(t, auth.MintOptions{Workspace: "w1", Scopes: auth.AllScopes()})
	tests := []struct {
		name, header, wantErr string
	}{
		{"Bearer", "Bearer " + tok, ""},
		{"lower-case bearer", "bearer " + tok, ""},
		{"upper-case BEARER and spaces", "  BEARER   " + tok + " ", ""},
		{"basic", "Basic dXNlcjpwYXNz", "authorization scheme must be Bearer"},
		{"empty", "", "missing bearer token"},
		{"scheme only", "Bearer", "missing bearer token"},
		{"scheme and blank", "Bearer   ", "missing bearer token"},
		{"bad token", "Bearer abc", "invalid token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := v.VerifyHeader(context.Background(), tc.header)
			if tc.wantErr != "" {
				wantUnauthenticated(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("VerifyHeader: %v", err)
			}
			if p.Workspace != "w1" || !p.Has(auth.ScopeContentWrite) {
				t.Fatalf("principal = %+v", p)
			}
		})
	}
}

func TestNewVerifierOptions(t *testing.T) {
	tests := []struct {
		name string
		o    auth.Options
	}{
		{"neither", auth.Options{}},
		{"both", auth.Options{Secret: secret, JWKSURL: "http://127.0.0.1:1/jwks"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := auth.NewVerifier(t.Context(), tc.o); err == nil {
				t.Fatal("expected error")
			}
		})
	}
}

// A secret verifier must not accept asymmetric tokens either.
func TestSecretVerifierRejectsRS256(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(t.Context(), auth.Options{Secret: secret, Now: fixed(t0)})
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, jwt.SigningMethodRS256, "", key, jwt.MapClaims{"ws": "w1", "aud": "cdp", "exp": t0.Add(time.Hour).Unix()})
	_, err = v.Verify(context.Background(), tok)
	wantUnauthenticated(t, err, "token signature is invalid")
}

func TestNewVerifierJWKSFetchFails(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer bad.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct{ name, url string }{
		{"500", bad.URL},
		{"connection refused", closedURL},
		{"bad url", "::not a url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err := auth.NewVerifier(ctx, auth.Options{JWKSURL: tc.url, HTTPClient: bad.Client()})
			if err == nil {
				t.Fatal("expected error")
			}
		})
	}
}
