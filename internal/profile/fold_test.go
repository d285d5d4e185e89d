package profile

import (
	"encoding/json"
	"testing"
	"time"
)

func at(h int) time.Time { return time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC) }

func TestFoldTraitsNewestWinsTraitByTrait(t *testing.T) {
	tests := []struct {
		name         string
		mine, theirs *Profile
		want         map[string]any
	}{
		{"theirs newer replaces",
			&Profile{Traits: map[string]any{"name": "Old"}, TraitTimes: map[string]time.Time{"name": at(1)}},
			&Profile{Traits: map[string]any{"name": "New"}, TraitTimes: map[string]time.Time{"name": at(2)}},
			map[string]any{"name": "New"}},
		{"mine newer stays",
			&Profile{Traits: map[string]any{"name": "Mine"}, TraitTimes: map[string]time.Time{"name": at(3)}},
			&Profile{Traits: map[string]any{"name": "Theirs"}, TraitTimes: map[string]time.Time{"name": at(2)}},
			map[string]any{"name": "Mine"}},
		{"missing trait is added, nested time counts",
			&Profile{Traits: map[string]any{"a": 1}, TraitTimes: map[string]time.Time{"a": at(5)}},
			&Profile{Traits: map[string]any{"address": map[string]any{"city": "BKK"}}, TraitTimes: map[string]time.Time{"address.city": at(1)}},
			map[string]any{"a": 1, "address": map[string]any{"city": "BKK"}}},
		{"newer removal removes",
			&Profile{Traits: map[string]any{"tier": "gold"}, TraitTimes: map[string]time.Time{"tier": at(1)}},
			&Profile{Traits: map[string]any{}, TraitTimes: map[string]time.Time{"tier": at(2)}},
			map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			foldTraits(tt.mine, tt.theirs)
			if len(tt.mine.Traits) != len(tt.want) {
				t.Fatalf("got %v, want %v", tt.mine.Traits, tt.want)
			}
			for k, v := range tt.want {
				if m, ok := v.(map[string]any); ok {
					if tt.mine.Traits[k].(map[string]any)["city"] != m["city"] {
						t.Fatalf("got %v, want %v", tt.mine.Traits, tt.want)
					}
				} else if tt.mine.Traits[k] != v {
					t.Fatalf("got %v, want %v", tt.mine.Traits, tt.want)
				}
			}
		})
	}
}

func TestFoldComputed(t *testing.T) {
	a, b, c, d := at(1), at(4), at(0), at(2)
	got := foldComputed(Computed{EventCount: 2, FirstSeen: &a, LastSeen: &b, Channels: []string{"web"}},
		Computed{EventCount: 3, FirstSeen: &c, LastSeen: &d, Channels: []string{"line", "web"}})
	if got.EventCount != 5 || !got.FirstSeen.Equal(c) || !got.LastSeen.Equal(b) || len(got.Channels) != 2 || got.Channels[0] != "line" {
		t.Fatalf("got %+v", got)
	}
}

func TestMergeTraitsNeverLetsAnOlderObservationWin(t *testing.T) {
	p := &Profile{}
	MergeTraits(p, map[string]any{"tier": "gold", "address": map[string]any{"city": "BKK", "zip": "10110"}}, at(5))
	MergeTraits(p, map[string]any{"tier": "silver", "name": "Old", "address": map[string]any{"city": "CNX"}}, at(3))
	MergeTraits(p, map[string]any{"address": map[string]any{"zip": "10500"}}, at(6))
	want := map[string]any{"tier": "gold", "name": "Old", "address": map[string]any{"city": "BKK", "zip": "10500"}}
	if got, _ := json.Marshal(p.Traits); string(got) != mustJSON(t, want) {
		t.Errorf("traits = %s, want %s", got, mustJSON(t, want))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
