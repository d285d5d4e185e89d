package server_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/config"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// clock is a test clock the test moves forward.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// TestSegmentExitsOverSSE: an SSE client sees a customer leave "ordered in
// the last 30 days" when the window passes (the sweep), and leave a segment
// when their profile is merged into another.
func TestSegmentExitsOverSSE(t *testing.T) {
	c := &clock{now: time.Now().UTC()}
	s := StartWith(t, Options{Now: c.Now, Config: func(cfg *config.Config) { cfg.SegmentSweep = 20 * time.Millisecond }})
	tok := Token(t, "acme")
	recent := createSegment(t, s, tok, "recent", map[string]any{"event": map[string]any{"type": "order_completed", "withinDays": 30}})
	web := createSegment(t, s, tok, "web only", map[string]any{"computed": field("channelMix", "EQ", "ONLINE_ONLY")})
	waitReady(t, s, tok, recent)
	waitReady(t, s, tok, web)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	msgs := s.SSE(t, ctx, tok, `subscription { segmentMembershipChanged { segmentId profileId entered } }`)
	waitSubscribed(t, s, ctx)
	next := func(want ...string) {
		t.Helper()
		Expect(t, ctx, msgs, want...)
	}
	mustTrack(t, s, tok, order("o1", "email", "ann@example.com", "web", 50, c.Now().Add(-29*24*time.Hour)))
	ann := Str(s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "ann@example.com") { id } }`, nil), "profileByIdentity", "id")
	got := map[string]bool{}
	for range 2 {
		select {
		case m := <-msgs:
			got[m] = true
		case <-ctx.Done():
			t.Fatal("no entry")
		}
	}
	for m := range got {
		if !strings.Contains(m, `"entered":true`) || !strings.Contains(m, ann) {
			t.Fatalf("entry %s", m)
		}
	}
	c.add(2 * 24 * time.Hour) // the order leaves the 30-day window
	next(`"entered":false`, recent, ann)

	mustTrack(t, s, tok, order("o2", "crm_id", "A-1", "pos", 80, c.Now()))
	next(`"entered":true`, recent) // the store customer ordered today
	s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "ann@example.com", "crm_id", "A-1")}})
	// Ann leaves "web only": absorbed, or the survivor, now omnichannel.
	for {
		select {
		case m := <-msgs:
			if !strings.Contains(m, `"entered":false`) || !strings.Contains(m, web) {
				continue
			}
		case <-ctx.Done():
			t.Fatal("merge: no exit from web only")
		}
		break
	}
	if m := members(t, s, tok, web); len(m) != 0 {
		t.Errorf("web only after the merge: %v; want none (the survivor bought in store too)", m)
	}
	if m := members(t, s, tok, recent); len(m) != 1 {
		t.Errorf("recent after the merge: %v; want the survivor alone", m)
	}
}
