package server_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestStoreOutage cuts the store away from a running server and brings it
// back: readiness turns 503, operations fail with UNAVAILABLE instead of
// hanging or INTERNAL, and everything resumes without a restart, the fold
// of events stored before the outage included.
func TestStoreOutage(t *testing.T) {
	st, proxy := StoreBehindProxy(t, 500*time.Millisecond)
	var foldBlocked atomic.Bool
	s := StartWith(t, Options{Store: st, Fault: func(step string) error {
		if step == "fold:cycle" && foldBlocked.Load() {
			return errs.New(errs.Unavailable, "fold held by the test")
		}
		return nil
	}})
	tok := Token(t, "acme")
	s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "before@example.com")}})
	wantReady(t, s, http.StatusOK)

	foldBlocked.Store(true) // these events are stored, and fold only after the outage
	storedQ := `mutation($ev: [EventInput!]!) { trackEvents(events: $ev, wait: STORED) { accepted } }`
	ev := func(mid string) map[string]any {
		return map[string]any{"messageId": mid, "type": "view", "identities": ids("email", "before@example.com")}
	}
	if got := Str(s.MustDo(t, tok, storedQ, map[string]any{"ev": []any{ev("m1"), ev("m2")}}), "trackEvents", "accepted"); got != "2" {
		t.Fatalf("accepted = %s", got)
	}

	proxy.Cut()
	foldBlocked.Store(false) // the fold now meets the outage
	wantReady(t, s, http.StatusServiceUnavailable)
	for name, op := range map[string]struct {
		q    string
		vars map[string]any
	}{
		"query":    {`{ profileByIdentity(type: "email", value: "before@example.com") { id } }`, nil},
		"identify": {identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "during@example.com")}}},
		"track":    {storedQ, map[string]any{"ev": []any{ev("m3")}}},
	} {
		r := s.Do(t, tok, op.q, op.vars)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "UNAVAILABLE" || r.Errors[0].Extensions["retryAfter"] == nil {
			t.Errorf("%s during the outage: errors = %+v, want UNAVAILABLE with retryAfter", name, r.Errors)
		}
	}

	status, body := s.Upload(t, tok, "events", strings.NewReader(`{"messageId":"i1","type":"view","identities":[{"type":"crm_id","value":"c1"}]}`+"\n"), "")
	if status != http.StatusServiceUnavailable || Str(body, "errors", 0, "extensions", "code") != "UNAVAILABLE" {
		t.Errorf("import upload during the outage: %d %v, want 503 UNAVAILABLE", status, body)
	}

	proxy.Restore()
	wantReady(t, s, http.StatusOK)
	s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "after@example.com")}})
	waitFolded(t, s, tok)
	p := s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "before@example.com") { computed { eventCount } } }`, nil)
	if n := Str(p, "profileByIdentity", "computed", "eventCount"); n != "2" {
		t.Fatalf("eventCount after the outage = %s, want 2", n)
	}
}

// wantReady polls /readyz until it answers want; the driver notices a lost
// or returning store by itself, so the first answers may still be the old
// state.
func wantReady(t *testing.T, s *Server, want int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := strings.TrimSuffix(s.URL, "/graphql") + "/readyz"
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("/readyz never answered %d", want)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
