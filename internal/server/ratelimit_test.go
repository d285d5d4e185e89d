package server_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/cdp-dev/cdp/internal/config"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestRateLimitPerSubjectAndWorkspace checks the token buckets: past its
// burst a subject gets 429 with Retry-After and RATE_LIMITED with
// retryAfter, while another subject of the workspace goes on until the
// workspace's own bucket is empty too. The rates are so low that no token
// comes back during the test.
func TestRateLimitPerSubjectAndWorkspace(t *testing.T) {
	s := StartWith(t, Options{Config: func(c *config.Config) {
		c.Limits.RateLimit, c.Limits.RateBurst = 0.001, 2
		c.Limits.WorkspaceRateLimit, c.Limits.WorkspaceRateBurst = 0.001, 3
	}})
	a, b := Token(t, "ws"), subjectToken(t, "ws", "other")
	q := queryBody(`{ workspace { id } }`)
	for i := range 2 {
		if r := do(t, http.MethodPost, s.URL, a, q); r.status != http.StatusOK {
			t.Fatalf("request %d within the burst: %d %s", i, r.status, r.body)
		}
	}
	r := do(t, http.MethodPost, s.URL, a, q)
	assertLimited(t, r)
	if r := do(t, http.MethodPost, s.URL, b, q); r.status != http.StatusOK {
		t.Fatalf("another subject: %d %s", r.status, r.body)
	}
	assertLimited(t, do(t, http.MethodPost, s.URL, b, q)) // the workspace's burst of 3 is spent
}

func assertLimited(t *testing.T, r raw) {
	t.Helper()
	after, err := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != http.StatusTooManyRequests || err != nil || after < 1 || r.errorCode(t) != "RATE_LIMITED" {
		t.Fatalf("want 429 RATE_LIMITED with Retry-After, got %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	var b struct{ Errors []Error }
	_ = jsonUnmarshal(r.body, &b)
	if n, _ := b.Errors[0].Extensions["retryAfter"].(float64); int(n) != after {
		t.Errorf("extensions.retryAfter %v, Retry-After %d", b.Errors[0].Extensions["retryAfter"], after)
	}
}

// TestBrowserHeaders checks the security headers and the request id on
// every answer, and CORS only for the configured origins.
func TestBrowserHeaders(t *testing.T) {
	s := StartWith(t, Options{Config: func(c *config.Config) { c.CORSOrigins = []string{"https://dash.example.com"} }})
	tok := Token(t, "ws")
	r := do(t, http.MethodPost, s.URL, tok, queryBody(`{ workspace { id } }`), "Origin", "https://dash.example.com")
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer", "Access-Control-Allow-Origin": "https://dash.example.com"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if r.header.Get("X-Request-Id") == "" || r.header.Get("Strict-Transport-Security") != "" {
		t.Errorf("X-Request-Id %q, HSTS %q (plain HTTP, not configured)", r.header.Get("X-Request-Id"), r.header.Get("Strict-Transport-Security"))
	}
	r = do(t, http.MethodPost, s.URL, tok, queryBody(`{ workspace { id } }`), "Origin", "https://evil.example")
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("an origin not in the list got CORS: %v", r.header)
	}
	r = do(t, http.MethodOptions, s.URL, "", nil, "Origin", "https://dash.example.com",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
	if r.status >= 300 || r.header.Get("Access-Control-Allow-Origin") != "https://dash.example.com" ||
		r.header.Get("Access-Control-Allow-Methods") != "POST" {
		t.Errorf("preflight: %d %v", r.status, r.header)
	}
	plain := Start(t)
	r = do(t, http.MethodOptions, plain.URL, "", nil, "Origin", "https://dash.example.com", "Access-Control-Request-Method", "POST")
	if r.header.Get("Access-Control-Allow-Origin") != "" || r.header.Get("X-Request-Id") == "" {
		t.Errorf("without CDP_CORS_ORIGINS: %d %v", r.status, r.header)
	}
}
