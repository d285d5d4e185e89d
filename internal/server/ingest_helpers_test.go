package server_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// Operations of the STORED ingest tests.
const (
	storedQ     = `mutation($ev: [EventInput!]!) { trackEvents(events: $ev, wait: STORED) { accepted duplicates errors { index code message } } }`
	appliedQ    = `mutation($ev: [EventInput!]!) { trackEvents(events: $ev, wait: APPLIED) { accepted duplicates errors { index code message } } }`
	statusQ     = `{ ingestStatus { backlog lagSeconds } }`
	eventCountQ = `query($t: String!, $v: String!) { profileByIdentity(type: $t, value: $v) { id computed { eventCount } } }`
	listedQ     = `query($t: String!, $v: String!) { profileByIdentity(type: $t, value: $v) { id computed { eventCount } events { totalCount } } }`
	deleteQ     = `mutation($id: ID!) { deleteProfile(id: $id) { profileId eventsDeleted } }`
)

var errHeld = errors.New("fold held by the test")

// holdFold returns a Fault that fails every fold cycle while the returned
// switch is on (it starts on), so that stored events wait unfolded for as
// long as a test needs. Every other step goes through.
func holdFold() (func(string) error, *atomic.Bool) {
	held := new(atomic.Bool)
	held.Store(true)
	return func(step string) error {
		if step == "fold:cycle" && held.Load() {
			return errHeld
		}
		return nil
	}, held
}

// backlog returns ingestStatus.backlog.
func backlog(t *testing.T, s *Server, tok string) int {
	t.Helper()
	return atoi(t, Str(s.MustDo(t, tok, statusQ, nil), "ingestStatus", "backlog"))
}

// waitFolded polls ingestStatus until nothing waits (backlog and lag 0);
// the deadline is only a safety net against a fold that never catches up.
func waitFolded(t *testing.T, s *Server, tok string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st := s.MustDo(t, tok, statusQ, nil)
		if Str(st, "ingestStatus", "backlog") == "0" && Str(st, "ingestStatus", "lagSeconds") == "0" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fold never caught up: %v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// counted is what a profile reports of its events.
type counted struct {
	id            string
	count, listed int // computed.eventCount, events.totalCount (-1 when not asked)
}

// countsOf reads the eventCount of the profile holding an identifier; id
// is "" when none does. It does not ask for events { totalCount }, which
// scans every stored event on the embedded store.
func countsOf(t *testing.T, s *Server, tok, typ, value string) counted {
	t.Helper()
	return readCounts(t, s, tok, eventCountQ, typ, value)
}

func readCounts(t *testing.T, s *Server, tok, q, typ, value string) counted {
	t.Helper()
	p := Get(s.MustDo(t, tok, q, map[string]any{"t": typ, "v": value}), "profileByIdentity")
	if p == nil {
		return counted{}
	}
	c := counted{id: Str(p, "id"), count: atoi(t, Str(p, "computed", "eventCount")), listed: -1}
	if Get(p, "events") != nil {
		c.listed = atoi(t, Str(p, "events", "totalCount"))
	}
	return c
}

// wantCounts fails the test unless the profile holding the identifier
// counts and lists exactly n events.
func wantCounts(t *testing.T, s *Server, tok, typ, value string, n int) counted {
	t.Helper()
	c := readCounts(t, s, tok, listedQ, typ, value)
	if c.id == "" || c.count != n || c.listed != n {
		t.Errorf("%s %s: profile %q with eventCount %d and %d events listed, want %d and %d", typ, value, c.id, c.count, c.listed, n, n)
	}
	return c
}

// ev is one event for trackEvents' input.
func ev(mid string, pairs ...string) map[string]any {
	return map[string]any{"messageId": mid, "type": "page_view", "channel": "web", "identities": ids(pairs...)}
}

// email returns the e-mail address of customer i of a test.
func email(prefix string, i int) string { return fmt.Sprintf("%s%d@x.com", prefix, i) }

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// mustStore sends a batch with STORED and fails the test unless every event
// is accepted as new.
func mustStore(t *testing.T, s *Server, tok string, batch []any) {
	t.Helper()
	r := s.MustDo(t, tok, storedQ, map[string]any{"ev": batch})
	if got := Str(r, "trackEvents", "accepted"); got != strconv.Itoa(len(batch)) {
		t.Fatalf("STORED batch of %d: %v", len(batch), r)
	}
}
