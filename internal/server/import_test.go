package server_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/imports"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// An events file: 2,500 good events over 25 customers (3 chunks), with bad
// lines in between.
const importCustomers = 25

func eventRow(i int) string {
	return fmt.Sprintf(`{"messageId":"m%d","type":"order","channel":"web","identities":[{"type":"email","value":"c%d@x.com"}],`+
		`"properties":{"n":%d},"timestamp":"2025-03-01T10:00:00Z"}`, i, i%importCustomers, i)
}

// badRows are the bad lines of the events file, each with what its reason
// must say and a value it must not quote.
var badRows = []struct{ line, says, secret string }{
	{`{"messageId":"secret-1","type":"order",`, "invalid JSON", "secret-1"},
	{`{"type":"order","identities":[{"type":"email","value":"secret@x.com"}]}`, "messageId", "secret@x.com"},
	{`{"messageId":"m-dollar","type":"order","identities":[{"type":"email","value":"c1@x.com"}],"properties":{"$set":"secret"}}`, "properties", "secret\""},
	{`{"messageId":"m-long","type":"order","identities":[{"type":"email","value":"c1@x.com"}],"properties":{"pad":"` +
		strings.Repeat("s", 1<<20) + `"}}`, "longer than", "sss"},
	{`{"messageId":"m-unknown","type":"order","identities":[{"type":"email","value":"c1@x.com"}],"colour":"secret"}`, `unknown field "colour"`, "secret"},
	{`{"messageId":"m-email","type":"order","identities":[{"type":"email","value":"secret-not-an-email"}]}`, "invalid email", "secret-not-an-email"},
}

// eventsFile returns the file, the line numbers of its bad rows (in the
// order of badRows), and how many good events it holds.
func eventsFile() (string, []int, int) {
	var lines []string
	var bad []int
	good := 0
	for i := range imports.ChunkRows * 5 / 2 { // three chunks
		if i%400 == 7 && len(bad) < len(badRows) {
			lines = append(lines, badRows[len(bad)].line)
			bad = append(bad, len(lines))
		}
		if i == 1200 {
			lines = append(lines, "", "  ") // blank lines are not rows
		}
		lines = append(lines, eventRow(i))
		good++
	}
	return strings.Join(lines, "\n") + "\n", bad, good
}

func TestImportEventsRejectsBadLinesAndRerunChangesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of rows: slow under the race detector")
	}
	s := Start(t)
	tok := Token(t, "acme")
	file, bad, good := eventsFile()
	job := s.Import(t, tok, "events", strings.NewReader(file), "")
	checkJob(t, job, "DONE", good+len(bad), good, 0, good, len(bad))
	rej := Get(job, "rejections").([]any)
	for i, b := range badRows {
		r := Get(rej, i)
		if Str(r, "line") != fmt.Sprint(bad[i]) || !strings.Contains(Str(r, "reason"), b.says) || strings.Contains(Str(r, "reason"), b.secret) {
			t.Errorf("rejection %d = %v, want line %d saying %q without the value", i, r, bad[i], b.says)
		}
	}
	if len(rej) != len(badRows) {
		t.Errorf("%d rejections listed, want %d", len(rej), len(badRows))
	}
	checkEventCounts(t, s, tok, good/importCustomers)

	again := s.Import(t, tok, "events", strings.NewReader(file), "")
	checkJob(t, again, "DONE", good+len(bad), 0, good, 0, len(bad))
	checkEventCounts(t, s, tok, good/importCustomers)
}

// checkJob compares a job's status and counters.
func checkJob(t *testing.T, job map[string]any, status string, read, stored, dup, folded, rejected int) {
	t.Helper()
	got := fmt.Sprintln(Str(job, "status"), Str(job, "rowsRead"), Str(job, "rowsStored"), Str(job, "rowsDuplicate"),
		Str(job, "rowsFolded"), Str(job, "rowsRejected"))
	if want := fmt.Sprintln(status, read, stored, dup, folded, rejected); got != want {
		t.Errorf("job status read stored duplicate folded rejected = %s, want %s", got, want)
	}
	if status == "DONE" && Str(job, "finishedAt") == "" {
		t.Errorf("a finished job without finishedAt: %v", job)
	}
}

// checkEventCounts checks that every customer of the events file has each
// event counted once, and (for one of them, as counting is slow on the
// embedded store) stored once.
func checkEventCounts(t *testing.T, s *Server, tok string, each int) {
	t.Helper()
	d := s.MustDo(t, tok, `{ profiles(first: 100) { totalCount edges { node { computed { eventCount } } } } }`, nil)
	if n := Str(d, "profiles", "totalCount"); n != fmt.Sprint(importCustomers) {
		t.Fatalf("%s profiles, want %d", n, importCustomers)
	}
	for _, e := range Get(d, "profiles", "edges").([]any) {
		if c := Str(e, "node", "computed", "eventCount"); c != fmt.Sprint(each) {
			t.Fatalf("a customer has eventCount %s, want %d", c, each)
		}
	}
	p := s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "c3@x.com") { events { totalCount } } }`, nil)
	if n := Str(p, "profileByIdentity", "events", "totalCount"); n != fmt.Sprint(each) {
		t.Fatalf("customer 3 has %s events stored, want %d", n, each)
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportGzipBodies(t *testing.T) {
	s := Start(t)
	tok := Token(t, "acme")
	var rows []string
	for i := range 200 {
		rows = append(rows, eventRow(i))
	}
	file := strings.Join(rows, "\n")
	job := s.Import(t, tok, "events", bytes.NewReader(gzipped(t, file)), "gzip")
	checkJob(t, job, "DONE", 200, 200, 0, 200, 0)
	// Without the header, gzip is known by its magic bytes.
	job = s.Import(t, tok, "events", bytes.NewReader(gzipped(t, file)), "")
	checkJob(t, job, "DONE", 200, 0, 200, 0, 0)
	checkEventCounts(t, s, tok, 200/importCustomers)
}

func TestImportProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of rows: slow under the race detector")
	}
	s := Start(t)
	tok := Token(t, "acme", auth.ScopeProfilesWrite, auth.ScopeProfilesRead)
	var lines []string
	for i := range 150 { // 50 customers, each in three rows: CRM id, then email, then both
		c := i % 50
		switch i / 50 {
		case 0:
			lines = append(lines, fmt.Sprintf(`{"identities":[{"type":"crm_id","value":"C%d"}],"traits":{"tier":"gold","n":%d},"source":"crm"}`, c, c))
		case 1:
			lines = append(lines, fmt.Sprintf(`{"identities":[{"type":"email","value":"p%d@x.com"}],"traits":{"city":"Bangkok"}}`, c))
		default:
			lines = append(lines, fmt.Sprintf(`{"identities":[{"type":"crm_id","value":"C%d"},{"type":"email","value":"p%d@x.com"}],`+
				`"timestamp":"2025-03-01T10:00:00Z"}`, c, c))
		}
	}
	lines = append(lines, `{"identities":[{"type":"crm_id","value":"C1"}],"messageId":"secret"}`)
	file := strings.Join(lines, "\n") + "\n"
	job := s.Import(t, tok, "profiles", strings.NewReader(file), "")
	checkJob(t, job, "DONE", 151, 150, 0, 150, 1)
	if r := Get(job, "rejections", 0); Str(r, "line") != "151" || Str(r, "reason") != `unknown field "messageId"` {
		t.Errorf("rejection = %v", r)
	}
	checkProfiles(t, s, tok)

	job = s.Import(t, tok, "profiles", strings.NewReader(file), "") // a rerun applies the same rows: nothing changes
	checkJob(t, job, "DONE", 151, 150, 0, 150, 1)
	checkProfiles(t, s, tok)
}

func checkProfiles(t *testing.T, s *Server, tok string) {
	t.Helper()
	if n := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); n != "50" {
		t.Fatalf("%s profiles, want 50", n)
	}
	p := s.MustDo(t, tok, `{ profileByIdentity(type: "email", value: "p7@x.com") { traits identities { type } } }`, nil)
	if Str(p, "profileByIdentity", "traits") != `{"city":"Bangkok","n":7,"tier":"gold"}` || len(Get(p, "profileByIdentity", "identities").([]any)) != 2 {
		t.Errorf("customer 7 = %v", p)
	}
}

func TestImportAuthorization(t *testing.T) {
	s := Start(t)
	events := Token(t, "acme", auth.ScopeEventsWrite)
	profiles := Token(t, "acme", auth.ScopeProfilesWrite)
	row := eventRow(1)
	for _, c := range []struct {
		name, token, kind, code string
		status                  int
	}{
		{"no token", "", "events", "UNAUTHENTICATED", http.StatusUnauthorized},
		{"bad token", "a.b.c", "profiles", "UNAUTHENTICATED", http.StatusUnauthorized},
		{"events with profiles:write", profiles, "events", "FORBIDDEN", http.StatusForbidden},
		{"profiles with events:write", events, "profiles", "FORBIDDEN", http.StatusForbidden},
		{"read-only token", Token(t, "acme", auth.ScopeProfilesRead), "events", "FORBIDDEN", http.StatusForbidden},
	} {
		status, out := s.Upload(t, c.token, c.kind, strings.NewReader(row), "")
		if status != c.status || Str(out, "errors", 0, "extensions", "code") != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, status, out, c.status, c.code)
		}
	}
	job := s.Import(t, events, "events", strings.NewReader(row), "")
	id := Str(job, "id")
	r := s.Do(t, profiles, ImportQ, map[string]any{"id": id})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Errorf("an events job read with profiles:write: %+v", r)
	}
	r = s.Do(t, Token(t, "acme", auth.ScopeProfilesRead), ImportQ, map[string]any{"id": id})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Errorf("a job read with profiles:read: %+v", r)
	}
	for name, tok := range map[string]string{"another workspace": Token(t, "other"), "unknown id": events} {
		q := map[string]any{"id": id}
		if name == "unknown id" {
			q["id"] = "no-such-job"
		}
		if d := s.MustDo(t, tok, ImportQ, q); Get(d, "importJob") != nil {
			t.Errorf("%s: %v, want null", name, d)
		}
	}
}

func TestImportRefusesBadBodies(t *testing.T) {
	s := StartWith(t, Options{ImportMaxBytes: 4096})
	tok := Token(t, "acme")
	big := strings.Repeat(eventRow(1)+"\n", 40)
	for _, c := range []struct {
		name     string
		body     []byte
		encoding string
		status   int
		says     string
	}{
		{"empty", nil, "", http.StatusBadRequest, "empty"},
		{"not gzip", []byte(eventRow(1)), "gzip", http.StatusBadRequest, "gzip"},
		{"corrupt gzip", gzipped(t, big)[:60], "", http.StatusBadRequest, "body"},
		{"unknown encoding", []byte(eventRow(1)), "br", http.StatusBadRequest, "Content-Encoding"},
		{"over the limit", []byte(big), "", http.StatusRequestEntityTooLarge, "CDP_IMPORT_MAX_BYTES"},
		{"over the limit once unzipped", gzipped(t, big), "gzip", http.StatusRequestEntityTooLarge, "CDP_IMPORT_MAX_BYTES"},
	} {
		status, out := s.Upload(t, tok, "events", bytes.NewReader(c.body), c.encoding)
		if status != c.status || !strings.Contains(Str(out, "errors", 0, "message"), c.says) {
			t.Errorf("%s: %d %v, want %d saying %q", c.name, status, out, c.status, c.says)
		}
	}
	if d := s.MustDo(t, tok, countQ, nil); Str(d, "profiles", "totalCount") != "0" {
		t.Errorf("refused uploads stored something: %v", d)
	}
}

// TestImportProfilesChunkLargerThanACall: a chunk holds more rows than one
// upsertProfiles call takes; its rows go in several calls, and a rejection
// by the domain in a later call still names its own line.
func TestImportProfilesChunkLargerThanACall(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of rows: slow under the race detector")
	}
	s := Start(t)
	tok := Token(t, "acme", auth.ScopeProfilesWrite, auth.ScopeProfilesRead)
	n := identity.MaxBatch + 200
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf(`{"identities":[{"type":"email","value":"big%d@x.com"}],"traits":{"n":%d}}`, i, i))
	}
	lines = append(lines[:n-10], append([]string{`{"identities":[{"type":"email","value":"not-an-email"}]}`}, lines[n-10:]...)...)
	job := s.Import(t, tok, "profiles", strings.NewReader(strings.Join(lines, "\n")+"\n"), "")
	checkJob(t, job, "DONE", n+1, n, 0, n, 1)
	if r := Get(job, "rejections", 0); Str(r, "line") != fmt.Sprint(n-9) || !strings.Contains(Str(r, "reason"), "invalid email") {
		t.Errorf("rejection = %v, want line %d", r, n-9)
	}
	if got := Str(s.MustDo(t, tok, countQ, nil), "profiles", "totalCount"); got != fmt.Sprint(n) {
		t.Errorf("%s profiles, want %d", got, n)
	}
}
