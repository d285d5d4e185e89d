package event

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/profile"
)

// at returns a time h hours after a fixed origin.
func at(h int) *time.Time {
	t := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
	return &t
}

// evs makes events from (hour, channel) pairs.
func evs(pairs ...any) []*Event {
	var out []*Event
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, &Event{Timestamp: *at(pairs[i].(int)), Channel: pairs[i+1].(string)})
	}
	return out
}

func TestFold(t *testing.T) {
	tests := []struct {
		name string
		in   profile.Computed
		evs  []*Event
		want profile.Computed
	}{
		{"no events", profile.Computed{}, nil, profile.Computed{}},
		{"one event", profile.Computed{}, evs(1, "web"),
			profile.Computed{EventCount: 1, FirstSeen: at(1), LastSeen: at(1), Channels: []string{"web"}}},
		{"counts every event", profile.Computed{}, evs(1, "web", 1, "web", 1, "web"),
			profile.Computed{EventCount: 3, FirstSeen: at(1), LastSeen: at(1), Channels: []string{"web"}}},
		{"timestamps out of order", profile.Computed{}, evs(5, "web", 2, "web", 9, "web", 3, "web"),
			profile.Computed{EventCount: 4, FirstSeen: at(2), LastSeen: at(9), Channels: []string{"web"}}},
		{"channels united, sorted and deduped", profile.Computed{}, evs(1, "web", 2, "pos", 3, "line", 4, "web", 5, "pos"),
			profile.Computed{EventCount: 5, FirstSeen: at(1), LastSeen: at(5), Channels: []string{"line", "pos", "web"}}},
		{"empty channel ignored", profile.Computed{}, evs(1, "", 2, "web", 3, ""),
			profile.Computed{EventCount: 3, FirstSeen: at(1), LastSeen: at(3), Channels: []string{"web"}}},
		{"only empty channels", profile.Computed{}, evs(1, "", 2, ""),
			profile.Computed{EventCount: 2, FirstSeen: at(1), LastSeen: at(2)}},
		{"into existing values: widens the range and adds channels",
			profile.Computed{EventCount: 5, FirstSeen: at(10), LastSeen: at(20), Channels: []string{"line", "web"}},
			evs(15, "", 25, "pos", 5, "web"),
			profile.Computed{EventCount: 8, FirstSeen: at(5), LastSeen: at(25), Channels: []string{"line", "pos", "web"}}},
		{"into existing values: inside the range",
			profile.Computed{EventCount: 2, FirstSeen: at(10), LastSeen: at(20), Channels: []string{"web"}},
			evs(10, "web", 20, "web", 15, "web"),
			profile.Computed{EventCount: 5, FirstSeen: at(10), LastSeen: at(20), Channels: []string{"web"}}},
		{"into existing values without first and last seen",
			profile.Computed{EventCount: 1, Channels: []string{"app"}},
			evs(3, "web"),
			profile.Computed{EventCount: 2, FirstSeen: at(3), LastSeen: at(3), Channels: []string{"app", "web"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fold(tt.in, tt.evs, nil)
			if g, w := show(got), show(tt.want); g != w {
				t.Errorf("Fold:\n got %s\nwant %s", g, w)
			}
		})
	}
}

// TestFoldLeavesItsInputAlone: the computed values handed in belong to a
// profile that a failed compare-and-swap retries from, so Fold must not
// write through their slice or pointers.
func TestFoldLeavesItsInputAlone(t *testing.T) {
	channels := make([]string, 2, 8) // spare capacity an in-place append would use
	copy(channels, []string{"line", "web"})
	in := profile.Computed{EventCount: 1, FirstSeen: at(10), LastSeen: at(20), Channels: channels}
	before := show(in)
	got := Fold(in, evs(1, "app", 30, "pos"), nil)
	if after := show(in); after != before {
		t.Errorf("input changed:\n got %s\nwant %s", after, before)
	}
	if spare := channels[:3]; !slices.Equal(spare, []string{"line", "web", ""}) {
		t.Errorf("the input's backing array was written: %q", spare)
	}
	if want := []string{"app", "line", "pos", "web"}; !slices.Equal(got.Channels, want) {
		t.Errorf("channels = %v, want %v", got.Channels, want)
	}
}

// show prints computed values with times, so failures print got and want.
func show(c profile.Computed) string {
	ts := func(t *time.Time) string {
		if t == nil {
			return "nil"
		}
		return t.Format(time.RFC3339)
	}
	return fmt.Sprintf("{count %d, first %s, last %s, channels %q}", c.EventCount, ts(c.FirstSeen), ts(c.LastSeen), c.Channels)
}
