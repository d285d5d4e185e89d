package server_test

import (
	"fmt"
	"testing"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestThousandEventsForOneCustomerInOneCall used to hang the embedded store
// for good: the call completes, counts every event, and the server answers.
func TestThousandEventsForOneCustomerInOneCall(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	var batch []any
	for i := range 1000 {
		batch = append(batch, map[string]any{"messageId": fmt.Sprintf("m%d", i), "type": "page_view",
			"identities": ids("email", "bulk@x.com")})
	}
	if got := Str(s.MustDo(t, tok, trackQ, map[string]any{"ev": batch}), "trackEvents", "accepted"); got != "1000" {
		t.Fatalf("accepted %s, want 1000", got)
	}
	p := s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "bulk@x.com") { computed { eventCount } events { totalCount } } }`, nil)
	if Str(p, "profileByIdentity", "computed", "eventCount") != "1000" || Str(p, "profileByIdentity", "events", "totalCount") != "1000" {
		t.Errorf("profile after 1,000 events: %v", p)
	}
}

// TestMergeOfProfileWithThousandIdentifiers merges a profile holding 1,000
// device ids into another: it completes, and every device id follows.
func TestMergeOfProfileWithThousandIdentifiers(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	for chunk := range 20 {
		var pairs []string
		for k := range 49 {
			pairs = append(pairs, "device_id", fmt.Sprintf("d-%d-%d", chunk, k))
		}
		pairs = append(pairs, "anonymous_id", "many") // 20 x 49 + ... ties the chunks to one profile
		s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids(pairs...)}})
	}
	var pairs []string
	for k := range 20 {
		pairs = append(pairs, "device_id", fmt.Sprintf("extra-%d", k))
	}
	s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids(append(pairs, "anonymous_id", "many")...)}})
	s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "other@x.com")}})
	r := s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "other@x.com", "anonymous_id", "many")}})
	if got := len(Get(r, "identify", "mergedProfileIds").([]any)); got != 1 {
		t.Fatalf("mergedProfileIds has %d ids, want 1: %v", got, r)
	}
	survivor := Str(r, "identify", "profile", "id")
	for _, dev := range []string{"d-0-0", "d-19-48", "extra-19"} {
		got := Str(s.MustDo(t, tok, whoQ, map[string]any{"t": "device_id", "v": dev}), "profileByIdentity", "id")
		if got != survivor {
			t.Errorf("device %s resolves to %q, want the survivor %s", dev, got, survivor)
		}
	}
}

// TestSixteenClientsHundredBatchesEach has 16 clients send 100 batches each
// at once, over shared customers: every batch completes, every event is
// counted once, and the server still answers.
func TestSixteenClientsHundredBatchesEach(t *testing.T) {
	const clients, batches, customers = 16, 100, 8
	if testing.Short() {
		t.Skip("1,600 requests")
	}
	s := Start(t)
	tok := Token(t, "acme")
	var reqs []concReq
	for c := range clients {
		for b := range batches {
			var evs []any
			for k := range 3 {
				evs = append(evs, map[string]any{"messageId": fmt.Sprintf("c%d-b%d-%d", c, b, k), "type": "page_view",
					"identities": ids("email", fmt.Sprintf("cust%d@x.com", (c+b+k)%customers))})
			}
			reqs = append(reqs, concReq{name: fmt.Sprintf("c%d/b%d", c, b), query: trackQ, vars: map[string]any{"ev": evs}})
		}
	}
	fireLimited(t, s, tok, reqs, clients)
	total := 0
	for c := range customers {
		p := s.MustDo(t, tok, `query($v: String!) { profileByIdentity(type: "email", value: $v) { computed { eventCount } events { totalCount } } }`,
			map[string]any{"v": fmt.Sprintf("cust%d@x.com", c)})
		n, stored := Str(p, "profileByIdentity", "computed", "eventCount"), Str(p, "profileByIdentity", "events", "totalCount")
		if n != stored {
			t.Errorf("customer %d: eventCount %s, stored %s", c, n, stored)
		}
		var k int
		fmt.Sscan(stored, &k)
		total += k
	}
	if total != clients*batches*3 {
		t.Errorf("%d events counted, want %d", total, clients*batches*3)
	}
}
