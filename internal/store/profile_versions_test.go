package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/profile"
)

// stored reads a profile from the store itself, past what the process
// remembers of it.
func stored(t *testing.T, st *Store, p *profile.Profile) *profile.Profile {
	t.Helper()
	var d profileDoc
	if err := getByID(t.Context(), st.Profiles().c(), p.Workspace, p.ID, &d); err != nil {
		t.Fatalf("read %s from the store: %v", p.ID, err)
	}
	return fromProfileDoc(d)
}

// TestRememberedProfilesAreWhatTheStoreHolds: on the embedded store a
// profile this process wrote is read from memory; every way of writing one
// leaves memory equal to the stored document.
func TestRememberedProfilesAreWhatTheStoreHolds(t *testing.T) {
	st, ctx := testStore(t)
	ps := st.Profiles()
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	mk := func(id string) *profile.Profile {
		return &profile.Profile{ID: id, Workspace: "acme", Version: 1, CreatedAt: at, UpdatedAt: at,
			Traits:     map[string]any{"name": "Ann", "tags": []any{"a", "b"}, "address": map[string]any{"city": "BKK"}},
			Identities: []profile.Identity{{Type: "email", Value: id + "@example.com", FirstSeen: at, LastSeen: at}},
			Computed:   profile.Computed{EventCount: 3, Channels: []string{"line"}}, AppliedBatches: []string{"b1/" + id}}
	}
	same := func(step string, p *profile.Profile) {
		t.Helper()
		got, err := ps.Get(ctx, p.Workspace, p.ID)
		if err != nil {
			t.Fatalf("%s: Get: %v", step, err)
		}
		if _, ok := st.recallDoc(p.Workspace, p.ID); !ok {
			t.Fatalf("%s: %s is not remembered", step, p.ID)
		}
		if want := stored(t, st, p); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: remembered %+v\nstored %+v", step, got, want)
		}
	}
	a := mk("a")
	if err := ps.Insert(ctx, a); err != nil {
		t.Fatal(err)
	}
	same("insert", a)
	a.Traits["name"], a.Version = "Bea", 2
	if err := ps.Replace(ctx, a, 1); err != nil {
		t.Fatal(err)
	}
	same("replace", a)
	if err := ps.Replace(ctx, mk("a"), 1); err != profile.ErrStale {
		t.Fatalf("replace of a stale version: err = %v, want ErrStale", err)
	}
	same("stale replace", a)
	b, c := mk("b"), mk("c")
	if err := ps.InsertMany(ctx, []*profile.Profile{b, c}); err != nil {
		t.Fatal(err)
	}
	same("insert many", c)
	b.Computed.EventCount, b.Version = 9, 2
	if _, err := ps.ReplaceMany(ctx, []*profile.Profile{b}, []int64{1}); err != nil {
		t.Fatal(err)
	}
	same("replace many", b)
	if err := ps.InsertMany(ctx, []*profile.Profile{mk("c"), mk("d")}); err == nil {
		t.Fatal("insert many over an existing id: no error")
	}
	same("failed insert many", c)
}
