package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// fire sends every request at once and fails the test on any error.
func fire(t *testing.T, s *Server, tok string, reqs []concReq) {
	t.Helper()
	fireLimited(t, s, tok, reqs, len(reqs))
}

// fireLimited sends the requests from n clients at once, each sending its
// share one after the other, and fails the test on any error. Like a client
// told to, it retries a request that answers UNAVAILABLE (a profile stayed
// busy with a merge longer than the server waits, as under -race).
func fireLimited(t *testing.T, s *Server, tok string, reqs []concReq, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // safety net only
	defer cancel()
	start := make(chan struct{})
	errs := make([]string, len(reqs))
	var wg sync.WaitGroup
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := c; i < len(reqs); i += n {
				r := reqs[i]
				resp, err := post(ctx, s.URL, tok, r.query, r.vars)
				for tries := 0; err == nil && tries < 30 && slices.Contains(failure(resp), "UNAVAILABLE"); tries++ {
					time.Sleep(200 * time.Millisecond)
					resp, err = post(ctx, s.URL, tok, r.query, r.vars)
				}
				if err != nil {
					errs[i] = fmt.Sprintf("%s: %v", r.name, err)
				} else if codes := failure(resp); codes != nil {
					errs[i] = fmt.Sprintf("%s: %v %+v", r.name, codes, resp.Errors)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
}

const whoQ = `query($t: String!, $v: String!) { profileByIdentity(type: $t, value: $v) { id traits identities { type value } } }`

// TestSimilarMemberIDsRacingNeverResolveToEachOther races, 60 times, two
// members whose ids differ by one character and who share an e-mail. A
// member id always resolves to the profile holding it, with that member's
// traits, never to the other member.
func TestSimilarMemberIDsRacingNeverResolveToEachOther(t *testing.T) {
	const races = 60
	s := Start(t)
	tok := Token(t, "acme")
	var reqs []concReq
	for i := range races {
		mail := fmt.Sprintf("family%d@x.com", i)
		for _, m := range []string{fmt.Sprintf("ARM%d", i), fmt.Sprintf("ARM%d2", i)} {
			reqs = append(reqs, concReq{name: m, query: identifyQ, vars: map[string]any{"in": map[string]any{
				"identities": ids("member_id", m, "email", mail), "traits": map[string]any{"who": m}}}})
		}
	}
	fire(t, s, tok, reqs)
	for i := range races {
		for _, m := range []string{fmt.Sprintf("ARM%d", i), fmt.Sprintf("ARM%d2", i)} {
			p := Get(s.MustDo(t, tok, whoQ, map[string]any{"t": "member_id", "v": m}), "profileByIdentity")
			if got := Str(p, "traits", "who"); got != m {
				t.Errorf("member %s resolves to a profile with traits.who %q", m, got)
			}
			members := 0
			for _, it := range Get(p, "identities").([]any) {
				if Str(it, "type") == "member_id" {
					members++
				}
			}
			if members != 1 {
				t.Errorf("member %s resolves to a profile holding %d member ids: %s", m, members, Str(p, "identities"))
			}
		}
	}
}

// TestManyThreadsLinkingFragmentsToOneAnchorEndOnOneProfile links 120
// device ids (10 senders' worth) to one e-mail in 120 requests at once:
// every device id ends on the e-mail's profile, and only that profile exists.
func TestManyThreadsLinkingFragmentsToOneAnchorEndOnOneProfile(t *testing.T) {
	const threads, each = 10, 12
	s := Start(t)
	tok := Token(t, "acme")
	var reqs []concReq
	for th := range threads {
		for k := range each {
			dev := fmt.Sprintf("dev-%d-%d", th, k)
			reqs = append(reqs, concReq{name: dev, query: identifyQ, vars: map[string]any{"in": map[string]any{
				"identities": ids("email", "anchor@x.com", "device_id", dev)}}})
		}
	}
	fire(t, s, tok, reqs)
	anchor := Str(s.MustDo(t, tok, whoQ, map[string]any{"t": "email", "v": "anchor@x.com"}), "profileByIdentity", "id")
	for _, r := range reqs {
		dev := r.name
		if got := Str(s.MustDo(t, tok, whoQ, map[string]any{"t": "device_id", "v": dev}), "profileByIdentity", "id"); got != anchor {
			t.Errorf("device %s resolves to %q, want the anchor's profile %s", dev, got, anchor)
		}
	}
	if got := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); got != "1" {
		t.Errorf("profiles.totalCount = %s, want 1", got)
	}
	p := s.MustDo(t, tok, whoQ, map[string]any{"t": "email", "v": "anchor@x.com"})
	if n := strings.Count(Str(p, "profileByIdentity", "identities"), "device_id"); n != threads*each {
		t.Errorf("the anchor's profile lists %d device ids, want %d", n, threads*each)
	}
}

// TestDuplicateDeliveriesRacingMergesCountOnce sends the same batch twice
// while its customer merges with another profile, 20 times: every profile's
// computed event count equals its stored events.
func TestDuplicateDeliveriesRacingMergesCountOnce(t *testing.T) {
	const customers, events = 20, 5
	s := Start(t)
	tok := Token(t, "acme")
	var reqs []concReq
	for c := range customers {
		anon, mail := fmt.Sprintf("anon-%d", c), fmt.Sprintf("c%d@x.com", c)
		s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("anonymous_id", anon)}})
		s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", mail)}})
		var batch []any
		for e := range events {
			batch = append(batch, map[string]any{"messageId": fmt.Sprintf("m-%d-%d", c, e), "type": "page_view",
				"identities": ids("anonymous_id", anon)})
		}
		for d := range 2 {
			reqs = append(reqs, concReq{name: fmt.Sprintf("%s/delivery%d", anon, d), query: trackQ, vars: map[string]any{"ev": batch}})
		}
		reqs = append(reqs, concReq{name: anon + "/merge", query: identifyQ, vars: map[string]any{"in": map[string]any{
			"identities": ids("anonymous_id", anon, "email", mail)}}})
	}
	fire(t, s, tok, reqs)
	for c := range customers {
		p := Get(s.MustDo(t, tok, `query($v: String!) { profileByIdentity(type: "email", value: $v) {
			computed { eventCount } events { totalCount } } }`, map[string]any{"v": fmt.Sprintf("c%d@x.com", c)}), "profileByIdentity")
		if got, stored := Str(p, "computed", "eventCount"), Str(p, "events", "totalCount"); got != stored || stored != fmt.Sprint(events) {
			t.Errorf("customer %d: eventCount %s, stored events %s, want %d and %d", c, got, stored, events, events)
		}
	}
}
