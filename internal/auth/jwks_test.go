package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/golang-jwt/jwt/v5"
)

type jwksFixture struct {
	rsa   *rsa.PrivateKey
	ec    *ecdsa.PrivateKey
	ed    ed25519.PrivateKey
	other *rsa.PrivateKey // not published
	srv   *httptest.Server
}

func newJWKSFixture(t *testing.T) *jwksFixture {
	t.Helper()
	f := &jwksFixture{}
	var err error
	if f.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if f.other, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if f.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, f.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	store := jwkset.NewMemoryStorage()
	for _, k := range []struct {
		key any
		kid string
		alg jwkset.ALG
	}{
		{f.rsa.Public(), "rsa-1", jwkset.AlgRS256},
		{f.ec.Public(), "ec-1", jwkset.AlgES256},
		{f.ed.Public(), "ed-1", jwkset.AlgEdDSA},
	} {
		jwk, err := jwkset.NewJWKFromKey(k.key, jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: k.alg, USE: jwkset.UseSig},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.KeyWrite(context.Background(), jwk); err != nil {
			t.Fatal(err)
		}
	}
	body, err := store.JSONPublic(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestVerifyJWKS(t *testing.T) {
	f := newJWKSFixture(t)
	v, err := auth.NewVerifier(t.Context(), auth.Options{
		JWKSURL:    f.srv.URL + "/jwks.json",
		Issuer:     "https://idp.example",
		Now:        fixed(t0),
		HTTPClient: f.srv.Client(),
	})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	claims := auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "https://idp.example",
			Subject:   "client-1",
			Audience:  jwt.ClaimStrings{"cdp"},
			ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour)),
		},
		Workspace: "w1",
		Scope:     "profiles:read segments:write",
	}
	pubPEM, err := x509.MarshalPKIXPublicKey(f.rsa.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubPEM})

	tests := []struct {
		name    string
		token   string
		wantErr string
		cause   string // when set, the wrapped cause must contain it
	}{
		{name: "RS256", token: sign(t, jwt.SigningMethodRS256, "rsa-1", f.rsa, claims)},
		{name: "ES256", token: sign(t, jwt.SigningMethodES256, "ec-1", f.ec, claims)},
		{name: "EdDSA", token: sign(t, jwt.SigningMethodEdDSA, "ed-1", f.ed, claims)},
		{name: "RS256 without kid", token: sign(t, jwt.SigningMethodRS256, "", f.rsa, claims)},
		{
			name:    "unknown key with known kid",
			token:   sign(t, jwt.SigningMethodRS256, "rsa-1", f.other, claims),
			wantErr: "invalid token: token signature is invalid",
		},
		{
			name:    "unknown key without kid",
			token:   sign(t, jwt.SigningMethodRS256, "", f.other, claims),
			wantErr: "invalid token: token signature is invalid",
		},
		{
			name:    "unknown kid",
			token:   sign(t, jwt.SigningMethodRS256, "rsa-2", f.other, claims),
			wantErr: "invalid token: token is unverifiable",
		},
		{
			name:    "alg does not match key",
			token:   sign(t, jwt.SigningMethodPS256, "rsa-1", f.rsa, claims),
			wantErr: "invalid token: token is unverifiable",
		},
		{
			name:    "algorithm confusion: HS256 with RSA public key",
			token:   sign(t, jwt.SigningMethodHS256, "rsa-1", pubBytes, claims),
			wantErr: "invalid token: token signature is invalid",
			cause:   "signing method HS256 is invalid",
		},
		{
			name: "alg none",
			token: sign(t, jwt.SigningMethodNone, "rsa-1",
				jwt.UnsafeAllowNoneSignatureType, claims),
			wantErr: "invalid token:",
			cause:   "signing method none is invalid",
		},
		{
			name: "wrong issuer",
			token: sign(t, jwt.SigningMethodES256, "ec-1", f.ec, auth.Claims{
				RegisteredClaims: jwt.RegisteredClaims{
					Issuer:    "https://evil.example",
					Audience:  jwt.ClaimStrings{"cdp"},
					ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour)),
				},
				Workspace: "w1",
			}),
			wantErr: "token has invalid issuer",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), tc.token)
			if tc.wantErr != "" {
				wantUnauthenticated(t, err, tc.wantErr)
				if c := errors.Unwrap(err); tc.cause != "" && (c == nil || !strings.Contains(c.Error(), tc.cause)) {
					t.Fatalf("cause %v does not contain %q", c, tc.cause)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			assertPrincipal(t, p, auth.Principal{
				Workspace: "w1",
				Subject:   "client-1",
				Scopes:    []auth.Scope{auth.ScopeProfilesRead, auth.ScopeSegmentsWrite},
				ExpiresAt: t0.Add(time.Hour),
			})
		})
	}
}
