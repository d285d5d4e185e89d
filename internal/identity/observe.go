package identity

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// maxLiveHops bounds how often an observation follows a profile that was
// merged away while it was being written.
const maxLiveHops = 4

// Sighting is a set of identifiers observed together at one time.
type Sighting struct {
	IDs    []Identifier
	Source string
	At     time.Time
}

// Visit is what observing a profile writes on it.
type Visit struct {
	Seen   []Sighting             // identifiers seen, recorded (within the limits) with their times
	Reason string                 // published with the change
	Change func(*profile.Profile) // traits, computed values: deterministic, it may run twice
	// From is the profile as resolution read it, when it did: the write
	// starts from it instead of reading the profile again.
	From *profile.Profile
}

// ObserveLive is Observe on the live profile: when id was absorbed by a
// merge in the meantime, the visit goes to the profile it was merged into.
func (s *Service) ObserveLive(ctx context.Context, ws auth.Workspace, rules Rules, id string, v Visit) (*profile.Profile, error) {
	for hops := 0; ; hops++ {
		p, err := s.Observe(ctx, ws, rules, id, v)
		if !errors.Is(err, profile.ErrMerged) || hops >= maxLiveHops {
			return p, err
		}
		live, err := s.profiles.Get(ctx, ws, id)
		if err != nil {
			return nil, err
		}
		id, v.From = live.ID, live
	}
}

// Observe records sightings of identifiers on the profile (creating it when
// its identifiers were just claimed for it) and applies the change.
// Identifiers the profile may not hold (a concurrent attach reached the
// type's limit first) are released from the identity index again.
func (s *Service) Observe(ctx context.Context, ws auth.Workspace, rules Rules, id string, v Visit) (*profile.Profile, error) {
	var refused []Identifier
	p, err := s.profiles.Write(ctx, ws, id, profile.Write{Create: true, Reason: v.Reason, From: v.From}, func(p *profile.Profile) error {
		refused = nil
		for _, sg := range v.Seen {
			refused = append(refused, touchIdentities(p, rules, sg.IDs, sg.Source, sg.At)...)
		}
		v.Change(p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range refused {
		if err := s.index.Release(ctx, ws, r, p.ID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// touchIdentities records identifiers as seen at `at`, adding new ones
// within the per-type limits; it returns the identifiers it refused. The
// profile document is written with compare-and-swap, so this is where
// concurrent attaches of a limited type are settled.
func touchIdentities(p *profile.Profile, rules Rules, ids []Identifier, source string, at time.Time) []Identifier {
	var refused []Identifier
	for _, id := range ids {
		i := slices.IndexFunc(p.Identities, func(x profile.Identity) bool { return x.Type == id.Type && x.Value == id.Value })
		if i >= 0 {
			pi := &p.Identities[i]
			if at.After(pi.LastSeen) {
				pi.LastSeen = at
			}
			if at.Before(pi.FirstSeen) {
				pi.FirstSeen = at
			}
			continue
		}
		if max := rules.For(id.Type).MaxPerProfile; max > 0 && countType(p.Identities, id.Type) >= max {
			refused = append(refused, id)
			continue
		}
		p.Identities = append(p.Identities, profile.Identity{Type: id.Type, Value: id.Value, Source: source, FirstSeen: at, LastSeen: at})
	}
	return refused
}

func countType(ids []profile.Identity, typ string) int {
	n := 0
	for _, x := range ids {
		if x.Type == typ {
			n++
		}
	}
	return n
}
