package server_test

import (
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
	"github.com/cdp-dev/cdp/internal/store"
)

const (
	crashByIDQ = `query($t: String!, $v: String!) { profileByIdentity(type: $t, value: $v) { id traits identities { type value }
		computed { eventCount channels } events { totalCount } } }`
	crashProfileQ = `query($id: ID!) { profile(id: $id) { id } }`
	crashHistoryQ = `query($id: ID!) { mergeHistory(profileId: $id) { id survivorId absorbedIds identifiers { type value } undoneAt } }`
)

// startWithFault runs a server on st whose merges, unmerges and erasures stop
// where fault says, as a crash would (servertest.Options has no Fault yet).
func startWithFault(t *testing.T, st *store.Store, fault func(string) error) *Server {
	t.Helper()
	return StartWith(t, Options{Store: st, Fault: fault})
}

// crashAt fails the first call of step; fired tells whether it did.
func crashAt(step string) (fault func(string) error, fired *atomic.Bool) {
	fired = new(atomic.Bool)
	return func(s string) error {
		if s == step && fired.CompareAndSwap(false, true) {
			return errors.New("simulated crash after " + s)
		}
		return nil
	}, fired
}

func identifyIn(traits map[string]any, pairs ...string) map[string]any {
	return map[string]any{"in": map[string]any{"identities": ids(pairs...), "traits": traits}}
}

func trackIn(mid, channel string, pairs ...string) map[string]any {
	return map[string]any{"ev": []any{map[string]any{"messageId": mid, "type": "x", "channel": channel, "identities": ids(pairs...)}}}
}

// seedTwo stores P1 (email, 2 web events) and P2 (line_uid, 1 line event).
func seedTwo(t *testing.T, s *Server, tok string) (p1, p2 string) {
	t.Helper()
	p1 = Str(s.MustDo(t, tok, identifyQ, identifyIn(map[string]any{"name": "A", "x": 1}, "email", "a@x.com")), "identify", "profile", "id")
	s.MustDo(t, tok, trackQ, trackIn("m1", "web", "email", "a@x.com"))
	s.MustDo(t, tok, trackQ, trackIn("m2", "web", "email", "a@x.com"))
	p2 = Str(s.MustDo(t, tok, identifyQ, identifyIn(map[string]any{"tier": "gold"}, "line_uid", "U1")), "identify", "profile", "id")
	s.MustDo(t, tok, trackQ, trackIn("m3", "line", "line_uid", "U1"))
	if p1 == "" || p2 == "" || p1 == p2 {
		t.Fatalf("seed: p1 %q p2 %q", p1, p2)
	}
	return p1, p2
}

func lookup(t *testing.T, s *Server, tok, typ, value string) map[string]any {
	t.Helper()
	p, _ := s.MustDo(t, tok, crashByIDQ, map[string]any{"t": typ, "v": value})["profileByIdentity"].(map[string]any)
	return p
}

// idents returns a profile's identifiers as sorted "type:value" strings.
func idents(p map[string]any) []string {
	var out []string
	list, _ := Get(p, "identities").([]any)
	for _, i := range list {
		out = append(out, Str(i, "type")+":"+Str(i, "value"))
	}
	slices.Sort(out)
	return out
}

func history(t *testing.T, s *Server, tok, id string) []any {
	t.Helper()
	h, _ := s.MustDo(t, tok, crashHistoryQ, map[string]any{"id": id})["mergeHistory"].([]any)
	return h
}

func TestMergeCrashAfterEachStepIsFinishedOnRestart(t *testing.T) {
	for _, step := range []string{"merge:pending", "merge:locked", "merge:moved", "merge:folded", "merge:done"} {
		t.Run(step, func(t *testing.T) {
			st := Store(t)
			tok := Token(t, "acme")
			p1, p2 := seedTwo(t, StartWith(t, Options{Store: st}), tok)

			fault, fired := crashAt(step)
			both := identifyIn(nil, "email", "a@x.com", "line_uid", "U1")
			if r := startWithFault(t, st, fault).Do(t, tok, identifyQ, both); len(r.Errors) == 0 || !fired.Load() {
				t.Fatalf("identify did not crash at %s: fired %v, %+v", step, fired.Load(), r)
			}

			c := StartWith(t, Options{Store: st}) // the restart runs Recover
			check := func(when string) string {
				byEmail, byLine := lookup(t, c, tok, "email", "a@x.com"), lookup(t, c, tok, "line_uid", "U1")
				surv := Str(byEmail, "id")
				if surv == "" || Str(byLine, "id") != surv {
					t.Fatalf("%s: email -> %q, line_uid -> %q", when, surv, Str(byLine, "id"))
				}
				if got := idents(byEmail); !slices.Equal(got, []string{"email:a@x.com", "line_uid:U1"}) {
					t.Errorf("%s: identities = %v", when, got)
				}
				if got := Str(byEmail, "traits"); got != `{"name":"A","tier":"gold","x":1}` {
					t.Errorf("%s: traits = %s", when, got)
				}
				if got := Str(byEmail, "computed"); got != `{"channels":["line","web"],"eventCount":3}` {
					t.Errorf("%s: computed = %s", when, got)
				}
				if got := Str(byEmail, "events", "totalCount"); got != "3" {
					t.Errorf("%s: events.totalCount = %s", when, got)
				}
				h := history(t, c, tok, surv)
				if len(h) != 1 || Str(h, 0, "survivorId") != surv || len(Get(h, 0, "absorbedIds").([]any)) != 1 {
					t.Fatalf("%s: mergeHistory = %v", when, h)
				}
				absorbed := Str(h, 0, "absorbedIds", 0)
				if got, want := []string{surv, absorbed}, []string{p1, p2}; !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
					t.Errorf("%s: survivor+absorbed = %v, want the original %v", when, got, want)
				}
				if got := Str(c.MustDo(t, tok, crashProfileQ, map[string]any{"id": absorbed}), "profile", "id"); got != surv {
					t.Errorf("%s: profile(absorbed) = %q, want the survivor %q", when, got, surv)
				}
				if got := Str(c.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); got != "1" {
					t.Errorf("%s: profiles.totalCount = %s", when, got)
				}
				return surv
			}
			surv := check("after restart")

			// The client retries the request that crashed: nothing new happens.
			d := c.MustDo(t, tok, identifyQ, both)
			if Str(d, "identify", "created") != "false" || Str(d, "identify", "profile", "id") != surv || Str(d, "identify", "mergedProfileIds") != "[]" {
				t.Errorf("retried identify = %v", d)
			}
			if got := check("after retry"); got != surv {
				t.Errorf("survivor changed on retry: %s -> %s", surv, got)
			}
		})
	}
}

func TestEraseCrashIsFinishedOnRestart(t *testing.T) {
	for _, step := range []string{"erase:marked", "erase:identities"} {
		t.Run(step, func(t *testing.T) {
			st := Store(t)
			tok := Token(t, "acme")
			a := StartWith(t, Options{Store: st})
			p1, p2 := seedTwo(t, a, tok)
			surv := Str(a.MustDo(t, tok, identifyQ, identifyIn(nil, "email", "a@x.com", "line_uid", "U1")), "identify", "profile", "id")

			fault, fired := crashAt(step)
			del := `mutation($id: ID!) { deleteProfile(id: $id) { profileId } }`
			if r := startWithFault(t, st, fault).Do(t, tok, del, map[string]any{"id": surv}); len(r.Errors) == 0 || !fired.Load() {
				t.Fatalf("deleteProfile did not crash at %s: fired %v, %+v", step, fired.Load(), r)
			}

			c := StartWith(t, Options{Store: st})
			if p := lookup(t, c, tok, "email", "a@x.com"); p != nil {
				t.Errorf("email still resolves to %v", p)
			}
			if p := lookup(t, c, tok, "line_uid", "U1"); p != nil {
				t.Errorf("line_uid still resolves to %v", p)
			}
			for _, id := range []string{p1, p2} {
				if p := Get(c.MustDo(t, tok, crashProfileQ, map[string]any{"id": id}), "profile"); p != nil {
					t.Errorf("profile(%s) = %v", id, p)
				}
			}
			if got := Str(c.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); got != "0" {
				t.Errorf("profiles.totalCount = %s", got)
			}
			if h := history(t, c, tok, surv); len(h) != 1 || Str(h, 0, "identifiers") != "[]" {
				t.Errorf("merge record not scrubbed: %v", h)
			}
			d := c.MustDo(t, tok, identifyQ, identifyIn(nil, "email", "a@x.com"))
			id := Str(d, "identify", "profile", "id")
			if Str(d, "identify", "created") != "true" || id == p1 || id == p2 || Str(d, "identify", "profile", "computed", "eventCount") != "0" {
				t.Errorf("identify after erasure = %v", d)
			}
			if p := lookup(t, c, tok, "email", "a@x.com"); Str(p, "id") != id || Str(p, "events", "totalCount") != "0" || Str(p, "traits") != "{}" {
				t.Errorf("fresh profile = %v", p)
			}
		})
	}
}

func TestUnmergeCrashIsFinishedOnRestart(t *testing.T) {
	st := Store(t)
	tok := Token(t, "acme")
	a := StartWith(t, Options{Store: st})
	p1, p2 := seedTwo(t, a, tok)
	surv := Str(a.MustDo(t, tok, identifyQ, identifyIn(nil, "email", "a@x.com", "line_uid", "U1")), "identify", "profile", "id")
	mergeID := Str(history(t, a, tok, surv), 0, "id")

	fault, fired := crashAt("unmerge:restored")
	um := `mutation($m: ID!) { unmergeProfile(mergeId: $m) { id } }`
	if r := startWithFault(t, st, fault).Do(t, tok, um, map[string]any{"m": mergeID}); len(r.Errors) == 0 || !fired.Load() {
		t.Fatalf("unmergeProfile did not crash: fired %v, %+v", fired.Load(), r)
	}

	c := StartWith(t, Options{Store: st})
	for _, tc := range []struct{ typ, value, id, traits, computed, events string }{
		{"email", "a@x.com", p1, `{"name":"A","x":1}`, `{"channels":["web"],"eventCount":2}`, "2"},
		{"line_uid", "U1", p2, `{"tier":"gold"}`, `{"channels":["line"],"eventCount":1}`, "1"},
	} {
		p := lookup(t, c, tok, tc.typ, tc.value)
		if Str(p, "id") != tc.id {
			t.Errorf("%s resolves to %q, want %q", tc.typ, Str(p, "id"), tc.id)
			continue
		}
		if got := idents(p); !slices.Equal(got, []string{tc.typ + ":" + tc.value}) {
			t.Errorf("%s: identities = %v", tc.id, got)
		}
		if Str(p, "traits") != tc.traits || Str(p, "computed") != tc.computed || Str(p, "events", "totalCount") != tc.events {
			t.Errorf("%s: traits %s computed %s events %s", tc.id, Str(p, "traits"), Str(p, "computed"), Str(p, "events", "totalCount"))
		}
		if got := Str(c.MustDo(t, tok, crashProfileQ, map[string]any{"id": tc.id}), "profile", "id"); got != tc.id {
			t.Errorf("profile(%s) = %q", tc.id, got)
		}
	}
	if got := Str(c.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); got != "2" {
		t.Errorf("profiles.totalCount = %s", got)
	}
	if h := history(t, c, tok, surv); len(h) != 1 || Str(h, 0, "undoneAt") == "" {
		t.Errorf("mergeHistory after restart = %v", h)
	}
}
