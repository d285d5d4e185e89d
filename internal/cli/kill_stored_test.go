package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const storedQ = `mutation($ev: [EventInput!]!) { trackEvents(events: $ev, wait: STORED) { accepted duplicates errors { index code message } } }`

// send posts an operation with variables and returns the decoded answer
// (numbers as json.Number), or an error when the process did not answer.
func (c *child) send(query string, vars map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode (status %d): %w", resp.StatusCode, err)
	}
	return out, nil
}

// field walks a decoded answer by keys and returns the value as text.
func field(v any, keys ...string) string {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// storeAll sends the batches with STORED from n clients at once, retrying
// UNAVAILABLE as told, and returns each answer's duplicates ("" when the
// batch failed otherwise).
func storeAll(t *testing.T, c *child, batches [][]any, n int) []string {
	t.Helper()
	dups := make([]string, len(batches))
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := w; b < len(batches); b += n {
				r, err := c.send(storedQ, map[string]any{"ev": batches[b]})
				for tries := 0; err == nil && unavailable(r) && tries < 100; tries++ {
					time.Sleep(100 * time.Millisecond)
					r, err = c.send(storedQ, map[string]any{"ev": batches[b]})
				}
				if err == nil && field(r, "errors") == "" && field(r, "data", "trackEvents", "errors") == "[]" {
					dups[b] = field(r, "data", "trackEvents", "duplicates")
				} else {
					t.Logf("batch %d: %v %v", b, r, err)
				}
			}
		}()
	}
	wg.Wait()
	return dups
}

// unavailable reports an answer refused with UNAVAILABLE (to be retried).
func unavailable(r map[string]any) bool {
	errs, _ := r["errors"].([]any)
	return len(errs) > 0 && field(errs[0], "extensions", "code") == "UNAVAILABLE"
}

// TestKill9DuringStoredBurstLosesNothingAndCountsOnce kills the real command
// with SIGKILL while 8 clients send STORED batches of 100 events over 20
// customers (half of them unknown until the fold creates them), restarts
// it on the same data and sends every batch again. Every batch acknowledged
// before the kill is all duplicates (it was durably stored), and once the
// fold catches up each customer counts exactly the distinct messageIds
// sent for it, on one profile per customer.
func TestKill9DuringStoredBurstLosesNothingAndCountsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the real command around 20,000 events")
	}
	const clients, batches, size, customers = 8, 200, 100, 20
	dir := t.TempDir()
	a := startChild(t, dir)
	for i := range customers / 2 {
		a.do(fmt.Sprintf(`mutation { identify(input: {identities: [{type: "email", value: "k%d@x.com"}]}) { created } }`, i))
	}
	all, sent := make([][]any, batches), make([]int, customers)
	for b := range all {
		for k := range size {
			i := (b + k) % customers
			all[b] = append(all[b], map[string]any{"messageId": fmt.Sprintf("b%d-%d", b, k), "type": "order", "channel": "web",
				"identities": []any{map[string]any{"type": "email", "value": fmt.Sprintf("k%d@x.com", i)}}})
			sent[i]++
		}
	}

	acked := make([]bool, batches)
	var n atomic.Int32
	killAt, killed := int32(batches/3), make(chan struct{})
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := w; b < batches; b += clients {
				r, err := a.send(storedQ, map[string]any{"ev": all[b]})
				if err != nil {
					return // killed
				}
				if field(r, "data", "trackEvents", "accepted") == fmt.Sprint(size) {
					acked[b] = true
					if n.Add(1) == killAt {
						close(killed)
					}
				}
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-killed: // a third acknowledged, the rest in flight
	case <-finished:
		t.Fatalf("the burst ended with %d batches acknowledged, want %d before the kill", n.Load(), killAt)
	}
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	wg.Wait()
	_ = a.cmd.Wait()

	b := startChild(t, dir)
	var again, rest [][]any
	for i, ok := range acked {
		if ok {
			again = append(again, all[i])
		} else {
			rest = append(rest, all[i])
		}
	}
	t.Logf("%d of %d batches acknowledged before the kill", len(again), batches)
	for i, d := range storeAll(t, b, again, clients) {
		if d != fmt.Sprint(size) {
			t.Errorf("acknowledged batch %d sent again after the kill: %q duplicates, want %d (lost?)", i, d, size)
		}
	}
	for i, d := range storeAll(t, b, rest, clients) {
		if d == "" {
			t.Errorf("unacknowledged batch %d sent again after the kill failed", i)
		}
	}
	waitChildFolded(t, b)
	for i := range customers {
		q := fmt.Sprintf(`{ profileByIdentity(type: "email", value: "k%d@x.com") { computed { eventCount } } }`, i)
		if got := field(b.do(q), "data", "profileByIdentity", "computed", "eventCount"); got != fmt.Sprint(sent[i]) {
			t.Errorf("customer %d counts %s events, want the %d distinct messageIds sent", i, got, sent[i])
		}
	}
	listed := `{ profileByIdentity(type: "email", value: "k0@x.com") { events(first: 1) { totalCount } } }`
	if got := field(b.do(listed), "data", "profileByIdentity", "events", "totalCount"); got != fmt.Sprint(sent[0]) {
		t.Errorf("customer 0 lists %s events, want %d", got, sent[0])
	}
	if got := field(b.do(`{ profiles { totalCount } }`), "data", "profiles", "totalCount"); got != fmt.Sprint(customers) {
		t.Errorf("%s profiles, want %d", got, customers)
	}
}

// waitChildFolded polls ingestStatus until nothing waits; the deadline is
// only a safety net.
func waitChildFolded(t *testing.T, c *child) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st := c.do(`{ ingestStatus { backlog lagSeconds } }`)
		if field(st, "data", "ingestStatus", "backlog") == "0" && field(st, "data", "ingestStatus", "lagSeconds") == "0" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fold never caught up: %v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
