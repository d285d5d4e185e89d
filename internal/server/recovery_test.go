package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestEventsLeftByACrashAreAppliedOnceAtStart simulates the two crash points
// of ingest: an event stored but not applied, and an event applied to the
// profile whose batch is still marked. A restart must leave exactly the counts a
// recomputation from the stored events gives.
func TestEventsLeftByACrashAreAppliedOnceAtStart(t *testing.T) {
	ctx := context.Background()
	st := Store(t)
	s := StartWith(t, Options{Store: st})
	tok := Token(t, "acme")
	s.MustDo(t, tok, trackQ, map[string]any{"ev": []any{
		map[string]any{"messageId": "m1", "type": "x", "channel": "web", "identities": ids("email", "crash@example.com"), "timestamp": "2026-01-01T00:00:00Z"},
	}})
	pid := Str(s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "crash@example.com") { id } }`, nil), "profileByIdentity", "id")

	email := identity.Identifier{Type: "email", Value: "crash@example.com"}
	mk := func(mid, channel, ts, batch string) *event.Event {
		at, _ := time.Parse(time.RFC3339, ts)
		return &event.Event{ID: event.Key("acme", mid), Workspace: "acme", MessageID: mid, ProfileID: pid, Type: "x",
			Channel: channel, Properties: map[string]any{}, Identities: []identity.Identifier{email}, Timestamp: at, ReceivedAt: at, Batch: batch}
	}
	// Crash 1: m2 stored, never applied. Crash 2: m3 folded into the profile
	// (with its batch recorded, in the same write), not yet marked applied.
	m2, m3 := mk("m2", "pos", "2026-02-01T00:00:00Z", "b2"), mk("m3", "line", "2026-03-01T00:00:00Z", "b3")
	for _, b := range []string{"b2", "b3"} { // each batch is marked before its events are stored
		if err := st.Events().Mark(ctx, []event.BatchRef{{Workspace: "acme", Batch: b}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Events().Insert(ctx, []*event.Event{m2, m3}); err != nil {
		t.Fatal(err)
	}
	p, err := st.Profiles().Get(ctx, auth.Workspace("acme"), pid)
	if err != nil {
		t.Fatal(err)
	}
	p.Computed = event.Fold(p.Computed, []*event.Event{m3}, event.DefaultFoldRules())
	p.MarkBatch("b3/" + pid)
	if err := st.Profiles().Replace(ctx, p, p.Version); err != nil {
		t.Fatal(err)
	}

	s2 := StartWith(t, Options{Store: st}) // the restart
	q := `{ profileByIdentity(type: "email", value: "crash@example.com") { computed { eventCount channels lastSeen } } }`
	want := `{"channels":["line","pos","web"],"eventCount":3,"lastSeen":"2026-03-01T00:00:00Z"}`
	if got := Str(s2.MustDo(t, tok, q, nil), "profileByIdentity", "computed"); got != want {
		t.Fatalf("after restart computed = %s, want %s", got, want)
	}
	// The client retries its batch: duplicates, nothing counted twice.
	r := s2.MustDo(t, tok, trackQ, map[string]any{"ev": []any{
		map[string]any{"messageId": "m2", "type": "x", "identities": ids("email", "crash@example.com")},
		map[string]any{"messageId": "m3", "type": "x", "identities": ids("email", "crash@example.com")},
	}})
	if Str(r, "trackEvents", "duplicates") != "2" {
		t.Fatalf("retry = %v", r)
	}
	if got := Str(s2.MustDo(t, tok, q, nil), "profileByIdentity", "computed"); got != want {
		t.Fatalf("after retry computed = %s", got)
	}
}
