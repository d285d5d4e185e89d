package event

import (
	"context"
	"errors"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
)

// newcomers creates, in bulk, the profiles of the customers among evs that
// nobody holds yet and that came with one identifier, with their events
// already folded and the batch marked as folded on them, before the events
// are stored: a crash in between leaves profiles that count events the
// retry of the batch then stores, and the fold skips as folded. The events
// of a customer whose identifier another request claimed first are left to
// the fold. It returns the profiles created, by id, with their events.
func (s *Service) newcomers(ctx context.Context, ws auth.Workspace, set identity.Settings, evs []*Event) (map[string][]*Event, error) {
	groups, order := map[string][]*Event{}, []string{}
	for _, e := range evs {
		if e.ProfileID != "" || len(e.Identities) != 1 {
			continue
		}
		k := setKey(e.Identities)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], e)
	}
	if len(order) == 0 {
		return nil, nil
	}
	fr, err := s.foldRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	news := make([]identity.Newcomer, len(order))
	for i, k := range order {
		group, pid := groups[k], s.newID()
		first := group[0]
		news[i] = identity.Newcomer{ProfileID: pid, ID: first.Identities[0], Source: first.Channel, At: first.Timestamp,
			Fill: func(p *profile.Profile) { foldOnce(p, pid, group, fr) }}
	}
	born, err := s.identities.CreateMany(ctx, ws, set.Rules, news)
	if err != nil {
		return nil, err
	}
	out := map[string][]*Event{}
	for i, k := range order {
		if !born[i] {
			continue
		}
		for _, e := range groups[k] {
			e.ProfileID, e.folded = news[i].ProfileID, true
		}
		out[news[i].ProfileID] = groups[k]
	}
	return out, nil
}

// uncount takes the events that turned out to be stored already (a
// messageId sent before) back out of the counts of the profiles newcomers
// created with them. First and last seen keep their timestamps: those
// events did happen to the customer.
func (s *Service) uncount(ctx context.Context, ws auth.Workspace, born map[string][]*Event, evs []*Event, dup []bool) error {
	extra := map[string][]*Event{}
	for i, e := range evs {
		if dup[i] && e.folded {
			extra[e.ProfileID] = append(extra[e.ProfileID], e)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	fr, err := s.foldRules(ctx, ws)
	if err != nil {
		return err
	}
	for pid, dups := range extra {
		if _, ok := born[pid]; !ok {
			continue
		}
		_, err := s.profiles.Write(ctx, ws, pid, profile.Write{}, func(p *profile.Profile) error {
			for _, e := range dups {
				p.Computed.Add(fr, e.Fact(), -1)
			}
			p.Computed.EventCount = max(0, p.Computed.EventCount)
			return nil
		})
		if err != nil && !errors.Is(err, profile.ErrMerged) && !errors.Is(err, profile.ErrNotFound) {
			return err // merged or erased meanwhile: the count went with it
		}
	}
	return nil
}
