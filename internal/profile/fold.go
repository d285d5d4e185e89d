package profile

import (
	"slices"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/document"
)

// Fold merges an absorbed profile's before-image into the survivor p:
// identities are united (first seen the earliest, last seen the latest),
// each trait keeps the most recently observed value, computed values add up,
// and each consent keeps the latest decision with both histories.
func Fold(p, other *Profile) {
	for _, id := range other.Identities {
		i := slices.IndexFunc(p.Identities, func(x Identity) bool { return x.Type == id.Type && x.Value == id.Value })
		if i < 0 {
			p.Identities = append(p.Identities, id)
			continue
		}
		if id.FirstSeen.Before(p.Identities[i].FirstSeen) {
			p.Identities[i].FirstSeen = id.FirstSeen
		}
		if id.LastSeen.After(p.Identities[i].LastSeen) {
			p.Identities[i].LastSeen = id.LastSeen
		}
	}
	foldTraits(p, other)
	p.Computed = foldComputed(p.Computed, other.Computed)
	for _, c := range other.Consent {
		foldConsent(p, c)
	}
	if other.CreatedAt.Before(p.CreatedAt) {
		p.CreatedAt = other.CreatedAt
	}
	// What marks the absorbed profile's event batches as folded moves with
	// them, so a duplicate delivery racing the merge is not counted again.
	for _, b := range other.AppliedBatches {
		if !p.HasBatch(b) {
			p.MarkBatch(b)
		}
	}
}

// traitTime is when a top-level trait was last set: the latest time of any
// path at or under it.
func traitTime(p *Profile, key string) (time.Time, bool) {
	var at time.Time
	found := false
	for path, t := range p.TraitTimes {
		if path == key || strings.HasPrefix(path, key+".") {
			if !found || t.After(at) {
				at, found = t, true
			}
		}
	}
	return at, found
}

// foldTraits keeps, trait by trait, the value observed most recently.
func foldTraits(p, other *Profile) {
	if p.Traits == nil {
		p.Traits = map[string]any{}
	}
	if p.TraitTimes == nil {
		p.TraitTimes = map[string]time.Time{}
	}
	keys := map[string]bool{}
	for k := range other.Traits {
		keys[k] = true
	}
	for path := range other.TraitTimes {
		keys[strings.SplitN(path, ".", 2)[0]] = true
	}
	for k := range keys {
		theirs, _ := traitTime(other, k)
		ours, have := traitTime(p, k)
		_, ourValue := p.Traits[k]
		if (have || ourValue) && !theirs.After(ours) {
			continue
		}
		if v, ok := other.Traits[k]; ok {
			p.Traits[k] = v
		} else {
			delete(p.Traits, k)
		}
		for path, t := range other.TraitTimes {
			if path == k || strings.HasPrefix(path, k+".") {
				p.TraitTimes[path] = t
			}
		}
	}
}

func foldComputed(a, b Computed) Computed {
	a.EventCount += b.EventCount
	if b.FirstSeen != nil && (a.FirstSeen == nil || b.FirstSeen.Before(*a.FirstSeen)) {
		a.FirstSeen = b.FirstSeen
	}
	if b.LastSeen != nil && (a.LastSeen == nil || b.LastSeen.After(*a.LastSeen)) {
		a.LastSeen = b.LastSeen
	}
	for _, c := range b.Channels {
		if !slices.Contains(a.Channels, c) {
			a.Channels = append(slices.Clone(a.Channels), c)
		}
	}
	slices.Sort(a.Channels)
	a.Orders = foldOrders(a.Orders, b.Orders)
	a.Tallies = foldTallies(a.Tallies, b.Tallies)
	return a
}

func foldConsent(p *Profile, c Consent) {
	i := slices.IndexFunc(p.Consent, func(x Consent) bool { return x.Channel == c.Channel && x.Purpose == c.Purpose })
	if i < 0 {
		p.Consent = append(p.Consent, c)
		return
	}
	mine := &p.Consent[i]
	mine.History = append(slices.Clone(mine.History), c.History...)
	slices.SortStableFunc(mine.History, func(a, b ConsentChange) int { return a.At.Compare(b.At) })
	if len(mine.History) > maxHistory {
		mine.History = mine.History[len(mine.History)-maxHistory:]
	}
	if c.UpdatedAt.After(mine.UpdatedAt) {
		mine.Granted, mine.Source, mine.UpdatedAt = c.Granted, c.Source, c.UpdatedAt
	}
}

// MergeTraits deep-merges patch into the profile's traits, keeping for every
// changed path the time it was observed. A path the profile saw change at a
// later time than at (itself, a parent or a child of it) keeps its value:
// an older observation never overwrites a newer one, whatever order they
// arrive in.
func MergeTraits(p *Profile, patch map[string]any, at time.Time) {
	patch = newerThan(p.TraitTimes, patch, "", at)
	if len(patch) == 0 {
		return
	}
	merged, changed := document.Merge(p.Traits, patch)
	p.Traits = merged
	if p.TraitTimes == nil {
		p.TraitTimes = map[string]time.Time{}
	}
	for _, path := range changed {
		p.TraitTimes[path] = at
	}
}

// newerThan returns the part of patch (under prefix) whose paths were not
// set after at.
func newerThan(times map[string]time.Time, patch map[string]any, prefix string, at time.Time) map[string]any {
	out := make(map[string]any, len(patch))
	for k, v := range patch {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 && !setAfter(times, path, at, false) {
			if kept := newerThan(times, sub, path, at); len(kept) > 0 {
				out[k] = kept
			}
			continue
		}
		if !setAfter(times, path, at, true) {
			out[k] = v
		}
	}
	return out
}

// setAfter reports whether path or one of its parents (and, with below, one
// of its children) was set after at.
func setAfter(times map[string]time.Time, path string, at time.Time, below bool) bool {
	for q, t := range times {
		if !t.After(at) {
			continue
		}
		if q == path || strings.HasPrefix(path, q+".") || (below && strings.HasPrefix(q, path+".")) {
			return true
		}
	}
	return false
}
