package profile

import "time"

// Observation is what one identify or upsert item told a profile that
// survived a merge: its traits and the identifiers it carried. The
// survivor keeps them while a merge folded into it can be undone, so an
// unmerge can give every profile what was observed with its identifiers.
type Observation struct {
	Received time.Time // when the request arrived
	At       time.Time // the observation's own time (the client's timestamp)
	IDs      []string  // the identifiers it carried, as "type:value"
	Traits   map[string]any
}

// maxObservations bounds the observations a profile keeps; an unmerge after
// more than this many identifies gives the oldest of them to the survivor.
const maxObservations = 200

// Record keeps an observation when the profile survived a merge that can
// still be undone; other profiles need none.
func (p *Profile) Record(o Observation) {
	if len(p.AppliedMerges) == 0 {
		return
	}
	p.Observations = append(p.Observations, o)
	if n := len(p.Observations); n > maxObservations {
		p.Observations = p.Observations[n-maxObservations:]
	}
}
