package profile

import (
	"time"
)

// ConsentSince is the consent of a profile as it was in the before-image
// snap, with the decisions made after mergedAt on top.
func ConsentSince(now, snap []Consent, mergedAt time.Time) []Consent {
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
