package server_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/config"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// TestRestartFoldsTheBacklogAtStart stores STORED batches with the fold
// held (for known customers and for new ones), stops the server with them
// unfolded, and starts a second one on the same store: by the time it
// serves, recovery has folded everything, each customer counting exactly
// its events. Every batch sent again is all duplicates and changes no
// count.
func TestRestartFoldsTheBacklogAtStart(t *testing.T) {
	const batches, size, customers, known = 8, 40, 5, 2
	fault, _ := holdFold()
	first := StartWith(t, Options{Fault: fault})
	tok := Token(t, "acme")
	for i := range known {
		first.MustDo(t, tok, identifyQ, identifyIn(nil, "email", email("r", i)))
	}
	var sent [][]any
	for b := range batches {
		var evs []any
		for k := range size {
			evs = append(evs, ev(fmt.Sprintf("b%d-%d", b, k), "email", email("r", k%customers)))
		}
		mustStore(t, first, tok, evs)
		sent = append(sent, evs)
	}
	if n := backlog(t, first, tok); n != batches*size {
		t.Fatalf("backlog %d before the stop, want %d", n, batches*size)
	}
	first.App.Close()

	second := StartWith(t, Options{Store: first.Store})
	if n := backlog(t, second, tok); n != 0 {
		t.Errorf("backlog %d once the restarted server serves, want 0", n)
	}
	for i := range customers {
		wantCounts(t, second, tok, "email", email("r", i), batches*size/customers)
	}
	for _, evs := range sent {
		r := second.MustDo(t, tok, storedQ, map[string]any{"ev": evs})
		if Str(r, "trackEvents", "duplicates") != strconv.Itoa(size) {
			t.Errorf("a batch sent again after the restart: %v, want %d duplicates", r, size)
		}
	}
	waitFolded(t, second, tok)
	for i := range customers {
		wantCounts(t, second, tok, "email", email("r", i), batches*size/customers)
	}
	if got := Str(second.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); got != strconv.Itoa(customers) {
		t.Errorf("%s profiles, want %d", got, customers)
	}
}

// TestRecoveredBacklogIsReportedWhileItWaits restarts a server whose
// store holds unfolded batches, with its fold held so that recovery cannot
// finish: start-up gives up waiting after its bound (a minute) and serves.
// The recovered events still wait, so ingestStatus must count them as
// backlog, and with a bound of 100 events a further batch must be refused;
// once the fold is released every event is counted once.
func TestRecoveredBacklogIsReportedWhileItWaits(t *testing.T) {
	const batches, size = 2, 50
	if testing.Short() {
		t.Skip("start-up waits a minute for the held recovery")
	}
	fault, _ := holdFold()
	first := StartWith(t, Options{Fault: fault})
	tok := Token(t, "acme")
	for b := range batches {
		var evs []any
		for k := range size {
			evs = append(evs, ev(fmt.Sprintf("b%d-%d", b, k), "email", "rec@x.com"))
		}
		mustStore(t, first, tok, evs)
	}
	first.App.Close()

	fault, held := holdFold()
	second := StartWith(t, Options{Store: first.Store, Fault: fault, Config: func(c *config.Config) {
		c.IngestBacklog, c.IngestWait = batches*size, 50*time.Millisecond
	}})
	if st := Get(second.MustDo(t, tok, statusQ, nil), "ingestStatus"); Str(st, "backlog") != strconv.Itoa(batches*size) {
		t.Errorf("ingestStatus %v while %d recovered events wait, want them as backlog", st, batches*size)
	}
	total := batches * size
	r := second.Do(t, tok, storedQ, map[string]any{"ev": []any{ev("over", "email", "rec@x.com")}})
	if len(r.Errors) == 0 {
		t.Errorf("a backlog bound of %d full of recovered events admitted one more: %v", batches*size, r.Data)
		total++
	}
	held.Store(false)
	waitFolded(t, second, tok)
	wantCounts(t, second, tok, "email", "rec@x.com", total)
}
