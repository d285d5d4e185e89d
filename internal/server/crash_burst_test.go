package server_test

import (
	"errors"
	"fmt"
	"testing"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestCrashDuringABurstOfMergesThenImmediateRetries stops every merge of a
// burst at one of its steps, as kill -9 would, then starts a new process on
// the same data and retries every request at once: all succeed, and each
// pair of identifiers ends on one profile.
func TestCrashDuringABurstOfMergesThenImmediateRetries(t *testing.T) {
	const pairs = 30
	steps := []string{"merge:pending", "merge:locked", "merge:moved", "merge:folded"}
	st := Store(t)
	tok := Token(t, "acme")
	a := StartWith(t, Options{Store: st}) // the pairs exist as two profiles each
	var reqs []concReq
	for i := range pairs {
		a.MustDo(t, tok, identifyQ, identifyIn(nil, "line_uid", fmt.Sprintf("U%d", i)))
		a.MustDo(t, tok, identifyQ, identifyIn(nil, "email", fmt.Sprintf("p%d@x.com", i)))
		reqs = append(reqs, concReq{name: fmt.Sprint(i), query: identifyQ,
			vars: identifyIn(map[string]any{"merged": true}, "line_uid", fmt.Sprintf("U%d", i), "email", fmt.Sprintf("p%d@x.com", i))})
	}
	crashed := StartWith(t, Options{Store: st, Fault: func(step string) error {
		for _, s := range steps {
			if s == step {
				return errors.New("killed at " + step)
			}
		}
		return nil
	}})
	for i, r := range reqs { // each dies at a different step
		steps = []string{[]string{"merge:pending", "merge:locked", "merge:moved", "merge:folded"}[i%4]}
		if resp := crashed.Do(t, tok, r.query, r.vars); len(resp.Errors) == 0 {
			t.Fatalf("merge %d did not crash", i)
		}
	}
	b := StartWith(t, Options{Store: st}) // the new process
	fire(t, b, tok, reqs)
	for i := range pairs {
		l := Str(b.MustDo(t, tok, whoQ, map[string]any{"t": "line_uid", "v": fmt.Sprintf("U%d", i)}), "profileByIdentity", "id")
		e := Str(b.MustDo(t, tok, whoQ, map[string]any{"t": "email", "v": fmt.Sprintf("p%d@x.com", i)}), "profileByIdentity", "id")
		if l == "" || l != e {
			t.Errorf("pair %d: line_uid on %q, email on %q, want one profile", i, l, e)
		}
	}
}
