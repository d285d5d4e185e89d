package store_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

// full returns a profile with every field the store keeps set, so a round
// trip that drops or reshapes one shows.
func full(ws auth.Workspace, id string) *profile.Profile {
	first, last := ts(1), ts(9)
	return &profile.Profile{
		ID: id, Workspace: ws, Version: 1, CreatedAt: ts(0), UpdatedAt: ts(9),
		Traits:     map[string]any{"name": "Ann", "vip": true, "address": map[string]any{"city": "BKK", "zip": "10110"}, "tags": []any{"a", "b"}},
		TraitTimes: map[string]time.Time{"name": ts(1), "address.city": ts(2), "address.zip": ts(2), "vip": ts(3), "tags": ts(3)},
		Identities: []profile.Identity{{Type: "email", Value: "ann@example.com", Source: "web", FirstSeen: ts(1), LastSeen: ts(5)},
			{Type: "line_uid", Value: "U1", FirstSeen: ts(2), LastSeen: ts(2)}},
		Consent: []profile.Consent{{Channel: "email", Purpose: "marketing", Granted: true, Source: "form", UpdatedAt: ts(4),
			History: []profile.ConsentChange{{Granted: false, At: ts(3)}, {Granted: true, Source: "form", At: ts(4)}}}},
		Computed:      profile.Computed{FirstSeen: &first, LastSeen: &last, EventCount: 7, Channels: []string{"line", "web"}},
		Absorbed:      []string{"old1", "old2"},
		Lock:          &profile.Lock{Op: "merge-1", Until: ts(10)},
		AppliedMerges: []string{"merge-0"}, AppliedBatches: []string{"b1/" + id},
	}
}

func TestCompatProfilesPointReads(t *testing.T) {
	st, ctx := open(t)
	ps := st.Profiles()
	want := full(acme, "p1")
	if err := ps.Insert(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := ps.Get(ctx, acme, "p1")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Get = %+v, %v\nwant %+v", got, err, want)
	}
	if err := ps.Insert(ctx, full(acme, "p1")); errs.KindOf(err) != errs.Conflict {
		t.Errorf("Insert of an existing id: err = %v, want CONFLICT", err)
	}
	for _, c := range []struct {
		ws auth.Workspace
		id string
	}{{other, "p1"}, {acme, "missing"}} {
		if _, err := ps.Get(ctx, c.ws, c.id); !errors.Is(err, profile.ErrNotFound) {
			t.Errorf("Get(%s, %s): err = %v, want ErrNotFound", c.ws, c.id, err)
		}
	}
}

// TestCompatProfilesReplace: on the embedded store the compare-and-swap
// reads the version under an in-process lock and replaces by _id alone.
func TestCompatProfilesReplace(t *testing.T) {
	st, ctx := open(t)
	ps := st.Profiles()
	if err := ps.Insert(ctx, full(acme, "p1")); err != nil {
		t.Fatal(err)
	}
	next := full(acme, "p1")
	next.Version, next.Traits, next.Lock, next.MergedInto = 2, map[string]any{"name": "Bee"}, nil, "p9"
	if err := ps.Replace(ctx, next, 1); err != nil {
		t.Fatalf("Replace at the stored version: %v", err)
	}
	got, err := ps.Get(ctx, acme, "p1")
	if err != nil || got.Version != 2 || got.Traits["name"] != "Bee" || got.Lock != nil || got.MergedInto != "p9" {
		t.Fatalf("after Replace = %+v, %v", got, err)
	}
	stale := []struct {
		name    string
		p       *profile.Profile
		version int64
	}{
		{"old version", full(acme, "p1"), 1},
		{"other workspace", full(other, "p1"), 2},
		{"missing", full(acme, "nobody"), 0},
	}
	for _, c := range stale {
		if err := ps.Replace(ctx, c.p, c.version); !errors.Is(err, profile.ErrStale) {
			t.Errorf("%s: err = %v, want ErrStale", c.name, err)
		}
	}
	if got, _ := ps.Get(ctx, acme, "p1"); got.Version != 2 || got.Traits["name"] != "Bee" {
		t.Errorf("a refused Replace wrote: %+v", got)
	}
}

func TestCompatProfilesListAndCount(t *testing.T) {
	st, ctx := open(t)
	ps := st.Profiles()
	seed := []*profile.Profile{
		{ID: "a", Traits: map[string]any{"tier": "gold", "address": map[string]any{"city": "BKK"}},
			Identities: []profile.Identity{{Type: "email", Value: "a@example.com"}, {Type: "phone", Value: "+66812345678"}}, Segments: []string{"s1"}},
		{ID: "b", Traits: map[string]any{"tier": "silver", "address": map[string]any{"city": "CNX"}},
			Identities: []profile.Identity{{Type: "line_uid", Value: "U1"}}},
		{ID: "c", Traits: map[string]any{"tier": "gold"}, Identities: []profile.Identity{{Type: "email", Value: "c@example.com"}},
			Segments: []string{"s2", "s1"}},
		{ID: "d", Traits: map[string]any{"tier": "gold", "address": map[string]any{"city": "BKK"}}},
		{ID: "merged", Traits: map[string]any{"tier": "gold"}, MergedInto: "a", Identities: []profile.Identity{{Type: "email", Value: "m@example.com"}}},
		{ID: "erasing", Traits: map[string]any{"tier": "gold"}, Erasing: true, Segments: []string{"s1"}},
		{ID: "erased", Erased: true},
	}
	for _, p := range seed {
		p.Workspace = acme
		if err := ps.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := ps.Insert(ctx, &profile.Profile{ID: "elsewhere", Workspace: other, Traits: map[string]any{"tier": "gold"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		f     profile.Filter
		after string
		limit int
		want  []string // ids in order
		total int64
	}{
		{"live profiles only", profile.Filter{}, "", 10, []string{"a", "b", "c", "d"}, 4},
		{"trait", profile.Filter{Traits: map[string]any{"tier": "gold"}}, "", 10, []string{"a", "c", "d"}, 3},
		{"dotted trait path", profile.Filter{Traits: map[string]any{"address.city": "BKK"}}, "", 10, []string{"a", "d"}, 2},
		{"identity type in an array of documents", profile.Filter{IdentityType: "email"}, "", 10, []string{"a", "c"}, 2},
		{"trait and identity type", profile.Filter{Traits: map[string]any{"tier": "gold"}, IdentityType: "phone"}, "", 10, []string{"a"}, 1},
		{"no match", profile.Filter{Traits: map[string]any{"tier": "bronze"}}, "", 10, nil, 0},
		{"limit", profile.Filter{}, "", 2, []string{"a", "b"}, 4},
		{"after an id", profile.Filter{}, "b", 10, []string{"c", "d"}, 4},
		{"after an id with a filter and a limit", profile.Filter{Traits: map[string]any{"tier": "gold"}}, "a", 1, []string{"c"}, 3},
		{"segment members", profile.Filter{Segment: "s1"}, "", 10, []string{"a", "c"}, 2},
		{"segment members after an id", profile.Filter{Segment: "s1"}, "a", 10, []string{"c"}, 2},
		{"segment without members", profile.Filter{Segment: "s3"}, "", 10, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ps.List(ctx, acme, tt.f, tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if ids := profileIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("List = %v, want %v", ids, tt.want)
			}
			if n, err := ps.Count(ctx, acme, tt.f); err != nil || n != tt.total {
				t.Errorf("Count = %d, %v; want %d", n, err, tt.total)
			}
		})
	}
}

func TestCompatProfilesErasing(t *testing.T) {
	st, ctx := open(t)
	ps := st.Profiles()
	for _, p := range []*profile.Profile{
		{ID: "e1", Workspace: acme, Erasing: true}, {ID: "e2", Workspace: other, Erasing: true},
		{ID: "live", Workspace: acme}, {ID: "done", Workspace: acme, Erased: true},
	} {
		if err := ps.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ps.Erasing(ctx, 10)
	if ids := profileIDs(got); err != nil || !slices.Equal(slices.Sorted(slices.Values(ids)), []string{"e1", "e2"}) {
		t.Errorf("Erasing = %v, %v; want e1 and e2 of both workspaces", ids, err)
	}
	if got, err := ps.Erasing(ctx, 1); err != nil || len(got) != 1 {
		t.Errorf("Erasing with limit 1 = %d profiles, %v", len(got), err)
	}
}

func profileIDs(ps []*profile.Profile) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// TestCompatProfilesDue: the segment sweep gets the live profiles whose
// time window lapsed, of every workspace, earliest first, and no others.
func TestCompatProfilesDue(t *testing.T) {
	st, ctx := open(t)
	ps := st.Profiles()
	at := func(i int) *time.Time { t := ts(i); return &t }
	for _, p := range []*profile.Profile{
		{ID: "late", Workspace: acme, Reevaluate: at(5)}, {ID: "early", Workspace: other, Reevaluate: at(2)},
		{ID: "future", Workspace: acme, Reevaluate: at(20)}, {ID: "never", Workspace: acme},
		{ID: "merged", Workspace: acme, Reevaluate: at(1), MergedInto: "late"},
		{ID: "erased", Workspace: acme, Reevaluate: at(1), Erased: true},
		{ID: "exact", Workspace: acme, Reevaluate: at(10)},
	} {
		if err := ps.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ps.Due(ctx, ts(10), 10)
	if ids := profileIDs(got); err != nil || !slices.Equal(ids, []string{"early", "late", "exact"}) {
		t.Errorf("Due = %v, %v; want early, late, exact", ids, err)
	}
	if got, err := ps.Due(ctx, ts(10), 1); err != nil || !slices.Equal(profileIDs(got), []string{"early"}) {
		t.Errorf("Due with limit 1 = %v, %v", profileIDs(got), err)
	}
}

// TestCompatProfilesTraitFilterTypes: a trait filter matches as MongoDB's
// equality does: numbers of any kind alike, never a string or a boolean
// for a number, and an array holding the value.
func TestCompatProfilesTraitFilterTypes(t *testing.T) {
	st, ctx := open(t)
	ps := st.Profiles()
	for id, traits := range map[string]map[string]any{
		"int":    {"age": int64(30), "score": int64(1), "tags": []any{"a", "b"}, "first-name": "Ann"},
		"float":  {"age": 30.0, "vip": true},
		"string": {"age": "30", "vip": "true", "tags": "a"},
		"bool":   {"score": true, "vip": false},
	} {
		if err := ps.Insert(ctx, &profile.Profile{ID: id, Workspace: acme, Traits: traits}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		k    string
		v    any
		want []string
	}{
		{"age", 30, []string{"float", "int"}},
		{"age", 30.0, []string{"float", "int"}},
		{"age", "30", []string{"string"}},
		{"score", true, []string{"bool"}},
		{"score", 1, []string{"int"}},
		{"vip", true, []string{"float"}},
		{"vip", false, []string{"bool"}},
		{"tags", "a", []string{"int", "string"}},
		{"tags", "c", nil},
		{"first-name", "Ann", []string{"int"}},
	} {
		f := profile.Filter{Traits: map[string]any{tt.k: tt.v}}
		got, err := ps.List(ctx, acme, f, "", 10)
		if ids := profileIDs(got); err != nil || !slices.Equal(ids, tt.want) {
			t.Errorf("List with %s = %#v: %v, %v; want %v", tt.k, tt.v, ids, err, tt.want)
		}
		if n, err := ps.Count(ctx, acme, f); err != nil || n != int64(len(tt.want)) {
			t.Errorf("Count with %s = %#v: %d, %v; want %d", tt.k, tt.v, n, err, len(tt.want))
		}
	}
}
