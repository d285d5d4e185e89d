package server_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestSegmentsUnderLoad: 8 clients send batches of 1,000 events (orders
// and page views) for the same 20 customers while two of them are erased;
// then membership kept at write time equals a rebuild from the stored
// events, and erased customers are in no segment.
func TestSegmentsUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("16,000 events")
	}
	s := Start(t)
	tok := Token(t, "acme")
	rules := map[string]map[string]any{
		"buyers":  {"event": map[string]any{"type": "order_completed", "count": map[string]any{"op": "GTE", "value": 30}}},
		"recent":  {"event": map[string]any{"type": "order_completed", "withinHours": 24, "where": []any{field("revenue", "GT", 50)}}},
		"omni":    {"computed": field("channelMix", "EQ", "OMNICHANNEL")},
		"viewers": {"not": map[string]any{"event": map[string]any{"type": "page_view", "count": map[string]any{"op": "LT", "value": 40}}}},
	}
	segs := map[string]string{}
	for name, r := range rules {
		segs[name] = createSegment(t, s, tok, name, r)
	}
	// The erased customers exist before the traffic starts.
	mustTrack(t, s, tok, order("seed-0", "email", "c0@example.com", "web", 1, time.Now()),
		order("seed-1", "email", "c1@example.com", "web", 1, time.Now()))
	now := time.Now()
	var wg sync.WaitGroup
	for cl := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range 2 {
				evs := make([]any, 1000)
				for k := range evs {
					c := (cl + k) % 20
					e := order(fmt.Sprintf("L%d-%d-%d", cl, b, k), "email", fmt.Sprintf("c%d@example.com", c),
						[]string{"web", "pos", "app"}[k%3], float64(k%100), now.Add(-time.Duration(k%48)*time.Hour))
					if k%2 == 1 {
						e["type"] = "page_view"
					}
					evs[k] = e
				}
				r := s.Do(t, tok, trackAppliedQ, map[string]any{"ev": evs})
				for _, e := range r.Errors {
					if e.Code() != "UNAVAILABLE" { // backpressure is a fine answer under load
						t.Errorf("client %d batch %d: %v", cl, b, e)
					}
				}
			}
		}()
	}
	// A segment with an event condition nothing counted yet, created while
	// the batches flow: its build recounts every profile from the events
	// being stored and folded meanwhile.
	rules["late"] = map[string]any{"event": map[string]any{"type": "page_view", "channel": "app", "count": map[string]any{"op": "GTE", "value": 20}}}
	segs["late"] = createSegment(t, s, tok, "late", rules["late"])
	for _, c := range []string{"c0@example.com", "c1@example.com"} {
		d := s.MustDo(t, tok, `query($v: String!) { profileByIdentity(type: "email", value: $v) { id } }`, map[string]any{"v": c})
		eraseRetrying(t, s, Str(d, "profileByIdentity", "id"))
	}
	wg.Wait()
	live := map[string][]string{}
	for name, id := range segs {
		waitReady(t, s, tok, id)
		live[name] = members(t, s, tok, id)
	}
	if len(live["omni"]) == 0 || len(live["buyers"]) == 0 || len(live["late"]) == 0 {
		t.Fatalf("no members: %v", live)
	}
	for name, id := range segs {
		s.MustDo(t, tok, updateSegmentQ, map[string]any{"id": id, "in": map[string]any{"name": name, "rule": rules[name]}})
	}
	for name, id := range segs {
		waitReady(t, s, tok, id)
		if got := members(t, s, tok, id); !slices.Equal(got, live[name]) {
			t.Errorf("segment %s: kept at write time %d members, rebuilt %d", name, len(live[name]), len(got))
		}
	}
}

// eraseRetrying erases a profile, retrying while the server answers
// UNAVAILABLE, as a client under load would.
func eraseRetrying(t *testing.T, s *Server, id string) {
	t.Helper()
	for try := 1; ; try++ {
		r := s.Do(t, Token(t, "acme", "profiles:delete"), `mutation($id: ID!) { deleteProfile(id: $id) { profileId } }`, map[string]any{"id": id})
		if len(r.Errors) == 0 {
			return
		}
		if r.Errors[0].Code() != "UNAVAILABLE" || try == 30 {
			t.Fatalf("erase %s: %v", id, r.Errors)
		}
		time.Sleep(time.Second)
	}
}
