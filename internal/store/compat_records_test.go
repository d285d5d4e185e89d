package store_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
)

func record(ws auth.Workspace, id, survivor string, absorbed []string, m int, status string) *identity.MergeRecord {
	return &identity.MergeRecord{ID: id, Workspace: ws, SurvivorID: survivor, AbsorbedIDs: absorbed,
		Identifiers: []identity.Identifier{email}, Rule: identity.RuleShared, Actor: "tester", At: ts(m), Status: status}
}

func recordIDs(rs []*identity.MergeRecord) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestCompatMerges(t *testing.T) {
	st, ctx := open(t)
	m := st.Merges()
	first := record(acme, "m1", "a", []string{"b", "c"}, 1, identity.StatusPending)
	first.Reason = "same person"
	first.Snapshots = []*profile.Profile{full(acme, "a"), full(acme, "b"), full(acme, "c")}
	for _, r := range []*identity.MergeRecord{first, record(acme, "m2", "a", []string{"d"}, 2, identity.StatusDone),
		record(acme, "m3", "e", []string{"a"}, 2, identity.StatusLocked), record(acme, "m4", "x", []string{"y"}, 3, identity.StatusUndone),
		record(acme, "m5", "x", []string{"z"}, 4, identity.StatusAborted), record(other, "o1", "a", []string{"b"}, 0, identity.StatusMoved)} {
		if err := m.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Create(ctx, record(acme, "m1", "q", nil, 9, identity.StatusDone)); errs.KindOf(err) != errs.Conflict {
		t.Errorf("Create of an existing id: err = %v, want CONFLICT", err)
	}
	got, err := m.Get(ctx, acme, "m1")
	if err != nil || !reflect.DeepEqual(got, first) {
		t.Fatalf("Get = %+v, %v\nwant %+v", got, err, first)
	}
	if got, err := m.Get(ctx, other, "m1"); err != nil || got != nil {
		t.Errorf("Get from another workspace = %v, %v", got, err)
	}

	// ReplaceOne {_id}.
	undone := ts(5)
	first.Status, first.UndoneAt = identity.StatusDone, &undone
	if err := m.Save(ctx, first); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Get(ctx, acme, "m1"); got.Status != identity.StatusDone || got.UndoneAt == nil || !got.UndoneAt.Equal(undone) {
		t.Errorf("after Save = %+v", got)
	}

	// {status $nin}, oldest first, any workspace.
	un, err := m.Unfinished(ctx, 10)
	if ids := recordIDs(un); err != nil || !slices.Equal(ids, []string{"o1", "m3"}) {
		t.Errorf("Unfinished = %v, %v; want o1, m3", ids, err)
	}
	if un, err := m.Unfinished(ctx, 1); err != nil || !slices.Equal(recordIDs(un), []string{"o1"}) {
		t.Errorf("Unfinished with limit 1 = %v, %v", recordIDs(un), err)
	}

	// {workspace, involved} as survivor or absorbed, newest first, ties by _id descending.
	for pid, want := range map[string][]string{"a": {"m3", "m2", "m1"}, "b": {"m1"}, "z": {"m5"}, "nobody": nil} {
		if rs, err := m.ByProfile(ctx, acme, pid); err != nil || !slices.Equal(recordIDs(rs), want) {
			t.Errorf("ByProfile(%s) = %v, %v; want %v", pid, recordIDs(rs), err, want)
		}
	}

	// UpdateMany {workspace, involved} with $set and $unset.
	if n, err := m.Scrub(ctx, acme, "b"); err != nil || n != 1 {
		t.Fatalf("Scrub = %d, %v; want 1", n, err)
	}
	got, _ = m.Get(ctx, acme, "m1")
	if len(got.Identifiers) != 0 || got.Snapshots != nil || got.SurvivorID != "a" || got.Reason != "" { // the free-text reason may name the person
		t.Errorf("scrubbed record = %+v", got)
	}
	for _, c := range []struct {
		ws auth.Workspace
		id string
	}{{acme, "m2"}, {other, "o1"}} {
		if got, _ := m.Get(ctx, c.ws, c.id); len(got.Identifiers) != 1 {
			t.Errorf("Scrub touched %s: %+v", c.id, got)
		}
	}
}

func conflict(ws auth.Workspace, id string, m int, pids ...string) *identity.Conflict {
	return &identity.Conflict{ID: id, Workspace: ws, ProfileIDs: pids, Identifiers: []identity.Identifier{email, phone},
		Type: "crm_id", ResolvedID: pids[0], At: ts(m)}
}

func TestCompatConflicts(t *testing.T) {
	st, ctx := open(t)
	x := st.Conflicts()
	c1 := conflict(acme, "c1", 1, "a", "b")
	for _, c := range []*identity.Conflict{c1, conflict(acme, "c2", 2, "a", "c"), conflict(acme, "c3", 2, "d", "e"),
		conflict(acme, "c4", 3, "b", "f"), conflict(other, "o1", 9, "a", "b")} {
		if err := x.Record(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Record(ctx, conflict(acme, "c1", 8, "x", "y")); err != nil {
		t.Fatalf("Record of an existing id: %v, want it ignored", err)
	}
	var got []*identity.Conflict
	var after *identity.Conflict
	for range 10 { // pages of two, across the tie at minute 2
		page, err := x.List(ctx, acme, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1]
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if want := []string{"c4", "c3", "c2", "c1"}; !slices.Equal(ids, want) {
		t.Fatalf("List = %v, want %v", ids, want)
	}
	if !reflect.DeepEqual(got[3], c1) {
		t.Errorf("c1 = %+v\nwant %+v (the first record kept)", got[3], c1)
	}
	if n, err := x.Count(ctx, acme); err != nil || n != 4 {
		t.Errorf("Count = %d, %v; want 4", n, err)
	}

	// UpdateMany {workspace, profileIds: id} $set.
	if n, err := x.Scrub(ctx, acme, "b"); err != nil || n != 2 {
		t.Fatalf("Scrub = %d, %v; want 2 (c1, c4)", n, err)
	}
	var all []*identity.Conflict
	for _, ws := range []auth.Workspace{acme, other} {
		page, err := x.List(ctx, ws, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
	}
	for _, c := range all {
		named := slices.Contains(c.ProfileIDs, "b") && c.Workspace == acme
		if scrubbed := len(c.Identifiers) == 0; scrubbed != named {
			t.Errorf("conflict %s: identifiers %v after scrubbing b", c.ID, c.Identifiers)
		}
	}
}

// TestCompatPurgers runs what an erasure clears through st.Purgers():
// DeleteMany on events and identities, and the scrubs of merges and conflicts.
func TestCompatPurgers(t *testing.T) {
	st, ctx := open(t)
	insert(t, ctx, st, ev(acme, "e1", "a", "x", "", 1), ev(acme, "e2", "b", "x", "", 2), ev(acme, "e3", "c", "x", "", 3))
	for id, pid := range map[identity.Identifier]string{email: "a", line: "b", phone: "c"} {
		if _, err := st.Identities().Claim(ctx, acme, id, pid); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Merges().Create(ctx, record(acme, "m1", "a", []string{"b"}, 1, identity.StatusDone)); err != nil {
		t.Fatal(err)
	}
	if err := st.Conflicts().Record(ctx, conflict(acme, "c1", 2, "a", "c")); err != nil {
		t.Fatal(err)
	}
	p, pids := st.Purgers(), []string{"a", "b"}
	counts := []struct {
		name  string
		purge profile.Purge
		want  int64
	}{{"events", p.Events, 2}, {"identities", p.Identities, 2}, {"records", p.Records, 2}}
	for _, c := range counts {
		if n, err := c.purge(ctx, acme, pids); err != nil || n != c.want {
			t.Errorf("purge %s = %d, %v; want %d", c.name, n, err, c.want)
		}
	}
	if n, _ := st.Events().Count(ctx, acme, []string{"a", "b", "c"}, nil); n != 1 {
		t.Errorf("%d events left, want c's 1", n)
	}
	if o, _ := st.Identities().Owners(ctx, acme, []identity.Identifier{email, line, phone}); !reflect.DeepEqual(o, map[identity.Identifier]string{phone: "c"}) {
		t.Errorf("identities left = %v", o)
	}
}
