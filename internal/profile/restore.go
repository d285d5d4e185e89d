package profile

import (
	"strings"
	"time"
)

// Unfold takes a merge back out of p: traits and consent return to the
// survivor's before-image snap, except what was observed after the merge
// at mergedAt, which keeps its current value.
func Unfold(p, snap *Profile, mergedAt time.Time) {
	restoreTraits(p, snap, mergedAt)
	p.Consent = restoreConsent(p.Consent, snap.Consent, mergedAt)
}

// restoreTraits resets p's traits to the before-image, except the traits set
// after the merge, which keep their current value.
func restoreTraits(p, snap *Profile, mergedAt time.Time) {
	traits := map[string]any{}
	times := map[string]time.Time{}
	for k, v := range snap.Traits {
		traits[k] = v
	}
	for path, t := range snap.TraitTimes {
		times[path] = t
	}
	for path, t := range p.TraitTimes {
		if !t.After(mergedAt) {
			continue
		}
		key := strings.SplitN(path, ".", 2)[0]
		if v, ok := p.Traits[key]; ok {
			traits[key] = v
		} else {
			delete(traits, key)
		}
		times[path] = t
	}
	p.Traits, p.TraitTimes = traits, times
}

// restoreConsent keeps the before-image's consent, except decisions made
// after the merge.
func restoreConsent(now, snap []Consent, mergedAt time.Time) []Consent {
	out := append([]Consent(nil), snap...)
	for _, c := range now {
		if !c.UpdatedAt.After(mergedAt) {
			continue
		}
		replaced := false
		for i := range out {
			if out[i].Channel == c.Channel && out[i].Purpose == c.Purpose {
				out[i], replaced = c, true
			}
		}
		if !replaced {
			out = append(out, c)
		}
	}
	return out
}
