package store

import (
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/relay"
)

// TestEmbeddedHasNoChangeStream: the embedded store's change stream fails
// with relay.ErrUnsupported (so does any MongoDB without one), and its
// profile documents carry no writer.
func TestEmbeddedHasNoChangeStream(t *testing.T) {
	st, ctx := testStore(t)
	err := st.ProfileChanges().Watch(ctx, nil, func(relay.Change) error { return nil })
	if !errors.Is(err, relay.ErrUnsupported) {
		t.Errorf("Watch: %v, want relay.ErrUnsupported", err)
	}
	if w := st.ProfileChanges().Writer(); w != "" {
		t.Errorf("Writer %q on the embedded store, want none", w)
	}
	if got := rawProfile(t, st, &profile.Profile{ID: "p1", Workspace: testWS, Version: 1, Reason: "identify"}); got["writer"] != nil || got["reason"] != nil {
		t.Errorf("stored %v, want no writer or reason", got)
	}
}

// TestSharedWritesNameTheirWriter: on MongoDB every profile write stores
// the writer and the reason told, which the change stream reads back.
func TestSharedWritesNameTheirWriter(t *testing.T) {
	st, _ := testStore(t)
	st.writer = "w1" // as Open does on MongoDB
	got := rawProfile(t, st, &profile.Profile{ID: "p1", Workspace: testWS, Version: 1, Reason: "identify"})
	if got["writer"] != "w1" || got["reason"] != "identify" {
		t.Errorf("stored writer %v reason %v, want w1 identify", got["writer"], got["reason"])
	}
}

func rawProfile(t *testing.T, st *Store, p *profile.Profile) bson.M {
	t.Helper()
	ctx := t.Context()
	if err := st.Profiles().Insert(ctx, p); err != nil {
		t.Fatal(err)
	}
	var got bson.M
	if err := st.coll(colProfiles).FindOne(ctx, bson.D{{Key: "_id", Value: p.ID}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestChangeEvents: only inserts and replaces, cdp's own kinds of write,
// carry a writer and a reason; a delete has no document after it.
func TestChangeEvents(t *testing.T) {
	doc := &profileDoc{ID: "p1", Workspace: "ws1", Version: 2, Segments: []string{"s1"}, Writer: "w1", Reason: "event"}
	before := &profileDoc{ID: "p1", Workspace: "ws1", Version: 1}
	tests := []struct {
		op                  string
		after, before       *profileDoc
		writer, reason      string
		hasAfter, hasBefore bool
	}{
		{"insert", doc, nil, "w1", "event", true, false},
		{"replace", doc, before, "w1", "event", true, true},
		{"update", doc, before, "", "", true, true},
		{"delete", nil, before, "", "", false, true},
	}
	for _, tt := range tests {
		c := changeDoc{Op: tt.op, After: tt.after, Before: tt.before}.change(relay.Token("t"))
		if c.Writer != tt.writer || c.Reason != tt.reason || (c.After != nil) != tt.hasAfter ||
			(c.Before != nil) != tt.hasBefore || c.Insert != (tt.op == "insert") || string(c.Token) != "t" {
			t.Errorf("%s: got %+v", tt.op, c)
		}
	}
}
