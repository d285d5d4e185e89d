package server_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestSegmentsLive: computed values, live membership published before the
// mutation returns, members, size, preview and RFM, over the API.
func TestSegmentsLive(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	omni := createSegment(t, s, tok, "Omnichannel", map[string]any{"computed": field("channelMix", "EQ", "OMNICHANNEL")})
	big := createSegment(t, s, tok, "Big spenders", map[string]any{"computed": field("revenue", "GTE", 1000)})
	recent := createSegment(t, s, tok, "Ordered in 30 days", map[string]any{"event": map[string]any{"type": "order_completed", "withinDays": 30}})
	line := createSegment(t, s, tok, "LINE, never online", map[string]any{"all": []any{
		map[string]any{"identity": map[string]any{"type": "line_uid", "exists": true}},
		map[string]any{"not": map[string]any{"computed": field("channelMix", "IN", []any{"ONLINE_ONLY", "OMNICHANNEL"})}},
	}})
	for _, id := range []string{omni, big, recent, line} {
		waitReady(t, s, tok, id)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ws := s.DialWS(t, ctx, "graphql-transport-ws", tok)
	if m, err := ws.Read(ctx); err != nil || m.Type != "connection_ack" {
		t.Fatalf("ack: %v %v", m, err)
	}
	ws.Subscribe(ctx, "1", `subscription { segmentMembershipChanged { segmentId profileId entered at } }`, nil)
	waitSubscribed(t, s, ctx)

	now := time.Now()
	mustTrack(t, s, tok, order("a1", "email", "ann@example.com", "web", 600, now.Add(-time.Hour)),
		order("a2", "email", "ann@example.com", "pos", 500, now.Add(-2*time.Hour)),
		order("b1", "line_uid", "U0b", "store", 80, now.AddDate(0, 0, -40)))
	// The messages were published before trackEvents answered.
	got := map[string]bool{}
	for len(got) < 4 {
		m, err := ws.Read(ctx)
		if err != nil || m.Type != "next" {
			t.Fatalf("message: %v %v", m, err)
		}
		var p struct {
			Data struct {
				C struct {
					SegmentID string `json:"segmentId"`
					Entered   bool   `json:"entered"`
				} `json:"segmentMembershipChanged"`
			} `json:"data"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil || !p.Data.C.Entered {
			t.Fatalf("payload %s: %v", m.Payload, err)
		}
		got[p.Data.C.SegmentID] = true
	}
	if !got[omni] || !got[big] || !got[recent] || !got[line] {
		t.Fatalf("entries %v; want omni, big, recent and line", got)
	}

	d := s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "ann@example.com") { id segments { name }
		computed { orderCount revenue averageOrderValue channelMix orderChannels rfm { label } } } }`, nil)
	p := Get(d, "profileByIdentity")
	if Str(p, "computed", "orderCount") != "2" || Str(p, "computed", "revenue") != "1100" ||
		Str(p, "computed", "channelMix") != "OMNICHANNEL" || Str(p, "computed", "averageOrderValue") != "550" {
		t.Fatalf("computed = %s", Str(p, "computed"))
	}
	names := Str(p, "segments")
	for _, n := range []string{"Omnichannel", "Big spenders", "Ordered in 30 days"} {
		if !strings.Contains(names, n) {
			t.Errorf("segments %s lack %s", names, n)
		}
	}
	if m := members(t, s, tok, line); len(m) != 1 {
		t.Errorf("LINE members = %v; want the store customer", m)
	}
	if m := members(t, s, tok, recent); len(m) != 1 || m[0] != Str(p, "id") {
		t.Errorf("recent members = %v; want only Ann (the other order is 40 days old)", m)
	}

	pv := s.MustDo(t, tok, `query($r: ConditionInput!) { previewSegment(rule: $r) { count sample { id } } }`,
		map[string]any{"r": map[string]any{"event": map[string]any{"type": "order_completed", "channel": "store"}}})
	if Str(pv, "previewSegment", "count") != "1" {
		t.Errorf("preview = %s; want the one store buyer", Str(pv, "previewSegment"))
	}

	r := s.MustDo(t, tok, `mutation { recomputeRfm { scored labels { label count } boundaries { recency } } }`, nil)
	if Str(r, "recomputeRfm", "scored") != "1" { // the 40-day-old order is in the 365-day window too
		if Str(r, "recomputeRfm", "scored") != "2" {
			t.Errorf("recomputeRfm = %s", Str(r, "recomputeRfm"))
		}
	}
	d = s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "ann@example.com") { computed { rfm { r f m label } } } }`, nil)
	if Str(d, "profileByIdentity", "computed", "rfm", "label") == "" {
		t.Errorf("no RFM label after recomputeRfm: %s", Str(d, "profileByIdentity"))
	}
}

// TestSegmentRuleErrors: a bad rule names the path of the bad node.
func TestSegmentRuleErrors(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	for _, c := range []struct {
		rule  map[string]any
		field string
	}{
		{map[string]any{}, "rule"},
		{map[string]any{"all": []any{map[string]any{"computed": field("nope", "EQ", 1)}}}, "rule.all[0].computed.path"},
		{map[string]any{"any": []any{map[string]any{"trait": field("$where", "EQ", 1)}}}, "rule.any[0].trait.path"},
		{map[string]any{"event": map[string]any{"type": "x", "where": []any{field("a", "IN", 3)}}}, "rule.event.where[0].value"},
		{map[string]any{"event": map[string]any{"type": "x", "withinDays": 1, "withinHours": 2}}, "rule.event"},
		{map[string]any{"trait": field("a", "EQ", 1), "consent": map[string]any{"channel": "line", "granted": true}}, "rule"},
	} {
		r := s.Do(t, tok, createSegmentQ, map[string]any{"in": map[string]any{"name": "x", "rule": c.rule}})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("rule %v: %+v; want BAD_USER_INPUT at %s", c.rule, r.Errors, c.field)
		}
	}
	r := s.Do(t, Token(t, "acme", "profiles:read"), createSegmentQ, map[string]any{"in": map[string]any{"name": "x",
		"rule": map[string]any{"trait": field("a", "EXISTS", nil)}}})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Errorf("without segments:write: %+v", r.Errors)
	}
}

// TestSegmentBackfill: a segment created after the data is built over the
// existing profiles, counting event conditions from the stored events.
func TestSegmentBackfill(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	now := time.Now()
	var evs []map[string]any
	for i := range 30 {
		evs = append(evs, order(msgID("o", i), "crm_id", msgID("c", i%10), []string{"web", "pos"}[i%2], float64(10*i), now.Add(-time.Duration(i)*time.Hour)))
	}
	mustTrack(t, s, tok, evs...)
	id := createSegment(t, s, tok, "3 orders", map[string]any{"event": map[string]any{"type": "order_completed",
		"count": map[string]any{"op": "GTE", "value": 3}, "where": []any{field("revenue", "GTE", 0)}}})
	waitReady(t, s, tok, id)
	if m := members(t, s, tok, id); len(m) != 10 {
		t.Fatalf("members = %d; want all 10 customers (3 orders each)", len(m))
	}
	two := createSegment(t, s, tok, "4 orders", map[string]any{"event": map[string]any{"type": "order_completed",
		"count": map[string]any{"op": "GTE", "value": 4}}})
	waitReady(t, s, tok, two)
	if m := members(t, s, tok, two); len(m) != 0 {
		t.Fatalf("members of 4 orders = %v; want none", m)
	}
	mustTrack(t, s, tok, order("extra", "crm_id", "c-0", "web", 1, now))
	if m := members(t, s, tok, two); len(m) != 1 || !slices.Equal(m, members(t, s, tok, two)) {
		t.Fatalf("after a 4th order: %v; want one member", m)
	}
}

// TestSegmentNamesAreUnique: a second segment with a name the workspace
// has (whatever the case) is a CONFLICT, so a retried create makes none.
func TestSegmentNamesAreUnique(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	rule := map[string]any{"trait": field("tier", "EQ", "gold")}
	vip := createSegment(t, s, tok, "VIP", rule)
	other := createSegment(t, s, tok, "Others", rule)
	r := s.Do(t, tok, createSegmentQ, map[string]any{"in": map[string]any{"name": " vip ", "rule": rule}})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" {
		t.Errorf("second VIP: %+v; want CONFLICT", r.Errors)
	}
	r = s.Do(t, tok, updateSegmentQ, map[string]any{"id": other, "in": map[string]any{"name": "VIP", "rule": rule}})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" {
		t.Errorf("renaming to VIP: %+v; want CONFLICT", r.Errors)
	}
	s.MustDo(t, tok, updateSegmentQ, map[string]any{"id": vip, "in": map[string]any{"name": "VIP", "rule": rule}})
	if got := Str(s.MustDo(t, tok, `{ segments { name } }`, nil), "segments"); got != `[{"name":"VIP"},{"name":"Others"}]` && got != `[{"name":"Others"},{"name":"VIP"}]` {
		t.Errorf("segments = %s", got)
	}
	createSegment(t, s, Token(t, "globex"), "VIP", rule) // another workspace's names are its own
}
