package store

import (
	"context"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/identity"
)

// readyFilter starts the loading of the database's filter and waits until
// it answers.
func readyFilter(t *testing.T, ctx context.Context, x Identities) {
	t.Helper()
	x.unclaimed("start")
	for !x.filter().ready.Load() {
		select {
		case <-ctx.Done():
			t.Fatal("the filter of claimed identifiers never became ready")
		case <-time.After(time.Millisecond):
		}
	}
}

// TestUnclaimedIdentifiersSkipTheStore: identifiers stored before the
// process started, and every one claimed since, are looked up; only those
// nobody claimed are answered from memory.
func TestUnclaimedIdentifiersSkipTheStore(t *testing.T) {
	st, ctx := testStore(t)
	x := st.Identities()
	ann := identity.Identifier{Type: "email", Value: "ann@example.com"}
	bob := identity.Identifier{Type: "email", Value: "bob@example.com"}
	cat := identity.Identifier{Type: "line_uid", Value: "U1"}
	dan := identity.Identifier{Type: "phone", Value: "+66800000001"}
	// An earlier process's claim: stored without this process's filter.
	if _, err := x.c().InsertOne(ctx, identityDoc{ID: identityKey("acme", ann), Workspace: "acme", Type: ann.Type,
		Value: ann.Value, ProfileID: "p-ann", ClaimedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Claim(ctx, "acme", bob, "p-bob"); err != nil { // before the filter is read
		t.Fatal(err)
	}
	readyFilter(t, ctx, x)
	if _, err := x.ClaimMany(ctx, "acme", []identity.Claim{{ID: cat, ProfileID: "p-cat"}}); err != nil {
		t.Fatal(err)
	}
	got, err := x.Owners(ctx, "acme", []identity.Identifier{ann, bob, cat, dan})
	if err != nil {
		t.Fatal(err)
	}
	want := map[identity.Identifier]string{ann: "p-ann", bob: "p-bob", cat: "p-cat"}
	if len(got) != len(want) || got[ann] != want[ann] || got[bob] != want[bob] || got[cat] != want[cat] {
		t.Fatalf("Owners = %v, want %v", got, want)
	}
	if !x.unclaimed(identityKey("acme", dan)) {
		t.Error("an identifier nobody claimed is looked up in the store")
	}
	if x.unclaimed(identityKey("acme", ann)) || x.unclaimed(identityKey("acme", cat)) {
		t.Error("a claimed identifier is answered as unclaimed")
	}
	if _, err := x.Claim(ctx, "acme", dan, "p-dan"); err != nil {
		t.Fatal(err)
	}
	if got, err := x.Owners(ctx, "acme", []identity.Identifier{dan}); err != nil || got[dan] != "p-dan" {
		t.Fatalf("Owners after a claim = %v, %v", got, err)
	}
}
