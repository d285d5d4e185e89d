package auth_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// fuzzTokens are the only tokens FuzzVerify's verifier may accept: minted
// with the test secret at t0, so they are the same on every run (the seed
// corpus holds them).
func fuzzTokens(t testing.TB) []string {
	id := &auth.IdentityRef{Type: "line_uid", Value: "U1"}
	var out []string
	for _, o := range []auth.MintOptions{
		{Workspace: "w1", Subject: "svc", Scopes: []auth.Scope{auth.ScopeProfilesRead}},
		{Workspace: "w1", Subject: "u", Scopes: []auth.Scope{auth.ScopeMe}, Identity: id},
	} {
		o.Now, o.TTL = fixed(t0), time.Hour
		tok, err := auth.Mint(secret, o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tok)
	}
	return out
}

// FuzzVerify checks that the verifier never panics, refuses with
// UNAUTHENTICATED, and accepts nothing but the tokens minted with its secret
// (no other string, not even one decoding to the same bytes).
func FuzzVerify(f *testing.F) {
	valid := fuzzTokens(f)
	v, err := auth.NewVerifier(context.Background(), auth.Options{Secret: secret, Now: fixed(t0.Add(time.Minute))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, err := v.Verify(context.Background(), token)
		if err != nil {
			if errs.KindOf(err) != errs.Unauthenticated {
				t.Fatalf("refused with %v: %v", errs.KindOf(err), err)
			}
			return
		}
		if !slices.Contains(valid, token) {
			t.Fatalf("accepted a token it never minted: %q (principal %+v)", token, p)
		}
	})
}

// The corpus holds the valid tokens, so the property is exercised by the
// seeds in plain go test runs too.
func TestFuzzVerifySeedsHoldTheValidTokens(t *testing.T) {
	v, err := auth.NewVerifier(context.Background(), auth.Options{Secret: secret, Now: fixed(t0.Add(time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range fuzzTokens(t) {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatalf("a valid seed is refused: %v", err)
		}
	}
}
