package store_test

import (
	"reflect"
	"testing"

	"github.com/cdp-dev/cdp/internal/imports"
	"github.com/cdp-dev/cdp/internal/store"
)

// TestCompatImports runs every query shape of the import job store: create,
// point read, checkpoints (with $set, $inc and $push $each in one update,
// and a stale one refused), a pending chunk folded once ($unset of a dotted
// path and $inc), finish once, and the running jobs of a node.
func TestCompatImports(t *testing.T) {
	st, ctx := open(t)
	x := st.Imports()
	j := &imports.Job{ID: "j1", Workspace: acme, Kind: imports.Events, Status: imports.Running, Actor: "cli", Node: "host:/spool",
		Pending: map[int]int64{}, Rejections: []imports.Rejection{}, CreatedAt: ts(0), UpdatedAt: ts(0)}
	if err := x.Create(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := x.Create(ctx, &imports.Job{ID: "j2", Workspace: acme, Kind: imports.Profiles, Status: imports.Running, Node: "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	cp := imports.Checkpoint{Chunk: 1, Offset: 500, Line: 12, At: ts(1), Pending: true,
		Add:        imports.Counts{Read: 10, Stored: 7, Duplicate: 1, Rejected: 2},
		Rejections: []imports.Rejection{{Line: 3, Reason: "invalid JSON at byte 4 of the line"}, {Line: 9, Reason: "unknown field \"x\""}}}
	checkpoint(t, x, cp, true)
	checkpoint(t, x, cp, false) // chunk 1 again: another worker's, refused
	cp2 := imports.Checkpoint{Chunk: 2, Offset: 900, Line: 20, At: ts(2), Pending: true, Add: imports.Counts{Read: 8, Stored: 8}}
	checkpoint(t, x, cp2, true)
	for range 2 { // counted once
		if err := x.Folded(ctx, "j1", 1, 7, ts(3)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := x.Get(ctx, acme, "j1")
	want := &imports.Job{ID: "j1", Workspace: acme, Kind: imports.Events, Status: imports.Running, Actor: "cli", Node: "host:/spool",
		Offset: 900, Line: 20, Chunks: 2, Counts: imports.Counts{Read: 18, Stored: 15, Duplicate: 1, Folded: 7, Rejected: 2},
		Rejections: cp.Rejections, Pending: map[int]int64{2: 8}, CreatedAt: ts(0), UpdatedAt: ts(3)}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Get = %+v, %v\nwant %+v", got, err, want)
	}
	if got, err := x.Get(ctx, other, "j1"); err != nil || got != nil {
		t.Errorf("another workspace's job = %+v, %v", got, err)
	}
	running, err := x.Running(ctx, "host:/spool")
	if err != nil || len(running) != 1 || running[0].ID != "j1" {
		t.Fatalf("Running = %+v, %v", running, err)
	}
	if err := x.Finish(ctx, "j1", imports.Failed, "internal error", ts(4)); err != nil {
		t.Fatal(err)
	}
	if err := x.Finish(ctx, "j1", imports.Done, "", ts(5)); err != nil { // already ended: left alone
		t.Fatal(err)
	}
	got, err = x.Get(ctx, acme, "j1")
	if err != nil || got.Status != imports.Failed || got.Error != "internal error" || got.FinishedAt == nil || !got.FinishedAt.Equal(ts(4)) {
		t.Fatalf("after Finish: %+v, %v", got, err)
	}
	checkpoint(t, x, imports.Checkpoint{Chunk: 3, At: ts(6)}, false) // an ended job takes no checkpoint
	if running, err := x.Running(ctx, "host:/spool"); err != nil || len(running) != 0 {
		t.Fatalf("Running after Finish = %+v, %v", running, err)
	}
}

func checkpoint(t *testing.T, x store.Imports, cp imports.Checkpoint, want bool) {
	t.Helper()
	ok, err := x.Checkpoint(t.Context(), "j1", cp)
	if err != nil || ok != want {
		t.Fatalf("Checkpoint chunk %d = %v, %v; want %v", cp.Chunk, ok, err, want)
	}
}
