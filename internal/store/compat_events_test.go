package store_test

import (
	"context"
	"fmt"
	"go.mongodb.org/mongo-driver/v2/bson"
	"reflect"
	"slices"
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/store"
)

// ev makes an unapplied event at minute m, received at minute m.
func ev(ws auth.Workspace, mid, pid, typ, channel string, m int, ids ...identity.Identifier) *event.Event {
	return &event.Event{ID: event.Key(ws, mid), Workspace: ws, MessageID: mid, ProfileID: pid, Type: typ, Channel: channel,
		Properties: map[string]any{}, Identities: append([]identity.Identifier{}, ids...), Timestamp: ts(m), ReceivedAt: ts(m), Batch: "b1"}
}

func insert(t *testing.T, ctx context.Context, st *store.Store, evs ...*event.Event) {
	t.Helper()
	dup, err := st.Events().Insert(ctx, evs)
	if err != nil || slices.Contains(dup, true) {
		t.Fatalf("Insert = %v, %v", dup, err)
	}
}

func eventIDs(evs []*event.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.MessageID)
	}
	return out
}

func TestCompatEventsInsert(t *testing.T) {
	st, ctx := open(t)
	x := st.Events()
	a := ev(acme, "a", "p1", "view", "web", 1, email)
	a.Properties = map[string]any{"sku": "X1", "price": 120.5, "tags": []any{"new"}, "cart": map[string]any{"items": "2"}}
	insert(t, ctx, st, a, ev(acme, "b", "p1", "view", "web", 2))
	again := ev(acme, "a", "p9", "other", "pos", 3)
	dup, err := x.Insert(ctx, []*event.Event{ev(acme, "c", "p1", "view", "", 3), again, ev(acme, "d", "p1", "view", "", 4), ev(acme, "c", "p1", "view", "", 5)})
	if want := []bool{false, true, false, true}; err != nil || !slices.Equal(dup, want) {
		t.Fatalf("Insert with duplicates = %v, %v; want %v", dup, err, want)
	}
	got, err := x.Get(ctx, acme, a.ID)
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Fatalf("Get = %+v, %v\nwant %+v (the first write wins)", got, err, a)
	}
	for _, c := range []struct {
		ws auth.Workspace
		id string
	}{{other, a.ID}, {acme, event.Key(acme, "missing")}} {
		if got, err := x.Get(ctx, c.ws, c.id); err != nil || got != nil {
			t.Errorf("Get(%s, %s) = %v, %v; want nil", c.ws, c.id, got, err)
		}
	}
}

func TestCompatEventsBatches(t *testing.T) {
	st, ctx := open(t)
	x := st.Events()
	// InsertMany of markers (a duplicate is fine), point read, DeleteMany by _id.
	for range 2 {
		if err := x.Mark(ctx, []event.BatchRef{{Workspace: acme, Batch: "b1"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Mark(ctx, []event.BatchRef{{Workspace: other, Batch: "b2"}}); err != nil {
		t.Fatal(err)
	}
	if open, err := x.BatchOpen(ctx, acme, "b1"); err != nil || !open {
		t.Errorf("BatchOpen(b1) = %v, %v", open, err)
	}
	if open, err := x.BatchOpen(ctx, acme, "b2"); err != nil || open {
		t.Errorf("BatchOpen of another workspace's batch = %v, %v", open, err)
	}
	// Find all markers, sort at, limit; any workspace.
	if refs, err := x.OpenBatches(ctx, 10); err != nil || len(refs) != 2 {
		t.Errorf("OpenBatches = %v, %v", refs, err)
	}
	if err := x.Unmark(ctx, []event.BatchRef{{Workspace: acme, Batch: "b1"}}); err != nil {
		t.Fatal(err)
	}
	if open, err := x.BatchOpen(ctx, acme, "b1"); err != nil || open {
		t.Errorf("BatchOpen after Unmark = %v, %v", open, err)
	}
	// Find {workspace, batch}.
	insert(t, ctx, st, ev(acme, "a1", "p1", "view", "web", 1), ev(acme, "a2", "p2", "view", "web", 2), ev(other, "o1", "p1", "view", "web", 4))
	if evs, err := x.ByBatches(ctx, []event.BatchRef{{Workspace: acme, Batch: "b1"}}); err != nil || !slices.Equal(slices.Sorted(slices.Values(eventIDs(evs))), []string{"a1", "a2"}) {
		t.Errorf("ByBatches = %v, %v", eventIDs(evs), err)
	}
	// Events of earlier versions: Find {applied: false} of any workspace, MarkApplied.
	legacy := bson.D{{Key: "_id", Value: event.Key(acme, "old")}, {Key: "workspace", Value: string(acme)}, {Key: "profileId", Value: "p1"},
		{Key: "messageId", Value: "old"}, {Key: "type", Value: "view"}, {Key: "applied", Value: false}}
	if _, err := st.Raw().Collection("events").InsertOne(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	if got, err := x.Unapplied(ctx, 10); err != nil || !slices.Equal(eventIDs(got), []string{"old"}) {
		t.Errorf("Unapplied = %v, %v", eventIDs(got), err)
	}
	if err := x.MarkApplied(ctx, acme, []string{event.Key(acme, "old")}); err != nil {
		t.Fatal(err)
	}
	if got, err := x.Unapplied(ctx, 10); err != nil || len(got) != 0 {
		t.Errorf("Unapplied after MarkApplied = %v, %v", eventIDs(got), err)
	}
	// Once a scan found none, none is looked for again (this version stores
	// none): starts do not scan every event.
	legacy[0].Value, legacy[3].Value = event.Key(acme, "older"), "older"
	if _, err := st.Raw().Collection("events").InsertOne(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	if got, err := x.Unapplied(ctx, 10); err != nil || len(got) != 0 {
		t.Errorf("Unapplied after a clean scan = %v, %v; want no second scan", eventIDs(got), err)
	}
}

// seedList stores events where several share a timestamp, so the cursor's
// (timestamp, _id) tie-break is exercised.
func seedList(t *testing.T, ctx context.Context, st *store.Store) {
	insert(t, ctx, st,
		ev(acme, "e1", "p1", "view", "web", 1), ev(acme, "e2", "p1", "chat", "line", 2), ev(acme, "e3", "p1", "view", "web", 2),
		ev(acme, "e4", "p1", "order", "pos", 3), ev(acme, "e5", "p1", "view", "web", 2),
		ev(acme, "f1", "p2", "view", "app", 2), ev(acme, "f2", "p2", "order", "", 5),
		ev(other, "g1", "p1", "view", "web", 4))
}

func TestCompatEventsList(t *testing.T) {
	st, ctx := open(t)
	seedList(t, ctx, st)
	x := st.Events()
	tests := []struct {
		name     string
		profiles []string
		types    []string
		want     []string // newest first, ties by _id descending
	}{
		{"one profile", []string{"p1"}, nil, []string{"e4", "e5", "e3", "e2", "e1"}},
		{"profiles $in", []string{"p1", "p2"}, nil, []string{"f2", "e4", "f1", "e5", "e3", "e2", "e1"}},
		{"types $in", []string{"p1", "p2"}, []string{"view"}, []string{"f1", "e5", "e3", "e1"}},
		{"two types, one profile", []string{"p1"}, []string{"view", "order"}, []string{"e4", "e5", "e3", "e1"}},
		{"nobody", []string{"p9"}, nil, nil},
	}
	for _, tt := range tests {
		for _, limit := range []int{100, 2, 1} {
			t.Run(fmt.Sprintf("%s/limit %d", tt.name, limit), func(t *testing.T) {
				var got []string
				var after *event.Cursor
				for page := 0; page < 10; page++ {
					evs, err := x.List(ctx, acme, tt.profiles, tt.types, after, limit)
					if err != nil {
						t.Fatal(err)
					}
					if len(evs) > limit {
						t.Fatalf("page of %d events, limit %d", len(evs), limit)
					}
					got = append(got, eventIDs(evs)...)
					if len(evs) < limit {
						break
					}
					last := evs[len(evs)-1]
					after = &event.Cursor{Timestamp: last.Timestamp, ID: last.ID}
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("List = %v, want %v", got, tt.want)
				}
			})
		}
		if n, err := x.Count(ctx, acme, tt.profiles, tt.types); err != nil || n != int64(len(tt.want)) {
			t.Errorf("%s: Count = %d, %v; want %d", tt.name, n, err, len(tt.want))
		}
	}
}

func TestCompatEventsRecount(t *testing.T) {
	st, ctx := open(t)
	seedList(t, ctx, st)
	tests := []struct {
		name        string
		ws          auth.Workspace
		profiles    []string
		count       int64
		first, last int
		channels    []string
	}{
		{"one profile", acme, []string{"p1"}, 5, 1, 3, []string{"line", "pos", "web"}},
		{"profiles $in, an event without a channel", acme, []string{"p1", "p2"}, 7, 1, 5, []string{"app", "line", "pos", "web"}},
		{"other workspace", other, []string{"p1"}, 1, 4, 4, []string{"web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := recount(ctx, st, tt.ws, tt.profiles)
			if err != nil {
				t.Fatal(err)
			}
			if c.EventCount != tt.count || c.FirstSeen == nil || !c.FirstSeen.Equal(ts(tt.first)) || c.LastSeen == nil ||
				!c.LastSeen.Equal(ts(tt.last)) || !slices.Equal(c.Channels, tt.channels) {
				t.Errorf("Recount = %d %v %v %v; want %d %v %v %v", c.EventCount, c.FirstSeen, c.LastSeen, c.Channels,
					tt.count, ts(tt.first), ts(tt.last), tt.channels)
			}
		})
	}
	c, err := recount(ctx, st, acme, []string{"nobody"})
	if err != nil || c.EventCount != 0 || c.FirstSeen != nil || c.LastSeen != nil || c.Channels == nil || len(c.Channels) != 0 {
		t.Errorf("Recount of nobody = %+v, %v; want zero values with empty channels", c, err)
	}
}

// TestCompatEventsRecountUnderADeadline runs Recount as a caller that bounds
// its work with a context deadline does: a websocket operation (its context
// ends when the token expires), a job with a timeout.
func TestCompatEventsRecountUnderADeadline(t *testing.T) {
	st, ctx := open(t)
	seedList(t, ctx, st)
	c, err := recount(bounded(t, ctx), st, acme, []string{"p1"})
	if err != nil || c.EventCount != 5 || !slices.Equal(c.Channels, []string{"line", "pos", "web"}) {
		t.Fatalf("Recount under a deadline = %+v, %v", c, err)
	}
}

func TestCompatEventsMove(t *testing.T) {
	st, ctx := open(t)
	x := st.Events()
	crmU1 := identity.Identifier{Type: "crm_id", Value: "U1"} // line's value under another type
	insert(t, ctx, st,
		ev(acme, "before", "p1", "x", "", 5, line),
		ev(acme, "since", "p1", "x", "", 10, line),
		ev(acme, "kept", "p1", "x", "", 11, line, email),
		ev(acme, "type", "p1", "x", "", 12, crmU1),
		ev(acme, "unrelated", "p1", "x", "", 12, phone),
		ev(acme, "third", "p3", "x", "", 12, line),
		ev(other, "elsewhere", "p1", "x", "", 12, line))
	if err := x.MoveReceivedWith(ctx, acme, "p1", "p2", ts(10), nil, nil); err != nil {
		t.Fatalf("MoveReceivedWith without ids: %v", err)
	}
	if err := x.MoveReceivedWith(ctx, acme, "p1", "p2", ts(10), []identity.Identifier{line}, []identity.Identifier{email}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"before": "p1", "since": "p2", "kept": "p1", "type": "p1", "unrelated": "p1", "third": "p3"}
	for mid, pid := range want {
		if e, err := x.Get(ctx, acme, event.Key(acme, mid)); err != nil || e == nil || e.ProfileID != pid {
			t.Errorf("event %s after the move: %+v, %v; want profile %s", mid, e, err, pid)
		}
	}
	if e, _ := x.Get(ctx, other, event.Key(other, "elsewhere")); e == nil || e.ProfileID != "p1" {
		t.Errorf("another workspace's event moved: %+v", e)
	}
}

func TestCompatEventsAThousand(t *testing.T) {
	st, ctx := open(t)
	x := st.Events()
	evs := thousand()
	insert(t, ctx, st, evs...)
	dup, err := x.Insert(ctx, thousand())
	if err != nil || len(dup) != 1000 || slices.Contains(dup, false) {
		t.Fatalf("Insert of 1,000 stored events: %d duplicates reported, %v", len(dup), err)
	}
	if n, err := x.Count(ctx, acme, []string{"p1"}, nil); err != nil || n != 1000 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	page, err := x.List(ctx, acme, []string{"p1"}, nil, nil, 101)
	if err != nil || len(page) != 101 || page[0].MessageID != "m0999" {
		t.Fatalf("List of 101 = %d events, %v", len(page), err)
	}
	if c, err := recount(ctx, st, acme, []string{"p1"}); err != nil || c.EventCount != 1000 || !c.LastSeen.Equal(ts(999)) {
		t.Fatalf("Recount = %+v, %v", c, err)
	}
	if got, err := x.ByBatches(ctx, []event.BatchRef{{Workspace: acme, Batch: "b1"}}); err != nil || len(got) != 1000 {
		t.Fatalf("ByBatches = %d, %v", len(got), err)
	}
	if n, err := x.EraseByProfile(ctx, acme, "p1"); err != nil || n != 1000 {
		t.Fatalf("EraseByProfile = %d, %v", n, err)
	}
}

// thousand returns 1,000 events of one profile: one trackEvents batch of
// one customer.
func thousand() []*event.Event {
	out := make([]*event.Event, 1000)
	for i := range out {
		out[i] = ev(acme, fmt.Sprintf("m%04d", i), "p1", "view", "web", i, line)
	}
	return out
}

// TestCompatEventsMarkAppliedAThousand marks one trackEvents batch of one
// customer applied, as Track does after folding it.
func TestCompatEventsMarkAppliedAThousand(t *testing.T) {
	st, ctx := open(t)
	ctx = bounded(t, ctx)
	evs := thousand()
	insert(t, ctx, st, evs...)
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	if err := st.Events().MarkApplied(ctx, acme, ids); err != nil {
		t.Fatalf("MarkApplied of 1,000: %v", err)
	}
	if e, err := st.Events().Get(ctx, acme, ids[999]); err != nil || !e.Applied {
		t.Fatalf("the last event after MarkApplied = %+v, %v", e, err)
	}
}

// TestCompatEventsMoveAThousand moves 1,000 events back to an unmerged
// profile, as an unmerge does.
func TestCompatEventsMoveAThousand(t *testing.T) {
	st, ctx := open(t)
	ctx = bounded(t, ctx)
	insert(t, ctx, st, thousand()...)
	if err := st.Events().MoveReceivedWith(ctx, acme, "p1", "p2", ts(0), []identity.Identifier{line}, nil); err != nil {
		t.Fatalf("MoveReceivedWith of 1,000: %v", err)
	}
	if n, err := st.Events().Count(ctx, acme, []string{"p2"}, nil); err != nil || n != 1000 {
		t.Fatalf("Count of the moved events = %d, %v", n, err)
	}
}

// recount reads the profiles' events with OfProfiles and folds them from
// scratch, as an unmerge does.
func recount(ctx context.Context, st *store.Store, ws auth.Workspace, ids []string) (profile.Computed, error) {
	evs, err := st.Events().OfProfiles(ctx, ws, ids)
	if err != nil {
		return profile.Computed{}, err
	}
	return event.Recompute(nil, evs, nil, event.DefaultFoldRules()), nil
}
