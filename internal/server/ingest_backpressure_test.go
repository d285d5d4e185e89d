package server_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/config"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestFullBacklogRefusesWithRetryAfterAndLosesNothing bounds the backlog to
// 100 events with a 50 ms wait and holds the fold: STORED batches of 50
// are accepted until the backlog is full, then refused with UNAVAILABLE and
// a retryAfter of at least a second, and a refused batch stores nothing.
// Once the fold is released, the refused batches are retried until
// accepted, and every event is counted exactly once.
func TestFullBacklogRefusesWithRetryAfterAndLosesNothing(t *testing.T) {
	const size, customers, refusals = 50, 5, 3
	fault, held := holdFold()
	s := StartWith(t, Options{Fault: fault, Config: func(c *config.Config) {
		c.IngestBacklog, c.IngestWait = 100, 50*time.Millisecond
	}})
	tok := Token(t, "acme")
	batch := func(b int) []any {
		var evs []any
		for k := range size {
			evs = append(evs, ev(fmt.Sprintf("b%d-%d", b, k), "email", email("bp", k%customers)))
		}
		return evs
	}
	var refused [][]any
	accepted := 0
	for b := 0; len(refused) < refusals; b++ {
		if b > 20 {
			t.Fatalf("%d batches of %d accepted into a backlog of 100: nothing was refused", accepted, size)
		}
		evs := batch(b)
		r := s.Do(t, tok, storedQ, map[string]any{"ev": evs})
		if len(r.Errors) == 0 {
			if len(refused) > 0 {
				t.Fatalf("batch %d accepted after a refusal while the fold is held: %+v", b, r.Data)
			}
			accepted++
			continue
		}
		refused = append(refused, evs)
		e := r.Errors[0]
		retry, isNum := e.Extensions["retryAfter"].(json.Number)
		secs, err := retry.Int64()
		if e.Code() != "UNAVAILABLE" || !isNum || err != nil || secs < 1 {
			t.Fatalf("refusal of batch %d: %+v, want UNAVAILABLE with a numeric retryAfter >= 1", b, r.Errors)
		}
	}
	if accepted != 2 {
		t.Errorf("%d batches of %d accepted before the first refusal, want 2 (a backlog of 100)", accepted, size)
	}
	if n := backlog(t, s, tok); n != accepted*size {
		t.Errorf("backlog %d while held, want %d: a refused batch was stored", n, accepted*size)
	}

	held.Store(false)
	for _, evs := range refused { // as a client told to retry would, without waiting out retryAfter
		deadline := time.Now().Add(time.Minute) // safety net only
		for {
			r := s.Do(t, tok, storedQ, map[string]any{"ev": evs})
			if len(r.Errors) == 0 {
				if Str(r.Data, "trackEvents", "accepted") != strconv.Itoa(size) {
					t.Errorf("retried batch: %v, want %d accepted", r.Data, size)
				}
				break
			}
			if r.Errors[0].Code() != "UNAVAILABLE" || time.Now().After(deadline) {
				t.Fatalf("retried batch: %+v", r.Errors)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFolded(t, s, tok)
	total := (accepted + refusals) * size
	for i := range customers {
		wantCounts(t, s, tok, "email", email("bp", i), total/customers)
	}
}
