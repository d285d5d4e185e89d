package segment

import (
	"slices"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/profile"
)

// Eval reports whether the profile matches the rule at now, using only what
// the profile document holds, and when the answer can next change by time
// alone (zero when it cannot): the moment an event leaves a window.
func Eval(n *Node, p *profile.Profile, now time.Time) (bool, time.Time) {
	var next time.Time
	ok := eval(n, p, now, &next)
	return ok, next
}

func eval(n *Node, p *profile.Profile, now time.Time, next *time.Time) bool {
	switch {
	case n.All != nil:
		ok := true
		for _, c := range n.All { // no short cut: every window's next change counts
			ok = eval(c, p, now, next) && ok
		}
		return ok
	case n.Any != nil:
		ok := false
		for _, c := range n.Any {
			ok = eval(c, p, now, next) || ok
		}
		return ok
	case n.Not != nil:
		return !eval(n.Not, p, now, next)
	case n.Trait != nil:
		v, ok := lookup(p.Traits, n.Trait.Path)
		return match(n.Trait, v, ok)
	case n.Computed != nil:
		v, ok := computedValue(p, n.Computed.Path)
		return match(n.Computed, v, ok)
	case n.Event != nil:
		return evalEvent(n.Event, p, now, next)
	case n.Identity != nil:
		has := slices.ContainsFunc(p.Identities, func(i profile.Identity) bool { return i.Type == n.Identity.Type })
		return has == n.Identity.Exists
	case n.Consent != nil:
		granted := slices.ContainsFunc(p.Consent, func(c profile.Consent) bool {
			return c.Channel == n.Consent.Channel && c.Purpose == profile.DefaultPurpose && c.Granted
		})
		return granted == n.Consent.Granted
	}
	return false
}

func evalEvent(e *EventCond, p *profile.Profile, now time.Time, next *time.Time) bool {
	var n int64
	if t := p.Computed.Tallies[e.Key()]; t != nil {
		if w := e.window(); w > 0 {
			var changes time.Time
			n, changes = t.Within(now, w)
			if !changes.IsZero() && (next.IsZero() || changes.Before(*next)) {
				*next = changes
			}
		} else {
			n = t.N
		}
	}
	c := e.Count
	if c == nil {
		c = &CountCond{Op: GTE, Value: 1}
	}
	return compareNum(float64(n), c.Op, float64(c.Value))
}

func (e *EventCond) window() time.Duration {
	if e.WithinHours > 0 {
		return time.Duration(e.WithinHours) * time.Hour
	}
	return time.Duration(e.WithinDays) * 24 * time.Hour
}

// lookup follows a dotted path into a document.
func lookup(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for part := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}

// computedValue returns the computed value at path, times as time.Time.
func computedValue(p *profile.Profile, path string) (any, bool) {
	c, o := &p.Computed, &p.Computed.Orders
	if rest, ok := strings.CutPrefix(path, "rfm."); ok {
		r := c.RFM
		if r == nil {
			return nil, false
		}
		return map[string]any{"recencyDays": float64(r.RecencyDays), "frequency": float64(r.Frequency),
			"monetary": r.Monetary, "r": float64(r.R), "f": float64(r.F), "m": float64(r.M), "label": r.Label}[rest], true
	}
	switch path {
	case "orderCount":
		return float64(o.Count), true
	case "revenue":
		return o.Revenue, true
	case "averageOrderValue":
		return o.AverageOrderValue(), true
	case "firstOrderAt":
		return timeOf(o.First)
	case "lastOrderAt":
		return timeOf(o.Last)
	case "channelMix":
		return o.ChannelMix(), true
	case "orderChannels":
		return texts(o.Channels), true
	case "eventCount":
		return float64(c.EventCount), true
	case "firstSeen":
		return timeOf(c.FirstSeen)
	case "lastSeen":
		return timeOf(c.LastSeen)
	case "channels":
		return texts(c.Channels), true
	}
	return nil, false
}

func timeOf(t *time.Time) (any, bool) {
	if t == nil {
		return nil, false
	}
	return *t, true
}

func texts(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
