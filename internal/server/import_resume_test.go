package server_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/imports"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// crashedJob stores an events job over the file as a crash left it: its
// first chunk checkpointed (when the file has more than one), and the first
// stored chunks' events stored. It returns the job's id.
func crashedJob(t *testing.T, s *Server, dir, file string, stored int) string {
	t.Helper()
	ctx := context.Background()
	tok := Token(t, "acme")
	lines := strings.SplitAfter(file, "\n")
	for c := range stored { // what Append stored before the crash, in calls trackEvents takes
		for lo := c * imports.ChunkRows; lo < (c+1)*imports.ChunkRows; lo += identity.MaxBatch {
			var batch []any
			for i := lo; i < min(lo+identity.MaxBatch, (c+1)*imports.ChunkRows); i++ {
				batch = append(batch, rowToInput(t, lines[i]))
			}
			s.MustDo(t, tok, trackQ, map[string]any{"ev": batch})
		}
	}
	id := "crashed-job"
	if err := os.WriteFile(filepath.Join(dir, id+".ndjson"), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	node, err := imports.DefaultNode(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	x := s.Store.Imports()
	if err := x.Create(ctx, &imports.Job{ID: id, Workspace: "acme", Kind: imports.Events, Status: imports.Running, Actor: "test",
		Node: node, Pending: map[int]int64{}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if len(lines) <= imports.ChunkRows {
		return id
	}
	offset := int64(len(strings.Join(lines[:imports.ChunkRows], "")))
	ok, err := x.Checkpoint(ctx, id, imports.Checkpoint{Chunk: 1, Offset: offset, Line: imports.ChunkRows, Pending: true, At: now,
		Add: imports.Counts{Read: imports.ChunkRows, Stored: imports.ChunkRows}})
	if err != nil || !ok {
		t.Fatalf("checkpoint: %v %v", ok, err)
	}
	return id
}

// rowToInput turns a line of eventsFile into trackEvents' input.
func rowToInput(t *testing.T, line string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestImportResumesAfterACrash: the process died after chunk 2 of 3 was
// stored but before its checkpoint. At the next start the job resumes from
// chunk 1's checkpoint: chunk 2 again (all duplicates), then chunk 3, and
// every event is counted once.
func TestImportResumesAfterACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of rows: slow under the race detector")
	}
	st, dir := Store(t), t.TempDir()
	first := StartWith(t, Options{Store: st, ImportDir: t.TempDir()})
	n := imports.ChunkRows * 5 / 2
	var rows []string
	for i := range n {
		rows = append(rows, eventRow(i))
	}
	file := strings.Join(rows, "\n") + "\n"
	id := crashedJob(t, first, dir, file, 2)

	s := StartWith(t, Options{Store: st, ImportDir: dir}) // the restart: server.New resumes the job
	if err := s.App.WaitImport(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	tok := Token(t, "acme")
	job := Get(s.MustDo(t, tok, ImportQ, map[string]any{"id": id}), "importJob").(map[string]any)
	c := imports.ChunkRows
	checkJob(t, job, "DONE", n, n-c, c, n-c, 0)
	checkEventCounts(t, s, tok, n/importCustomers)
	if _, err := os.Stat(filepath.Join(dir, id+".ndjson")); !os.IsNotExist(err) {
		t.Errorf("the spool file of a finished job is still there: %v", err)
	}
}

// TestImportStoppedMidwayFinishesAfterRestart stops the server's workers
// right after an upload (wherever they are) and starts another server on
// the same store and spool directory: the job finishes there, and every
// event is counted once.
func TestImportStoppedMidwayFinishesAfterRestart(t *testing.T) {
	st, dir := Store(t), t.TempDir()
	first := StartWith(t, Options{Store: st, ImportDir: dir})
	tok := Token(t, "acme")
	n := imports.ChunkRows * 5 / 2
	var rows []string
	for i := range n {
		rows = append(rows, eventRow(i))
	}
	_, out := first.Upload(t, tok, "events", strings.NewReader(strings.Join(rows, "\n")), "")
	first.App.Close()
	id := Str(out, "jobId")

	s := StartWith(t, Options{Store: st, ImportDir: dir})
	if err := s.App.WaitImport(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	job := Get(s.MustDo(t, tok, ImportQ, map[string]any{"id": id}), "importJob").(map[string]any)
	if Str(job, "status") != "DONE" || Str(job, "rowsRead") != strconv.Itoa(n) || Str(job, "rowsFolded") != Str(job, "rowsStored") {
		t.Errorf("job after the restart: %v", job)
	}
	checkEventCounts(t, s, tok, n/importCustomers)
}

// TestImportWithoutItsFileFails: a running job whose spool file is gone at
// start fails with a reason instead of waiting forever.
func TestImportWithoutItsFileFails(t *testing.T) {
	st, dir := Store(t), t.TempDir()
	first := StartWith(t, Options{Store: st, ImportDir: t.TempDir()})
	id := crashedJob(t, first, dir, eventRow(1)+"\n", 0)
	if err := os.Remove(filepath.Join(dir, id+".ndjson")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "leftover.ndjson.part"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := StartWith(t, Options{Store: st, ImportDir: dir})
	job := Get(s.MustDo(t, Token(t, "acme"), ImportQ, map[string]any{"id": id}), "importJob")
	if Str(job, "status") != "FAILED" || !strings.Contains(Str(job, "error"), "lost") {
		t.Errorf("job without its file: %v", job)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the spool directory keeps %d files no job needs", len(left))
	}
}
