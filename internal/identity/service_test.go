package identity_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/workspace"
)

const acme auth.Workspace = "acme"

func TestIdentifyCreatesThenFindsTheSameProfile(t *testing.T) {
	e := newEnv(t)
	first := e.identify(t, acme, map[string]any{"name": "Ann"}, "email", "ann@example.com")
	if !first.Created || first.Profile == nil || first.Profile.ID == "" {
		t.Fatalf("first identify = %+v, want a created profile", first)
	}
	again := e.identify(t, acme, map[string]any{"city": "BKK"}, "email", "ann@example.com")
	if again.Created || again.Profile.ID != first.Profile.ID || len(again.MergedIDs) != 0 {
		t.Fatalf("second identify: created %v, id %s, merged %v; want the same profile %s", again.Created, again.Profile.ID, again.MergedIDs, first.Profile.ID)
	}
	if want := map[string]any{"name": "Ann", "city": "BKK"}; !reflect.DeepEqual(again.Profile.Traits, want) {
		t.Errorf("traits = %v, want %v", again.Profile.Traits, want)
	}
	stored := e.get(t, acme, first.Profile.ID)
	if got := idents(stored); !slices.Equal(got, []string{"email:ann@example.com"}) {
		t.Errorf("identities = %v", got)
	}
	if id := stored.Identities[0]; id.Source != "test" || !id.LastSeen.After(id.FirstSeen) {
		t.Errorf("identity = %+v, want source test and lastSeen after firstSeen", id)
	}
	if n := e.listTotal(t, acme); n != 1 {
		t.Errorf("%d live profiles, want 1", n)
	}
}

func TestIdentifyNormalizesIdentifiers(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name          string
		region        string // the workspace's default region; "" keeps TH
		typ           string
		first, second string
		want          string // the identifier as stored
		same          bool   // whether the second value resolves to the first's profile
	}{
		{"email case and spaces", "", "email", "  Ann@Example.COM ", "ann@example.com", "email:ann@example.com", true},
		{"email unicode spaces", "", "email", "\u00a0bob@example.org\u3000", "BOB@example.org", "email:bob@example.org", true},
		{"phone national with TH region", "", "phone", "081-234-5678", "+66 81 234 5678", "phone:+66812345678", true},
		{"phone national with US region", "US", "phone", "(415) 555-2671", "+1 415-555-2671", "phone:+14155552671", true},
		{"phone international ignores region", "US", "phone", "+66 81 234 5678", "+66812345678", "phone:+66812345678", true},
		{"whatsapp like a phone", "", "whatsapp", "+66 81 234 5678", "081 234 5678", "whatsapp:+66812345678", true},
		{"line_uid trimmed", "", "line_uid", " U4af498 ", "U4af498", "line_uid:U4af498", true},
		{"line_uid keeps case", "", "line_uid", "U4af498", "u4af498", "line_uid:U4af498", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := auth.Workspace(fmt.Sprintf("norm%d", i))
			if tt.region != "" {
				if _, err := e.workspaces.Update(context.Background(), ws, workspace.Update{DefaultRegion: &tt.region}); err != nil {
					t.Fatal(err)
				}
			}
			a := e.identify(t, ws, nil, tt.typ, tt.first)
			if got := idents(a.Profile); !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("stored %v, want [%s]", got, tt.want)
			}
			b := e.identify(t, ws, nil, tt.typ, tt.second)
			if same := b.Profile.ID == a.Profile.ID; same != tt.same || b.Created == tt.same {
				t.Errorf("second value %q: same profile %v (created %v), want same %v", tt.second, same, b.Created, tt.same)
			}
		})
	}
}

func TestIdentifyAttachesNewIdentifiers(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name          string
		first, second []string
		want          []string // identifiers on the profile afterwards
		warnings      []string
		unattached    [2]string // an identifier nobody may hold afterwards
	}{
		{name: "new type", first: []string{"email", "a@example.com"}, second: []string{"email", "a@example.com", "line_uid", "U1"},
			want: []string{"email:a@example.com", "line_uid:U1"}, warnings: []string{}},
		{name: "second email within the limit", first: []string{"email", "b@example.com"}, second: []string{"email", "b@example.com", "email", "b2@example.com"},
			want: []string{"email:b2@example.com", "email:b@example.com"}, warnings: []string{}},
		{name: "second crm_id over the limit", first: []string{"crm_id", "C1"}, second: []string{"crm_id", "C1", "crm_id", "C3"},
			want: []string{"crm_id:C1"}, warnings: []string{identity.WarnNotAttached}, unattached: [2]string{"crm_id", "C3"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := auth.Workspace(fmt.Sprintf("attach%d", i))
			a := e.identify(t, ws, nil, tt.first...)
			b := e.identify(t, ws, nil, tt.second...)
			if b.Created || b.Profile.ID != a.Profile.ID {
				t.Fatalf("second identify went to %s (created %v), want %s", b.Profile.ID, b.Created, a.Profile.ID)
			}
			if got := idents(e.get(t, ws, a.Profile.ID)); !slices.Equal(got, tt.want) {
				t.Errorf("identities = %v, want %v", got, tt.want)
			}
			if got := codes(b.Warnings); !slices.Equal(got, tt.warnings) {
				t.Errorf("warnings = %v, want %v", got, tt.warnings)
			}
			for _, id := range a.Profile.Identities {
				if h := e.holder(t, ws, id.Type, id.Value); h != a.Profile.ID {
					t.Errorf("%s:%s held by %q", id.Type, id.Value, h)
				}
			}
			if tt.unattached[0] != "" {
				if h := e.holder(t, ws, tt.unattached[0], tt.unattached[1]); h != "" {
					t.Errorf("%v is held by %s, want nobody", tt.unattached, h)
				}
			}
		})
	}
}

// TestSharedIdentifierMerges joins two profiles through a request carrying
// one identifier of each. The survivor holds the highest-priority
// identifier; on a tie the older profile wins (ids count down in these
// tests, so the older profile has the larger id). Each trait keeps its most
// recently observed value whichever profile survives.
func TestSharedIdentifierMerges(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name         string
		older, newer []string // identifiers of the profile created first, then second
		request      []string
		olderWins    bool
	}{
		{"higher priority beats age", []string{"email", "a@example.com"}, []string{"crm_id", "C1"},
			[]string{"email", "a@example.com", "crm_id", "C1"}, false},
		{"tie goes to the oldest", []string{"email", "old@example.com"}, []string{"email", "new@example.com"},
			[]string{"email", "new@example.com", "email", "old@example.com"}, true},
		{"oldest holds the top type", []string{"member_id", "M1", "device_id", "d1"}, []string{"phone", "+66812345678"},
			[]string{"phone", "081 234 5678", "device_id", "d1"}, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, ws := context.Background(), auth.Workspace(fmt.Sprintf("merge%d", i))
			old := e.identify(t, ws, map[string]any{"name": "Ann", "city": "BKK"}, tt.older...).Profile
			young := e.identify(t, ws, map[string]any{"city": "Chiang Mai", "tier": "gold"}, tt.newer...).Profile
			survivor, absorbed := young, old
			if tt.olderWins {
				survivor, absorbed = old, young
			}
			r := e.identify(t, ws, nil, tt.request...)
			if r.Profile.ID != survivor.ID || r.Created || !slices.Equal(r.MergedIDs, []string{absorbed.ID}) {
				t.Fatalf("merge: profile %s (created %v), merged %v; want survivor %s absorbing %s", r.Profile.ID, r.Created, r.MergedIDs, survivor.ID, absorbed.ID)
			}
			if got := e.get(t, ws, absorbed.ID); got.ID != survivor.ID {
				t.Errorf("Get(absorbed %s) = %s, want the survivor", absorbed.ID, got.ID)
			}
			if st, err := e.profiles.Stored(ctx, ws, absorbed.ID); err != nil || st.MergedInto != survivor.ID {
				t.Errorf("stored absorbed profile: mergedInto %q, err %v", st.MergedInto, err)
			}
			p := e.get(t, ws, survivor.ID)
			want := slices.Sorted(slices.Values(append(idents(old), idents(young)...)))
			if got := idents(p); !slices.Equal(got, want) {
				t.Errorf("survivor identities = %v, want %v", got, want)
			}
			for _, id := range p.Identities {
				if h := e.holder(t, ws, id.Type, id.Value); h != survivor.ID {
					t.Errorf("%s:%s held by %s, want the survivor", id.Type, id.Value, h)
				}
			}
			if want := map[string]any{"name": "Ann", "city": "Chiang Mai", "tier": "gold"}; !reflect.DeepEqual(p.Traits, want) {
				t.Errorf("traits = %v, want %v", p.Traits, want)
			}
			if !slices.Equal(p.Absorbed, []string{absorbed.ID}) || !p.CreatedAt.Equal(old.CreatedAt) {
				t.Errorf("survivor absorbed %v, created %v; want [%s], %v", p.Absorbed, p.CreatedAt, absorbed.ID, old.CreatedAt)
			}
			h, err := e.ids.History(ctx, ws, absorbed.ID)
			if err != nil || len(h) != 1 || h[0].Rule != identity.RuleShared || h[0].Status != identity.StatusDone || h[0].SurvivorID != survivor.ID {
				t.Fatalf("history = %+v, %v", h, err)
			}
			if n := e.listTotal(t, ws); n != 1 {
				t.Errorf("%d live profiles, want 1", n)
			}
		})
	}
}

// TestMergeRefusedByALimit: two profiles that each hold a crm_id (at most
// one per profile) are never merged. The request's data goes to the holder
// of its highest-priority identifier, the conflict is recorded once, and no
// identifier crosses over.
func TestMergeRefusedByALimit(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name        string
		a, b        []string
		request     []string
		wantHolderA bool // the request's top-priority identifier is a's
	}{
		{"email outranks phone", []string{"crm_id", "C1", "email", "a@example.com"}, []string{"crm_id", "C2", "phone", "+66812345678"},
			[]string{"phone", "+66812345678", "email", "a@example.com"}, true},
		{"line_uid outranks phone", []string{"crm_id", "C1", "phone", "+66812345678"}, []string{"crm_id", "C2", "line_uid", "U2"},
			[]string{"phone", "+66812345678", "line_uid", "U2"}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, ws := context.Background(), auth.Workspace(fmt.Sprintf("refuse%d", i))
			a := e.identify(t, ws, nil, tt.a...).Profile
			b := e.identify(t, ws, nil, tt.b...).Profile
			r := e.identify(t, ws, map[string]any{"note": "kept"}, tt.request...)
			holder, other := a, b
			if !tt.wantHolderA {
				holder, other = b, a
			}
			if len(r.MergedIDs) != 0 || r.Profile.ID != holder.ID || r.Profile.Traits["note"] != "kept" {
				t.Fatalf("refused merge: profile %s, traits %v, merged %v; want data on %s", r.Profile.ID, r.Profile.Traits, r.MergedIDs, holder.ID)
			}
			if len(r.Warnings) != 1 || r.Warnings[0].Code != identity.WarnMergeRefused || r.Warnings[0].ConflictID == "" {
				t.Fatalf("warnings = %+v, want one MERGE_REFUSED with a conflict id", r.Warnings)
			}
			for _, p := range []*profile.Profile{a, b} {
				if got := idents(e.get(t, ws, p.ID)); !slices.Equal(got, idents(p)) {
					t.Errorf("profile %s identities = %v, want unchanged %v", p.ID, got, idents(p))
				}
			}
			if _, ok := e.get(t, ws, other.ID).Traits["note"]; ok {
				t.Errorf("the other profile got the request's traits")
			}
			c, err := e.ids.Conflicts(ctx, ws, nil, "")
			if err != nil || c.Total != 1 || len(c.Items) != 1 {
				t.Fatalf("conflicts = %+v, %v", c, err)
			}
			got := c.Items[0]
			if got.ID != r.Warnings[0].ConflictID || got.Type != "crm_id" || got.ResolvedID != holder.ID ||
				!slices.Equal(got.ProfileIDs, slices.Sorted(slices.Values([]string{a.ID, b.ID}))) {
				t.Errorf("conflict = %+v, want type crm_id, resolved to %s, profiles %s and %s", got, holder.ID, a.ID, b.ID)
			}
			again := e.identify(t, ws, nil, tt.request...)
			if len(again.Warnings) != 1 || again.Warnings[0].ConflictID != got.ID {
				t.Errorf("repeated request warnings = %+v, want the same conflict", again.Warnings)
			}
			if c, _ := e.ids.Conflicts(ctx, ws, nil, ""); c.Total != 1 {
				t.Errorf("%d conflicts after a repeat, want 1", c.Total)
			}
			if n := e.listTotal(t, ws); n != 2 {
				t.Errorf("%d live profiles, want 2", n)
			}
		})
	}
}

func TestBlockedValuesAreDroppedWithAWarning(t *testing.T) {
	e := newEnv(t)
	tests := []struct{ name, typ, value, want string }{
		{"email placeholder", "email", "N/A", "N/A"},
		{"phone of zeros", "phone", "0000000000", "0000000000"},
		{"null crm_id", "crm_id", "null", "null"},
		{"junk email any case", "email", " Test@Test.com ", "Test@Test.com"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := auth.Workspace(fmt.Sprintf("blocked%d", i))
			r := e.identify(t, ws, map[string]any{"n": "1"}, tt.typ, tt.value, "line_uid", "U1")
			if len(r.Warnings) != 1 || r.Warnings[0].Code != identity.WarnBlocked || r.Warnings[0].Identity == nil ||
				*r.Warnings[0].Identity != (identity.Identifier{Type: tt.typ, Value: tt.want}) {
				t.Fatalf("warnings = %+v, want IDENTIFIER_BLOCKED for %s:%s", r.Warnings, tt.typ, tt.want)
			}
			if got := idents(r.Profile); !slices.Equal(got, []string{"line_uid:U1"}) || r.Profile.Traits["n"] != "1" {
				t.Fatalf("profile identities %v, traits %v: the rest of the request was not applied", got, r.Profile.Traits)
			}
			if h := e.holder(t, ws, tt.typ, tt.value); h != "" {
				t.Errorf("the blocked value resolves to %s", h)
			}
			other := e.identify(t, ws, nil, tt.typ, tt.value, "line_uid", "U2")
			if other.Profile.ID == r.Profile.ID || len(other.MergedIDs) != 0 {
				t.Errorf("a second customer with the same blocked value joined %s", r.Profile.ID)
			}
			_, err := e.ids.Identify(context.Background(), ws, "tester", identity.IdentifyInput{Identities: raw(tt.typ, tt.value)})
			if errs.KindOf(err) != errs.BadInput {
				t.Errorf("only blocked identifiers: err = %v, want BAD_USER_INPUT", err)
			}
		})
	}
}

func TestManualMergeAndUnmerge(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.identify(t, acme, map[string]any{"name": "Ann", "city": "BKK"}, "email", "ann@example.com").Profile
	b := e.identify(t, acme, map[string]any{"tier": "gold"}, "line_uid", "Uann").Profile

	e.clock.tick()
	merged, err := e.ids.MergeProfiles(ctx, acme, "agent-7", a.ID, []string{b.ID}, "same person, confirmed by phone")
	if err != nil {
		t.Fatal(err)
	}
	if merged.ID != a.ID || !slices.Equal(idents(merged), []string{"email:ann@example.com", "line_uid:Uann"}) {
		t.Fatalf("merged = %s %v", merged.ID, idents(merged))
	}
	if want := map[string]any{"name": "Ann", "city": "BKK", "tier": "gold"}; !reflect.DeepEqual(merged.Traits, want) {
		t.Errorf("merged traits = %v, want %v", merged.Traits, want)
	}
	if got := e.get(t, acme, b.ID).ID; got != a.ID || e.holder(t, acme, "line_uid", "Uann") != a.ID {
		t.Errorf("absorbed id reads %s, line_uid held by %s; want %s", got, e.holder(t, acme, "line_uid", "Uann"), a.ID)
	}
	var rec *identity.MergeRecord
	for _, id := range []string{a.ID, b.ID} {
		h, err := e.ids.History(ctx, acme, id)
		if err != nil || len(h) != 1 {
			t.Fatalf("history of %s = %+v, %v", id, h, err)
		}
		rec = h[0]
	}
	if rec.Rule != identity.RuleManual || rec.Actor != "agent-7" || rec.Reason != "same person, confirmed by phone" ||
		rec.SurvivorID != a.ID || !slices.Equal(rec.AbsorbedIDs, []string{b.ID}) || rec.Status != identity.StatusDone || rec.UndoneAt != nil {
		t.Fatalf("merge record = %+v", rec)
	}

	// After the merge the survivor learns a new city: it stays on the survivor.
	e.identify(t, acme, map[string]any{"city": "Chiang Mai"}, "email", "ann@example.com")
	e.clock.tick()
	out, err := e.ids.Unmerge(ctx, acme, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].ID != a.ID || out[1].ID != b.ID {
		t.Fatalf("unmerge returned %d profiles", len(out))
	}
	pa, pb := e.get(t, acme, a.ID), e.get(t, acme, b.ID)
	if pb.ID != b.ID || pb.MergedInto != "" {
		t.Fatalf("restored id reads %s (mergedInto %q)", pb.ID, pb.MergedInto)
	}
	checks := []struct {
		p      *profile.Profile
		ids    []string
		traits map[string]any
	}{
		{pa, []string{"email:ann@example.com"}, map[string]any{"name": "Ann", "city": "Chiang Mai"}},
		{pb, []string{"line_uid:Uann"}, map[string]any{"tier": "gold"}},
	}
	for _, c := range checks {
		if got := idents(c.p); !slices.Equal(got, c.ids) || !reflect.DeepEqual(c.p.Traits, c.traits) {
			t.Errorf("%s after unmerge: identities %v traits %v; want %v %v", c.p.ID, got, c.p.Traits, c.ids, c.traits)
		}
		if len(c.p.Absorbed) != 0 || c.p.Lock != nil {
			t.Errorf("%s after unmerge: absorbed %v, lock %+v", c.p.ID, c.p.Absorbed, c.p.Lock)
		}
	}
	if h := e.holder(t, acme, "line_uid", "Uann"); h != b.ID {
		t.Errorf("line_uid held by %s after unmerge, want %s", h, b.ID)
	}
	h, err := e.ids.History(ctx, acme, a.ID)
	if err != nil || len(h) != 1 || h[0].Status != identity.StatusUndone || h[0].UndoneAt == nil {
		t.Fatalf("history after unmerge = %+v, %v", h, err)
	}
	if _, err := e.ids.Unmerge(ctx, acme, rec.ID); errs.KindOf(err) != errs.Conflict {
		t.Errorf("second unmerge: err = %v, want CONFLICT", err)
	}
	if _, err := e.ids.Unmerge(ctx, acme, "nope"); errs.KindOf(err) != errs.NotFound {
		t.Errorf("unmerge of an unknown record: err = %v, want NOT_FOUND", err)
	}
}

func TestManualMergeRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.identify(t, acme, nil, "crm_id", "C1").Profile
	b := e.identify(t, acme, nil, "crm_id", "C2").Profile
	tests := []struct {
		name     string
		survivor string
		ids      []string
		want     errs.Kind
	}{
		{"limit would break", a.ID, []string{b.ID}, errs.Conflict},
		{"unknown profile", a.ID, []string{"nope"}, errs.NotFound},
		{"unknown survivor", "nope", []string{b.ID}, errs.NotFound},
		{"no profiles", a.ID, nil, errs.BadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.ids.MergeProfiles(ctx, acme, "agent", tt.survivor, tt.ids, ""); errs.KindOf(err) != tt.want {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if got := e.get(t, acme, b.ID).ID; got != b.ID || e.listTotal(t, acme) != 2 {
		t.Errorf("a refused merge changed the profiles: %s reads %s", b.ID, got)
	}
	if h, err := e.ids.History(ctx, acme, a.ID); err != nil || len(h) != 0 {
		t.Errorf("history after refusals = %+v, %v", h, err)
	}
	if p, err := e.ids.MergeProfiles(ctx, acme, "agent", a.ID, []string{a.ID}, ""); err != nil || p.ID != a.ID {
		t.Errorf("merging a profile into itself = %v, %v; want a no-op", p, err)
	}
}

func TestConflictsAreListedNewestFirst(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var want []string // conflict ids, newest first
	for i := range 3 {
		x, y := fmt.Sprintf("x%d@example.com", i), fmt.Sprintf("y%d@example.com", i)
		e.identify(t, acme, nil, "crm_id", fmt.Sprintf("X%d", i), "email", x)
		e.identify(t, acme, nil, "crm_id", fmt.Sprintf("Y%d", i), "email", y)
		r := e.identify(t, acme, nil, "email", x, "email", y)
		if len(r.Warnings) != 1 || r.Warnings[0].ConflictID == "" {
			t.Fatalf("warnings = %+v, want one MERGE_REFUSED", r.Warnings)
		}
		want = append([]string{r.Warnings[0].ConflictID}, want...)
	}
	two := 2
	p1, err := e.ids.Conflicts(ctx, acme, &two, "")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := e.ids.Conflicts(ctx, acme, &two, p1.Cursors[len(p1.Cursors)-1])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range append(p1.Items, p2.Items...) {
		got = append(got, c.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("conflicts = %v, want %v", got, want)
	}
	if p1.Total != 3 || !p1.HasNext || p1.HasPrev || p2.HasNext || !p2.HasPrev || len(p2.Items) != 1 {
		t.Errorf("pages: total %d, first next %v prev %v, second next %v prev %v (%d items)", p1.Total, p1.HasNext, p1.HasPrev, p2.HasNext, p2.HasPrev, len(p2.Items))
	}
	if c, err := e.ids.Conflicts(ctx, "other", nil, ""); err != nil || c.Total != 0 || len(c.Items) != 0 {
		t.Errorf("another workspace sees %+v, %v", c, err)
	}
	if _, err := e.ids.Conflicts(ctx, acme, nil, "not a cursor"); errs.KindOf(err) != errs.BadInput {
		t.Errorf("bad cursor: err = %v, want BAD_USER_INPUT", err)
	}
}

func TestByIdentity(t *testing.T) {
	e := newEnv(t)
	ann := e.identify(t, acme, nil, "email", "ann@example.com", "phone", "+66812345678").Profile.ID
	tests := []struct {
		name, ws, typ, value string
		want                 string // holder id; "" means nobody
		err                  errs.Kind
	}{
		{"exact", "acme", "email", "ann@example.com", ann, 0},
		{"normalized email", "acme", "email", "  ANN@Example.com", ann, 0},
		{"national phone in the default region", "acme", "phone", "081 234 5678", ann, 0},
		{"unknown", "acme", "email", "bob@example.com", "", 0},
		{"blocked", "acme", "email", "null", "", 0},
		{"other workspace", "other", "email", "ann@example.com", "", 0},
		{"invalid email", "acme", "email", "not-an-email", "", errs.BadInput},
		{"invalid type", "acme", "Bad-Type", "x", "", errs.BadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := e.ids.ByIdentity(context.Background(), auth.Workspace(tt.ws), identity.RawIdentity{Type: tt.typ, Value: tt.value})
			if tt.err != 0 {
				if errs.KindOf(err) != tt.err || p != nil {
					t.Fatalf("= %v, %v; want %v", p, err, tt.err)
				}
				return
			}
			got := ""
			if p != nil {
				got = p.ID
			}
			if err != nil || got != tt.want {
				t.Errorf("= %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestUpsertBatchReturnsTheSurvivorOfALaterMerge(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ins := []identity.IdentifyInput{
		{Identities: raw("email", "x@example.com"), Traits: map[string]any{"a": "1"}},
		{Identities: raw("crm_id", "X1"), Traits: map[string]any{"b": "2"}},
		{Identities: raw("email", "x@example.com", "crm_id", "X1")},
	}
	res, err := e.ids.Upsert(ctx, acme, "tester", ins)
	if err != nil {
		t.Fatal(err)
	}
	survivor := e.holder(t, acme, "crm_id", "X1")
	for i, r := range res {
		if r.Profile.ID != survivor {
			t.Errorf("item %d returned %s, want the survivor %s", i, r.Profile.ID, survivor)
		}
	}
	if !res[0].Created || !res[1].Created || res[2].Created || len(res[2].MergedIDs) != 1 {
		t.Fatalf("created %v %v %v, merged %v", res[0].Created, res[1].Created, res[2].Created, res[2].MergedIDs)
	}
	if got := e.get(t, acme, res[2].MergedIDs[0]).ID; got != survivor || e.holder(t, acme, "email", "x@example.com") != survivor {
		t.Errorf("the absorbed id reads %s, want %s", got, survivor)
	}
	if want := map[string]any{"a": "1", "b": "2"}; !reflect.DeepEqual(res[0].Profile.Traits, want) {
		t.Errorf("item 0 traits = %v, want the survivor's %v", res[0].Profile.Traits, want)
	}
}

func TestUpsertAppliesGoodItemsAndReportsBadOnes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res, err := e.ids.Upsert(ctx, acme, "tester", []identity.IdentifyInput{
		{Identities: raw("email", "ok@example.com")},
		{Identities: raw("email", "not-an-email")},
	})
	if err != nil || res[0].Err != nil || res[1].Err == nil || res[1].Err.Kind != errs.BadInput || res[1].Err.Index != 1 {
		t.Fatalf("Upsert = %+v, %v; want item 0 applied and BAD_USER_INPUT at index 1", res, err)
	}
	if h := e.holder(t, acme, "email", "ok@example.com"); h != res[0].Profile.ID || e.listTotal(t, acme) != 1 {
		t.Errorf("the good item is held by %q, want %s", h, res[0].Profile.ID)
	}
	_, err = e.ids.Upsert(ctx, acme, "tester", make([]identity.IdentifyInput, identity.MaxBatch+1))
	if errs.KindOf(err) != errs.BadInput {
		t.Errorf("%d items: err = %v, want BAD_USER_INPUT", identity.MaxBatch+1, err)
	}
}

// TestUpsertOfAThousandItems runs a full batch: 500 new customers, each
// seen a second time with a new device. It must complete (the embedded
// store deadlocks on write commands with about 100 statements).
func TestUpsertOfAThousandItems(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ins := make([]identity.IdentifyInput, identity.MaxBatch)
	for i := range ins {
		k := i / 2
		ins[i].Identities = raw("email", fmt.Sprintf("u%04d@example.com", k))
		if i%2 == 1 {
			ins[i].Identities = append(ins[i].Identities, raw("device_id", fmt.Sprintf("d%04d", k))...)
		}
	}
	res, err := e.ids.Upsert(ctx, acme, "tester", ins)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(ins) {
		t.Fatalf("%d results for %d items", len(res), len(ins))
	}
	for i := 0; i < len(res); i += 2 {
		if !res[i].Created || res[i+1].Created || res[i+1].Profile.ID != res[i].Profile.ID || len(res[i+1].Profile.Identities) != 2 {
			t.Fatalf("items %d, %d: created %v %v, profiles %s %s", i, i+1, res[i].Created, res[i+1].Created, res[i].Profile.ID, res[i+1].Profile.ID)
		}
	}
	if n := e.listTotal(t, acme); n != int64(len(ins)/2) {
		t.Errorf("%d live profiles, want %d", n, len(ins)/2)
	}
	if h := e.holder(t, acme, "device_id", "d0499"); h != res[998].Profile.ID {
		t.Errorf("the last device is held by %q, want %s", h, res[998].Profile.ID)
	}
}

// TestMergeOfAProfileHoldingAHundredIdentifiers merges a profile that
// collected 100 device ids (no limit per profile) into a crm profile.
func TestMergeOfAProfileHoldingAHundredIdentifiers(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var devices []string
	for i := range 100 {
		devices = append(devices, "device_id", fmt.Sprintf("d%03d", i))
	}
	var phone *profile.Profile
	for len(devices) > 0 { // 40 devices per call: an item carries at most 50 identifiers
		n := min(len(devices), 80)
		phone = e.identify(t, acme, nil, append([]string{"phone", "+66812345678"}, devices[:n]...)...).Profile
		devices = devices[n:]
	}
	crm := e.identify(t, acme, nil, "crm_id", "C1").Profile
	r, err := e.ids.Identify(ctx, acme, "tester", identity.IdentifyInput{Identities: raw("crm_id", "C1", "device_id", "d000")})
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	if r.Profile.ID != crm.ID || !slices.Equal(r.MergedIDs, []string{phone.ID}) || len(r.Profile.Identities) != 102 {
		t.Fatalf("merge: profile %s with %d identifiers, merged %v", r.Profile.ID, len(r.Profile.Identities), r.MergedIDs)
	}
	if h := e.holder(t, acme, "device_id", "d099"); h != crm.ID {
		t.Errorf("d099 held by %s, want %s", h, crm.ID)
	}
}
