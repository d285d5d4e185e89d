package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cdp-dev/cdp/internal/event"
)

// TestConcurrentInsertsOfTheSameEventsStoreEachOnce races unordered inserts
// of overlapping events: each event must be reported stored by exactly one
// of them (the others report a duplicate), as group commits rely on.
func TestConcurrentInsertsOfTheSameEventsStoreEachOnce(t *testing.T) {
	st, ctx := open(t)
	const writers, rounds, size = 4, 20, 50
	for r := range rounds {
		stored := make([]int, size)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				evs := make([]*event.Event, size)
				for i := range evs {
					evs[i] = ev("acme", fmt.Sprintf("r%d-m%d", r, i), "p", "view", "web", i)
					evs[i].Batch = fmt.Sprintf("w%d", w)
				}
				dup, err := st.Events().Insert(ctx, evs)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for i, d := range dup {
					if !d {
						stored[i]++
					}
				}
			}()
		}
		wg.Wait()
		for i, n := range stored {
			if n != 1 {
				t.Fatalf("round %d: event %d reported stored by %d inserts, want 1", r, i, n)
			}
		}
	}
}
