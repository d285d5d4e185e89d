package demo

import (
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
)

var now = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func TestBuildIsDeterministic(t *testing.T) {
	a, b := Build(1, 50, now), Build(1, 50, now)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two builds of seed 1 differ")
	}
	if reflect.DeepEqual(a.Customers, Build(2, 50, now).Customers) {
		t.Error("seeds 1 and 2 build the same customers")
	}
	more := Build(1, 60, now)
	if !reflect.DeepEqual(more.Customers[:50], a.Customers) || !reflect.DeepEqual(more.Events[:len(a.Events)], a.Events) {
		t.Error("customers 0-49 change when 60 are built")
	}
}

// TestLaterRunOnlyShiftsTimestamps: a rerun tomorrow sends the same
// messageIds, so the server counts duplicates instead of new events.
func TestLaterRunOnlyShiftsTimestamps(t *testing.T) {
	a, b := Build(1, 50, now), Build(1, 50, now.Add(26*time.Hour))
	if len(a.Events) != len(b.Events) {
		t.Fatalf("%d events, then %d", len(a.Events), len(b.Events))
	}
	for i := range a.Events {
		ea, eb := a.Events[i], b.Events[i]
		if eb.Timestamp.Sub(ea.Timestamp) != 26*time.Hour {
			t.Fatalf("event %d moved by %v, want 26h", i, eb.Timestamp.Sub(ea.Timestamp))
		}
		ea.Timestamp = eb.Timestamp
		if !reflect.DeepEqual(ea, eb) {
			t.Fatalf("event %d differs beyond its timestamp:\n%+v\n%+v", i, ea, eb)
		}
	}
}

var (
	lineUID = regexp.MustCompile(`^U[0-9a-f]{32}$`)
	email   = regexp.MustCompile(`^[a-z]+\.[a-z]+\d+@example\.(com|net|org)$`)
	cityOK  = []string{"Bangkok", "Chiang Mai", "Phuket", "Khon Kaen"}
)

func TestProfileInputsAreValid(t *testing.T) {
	ds := Build(1, 50, now)
	for _, p := range append(slices.Clone(ds.First), ds.Links...) {
		if p.Timestamp.After(now) || p.Timestamp.Before(now.AddDate(-2, 0, -1)) {
			t.Errorf("%+v: timestamp outside the two years before now", p)
		}
		for _, id := range p.Identities {
			checkIdentity(t, id)
		}
		if c, ok := p.Traits["city"]; ok && !slices.Contains(cityOK, c.(string)) {
			t.Errorf("city %q", c)
		}
	}
	got, want := ds.ExpectedProfiles(), len(ds.Customers)
	if got < want || got > len(ds.First) {
		t.Errorf("ExpectedProfiles = %d, want from %d (one per customer) to %d (no merges)", got, want, len(ds.First))
	}
}

func checkIdentity(t *testing.T, id Identity) {
	t.Helper()
	switch id.Type {
	case "phone", "whatsapp":
		n, err := phonenumbers.Parse(id.Value, "US")
		if err != nil || !phonenumbers.IsValidNumber(n) || phonenumbers.Format(n, phonenumbers.E164) != id.Value {
			t.Errorf("%s %q is not a valid E.164 number", id.Type, id.Value)
		}
	case "line_uid":
		if !lineUID.MatchString(id.Value) {
			t.Errorf("line_uid %q is not U and 32 hex digits", id.Value)
		}
	case "email":
		if !email.MatchString(id.Value) {
			t.Errorf("email %q", id.Value)
		}
	case "member_id", "anonymous_id", "device_id", "messenger_psid":
		if id.Value == "" {
			t.Errorf("empty %s", id.Type)
		}
	default:
		t.Errorf("unexpected identity type %q", id.Type)
	}
}

func TestComponents(t *testing.T) {
	in := func(ids ...string) ProfileInput {
		var out []Identity
		for _, v := range ids {
			out = append(out, Identity{"t", v})
		}
		return ProfileInput{Identities: out}
	}
	tests := []struct {
		name string
		obs  []ProfileInput
		want int
	}{
		{"none", nil, 0},
		{"apart", []ProfileInput{in("a"), in("b")}, 2},
		{"shared", []ProfileInput{in("a", "b"), in("b", "c")}, 1},
		{"joined later", []ProfileInput{in("a"), in("b"), in("c"), in("a", "c")}, 2},
		{"chain", []ProfileInput{in("a"), in("b"), in("b", "c"), in("c", "a")}, 1},
	}
	for _, tt := range tests {
		if got := components(tt.obs); got != tt.want {
			t.Errorf("%s: components = %d, want %d", tt.name, got, tt.want)
		}
	}
}
