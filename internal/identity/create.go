package identity

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Newcomer is a customer seen for the first time, to be created in bulk.
type Newcomer struct {
	ProfileID string                   // a new id
	ID        Identifier               // the one identifier the customer came with
	Source    string                   // where it was seen
	At        time.Time                // when
	Fill      func(p *profile.Profile) // adds what the profile starts with
}

// reasonCreated is what subscribers are told of a profile CreateMany made.
const reasonCreated = "created"

// CreateMany creates profiles for customers nobody holds an identifier of
// yet, in three writes however many: the profile documents (identifier
// first, as attach does), then the claims, then tombstones for the profiles
// whose claim another request won meanwhile (never born). It reports which
// were born; the others' customers must be resolved one by one.
func (s *Service) CreateMany(ctx context.Context, ws auth.Workspace, rules Rules, news []Newcomer) ([]bool, error) {
	ids := make([]string, len(news))
	for i, n := range news {
		ids[i] = n.ProfileID
	}
	born := make([]bool, len(news))
	ps, err := s.profiles.Create(ctx, ws, ids, func(i int, p *profile.Profile) {
		n := news[i]
		touchIdentities(p, rules, []Identifier{n.ID}, n.Source, n.At)
		n.Fill(p)
		p.Reason = reasonCreated // stored for the other replicas' subscribers
	})
	if err != nil {
		return born, err
	}
	claims := make([]Claim, len(news))
	for i, n := range news {
		claims[i], born[i] = Claim{ID: n.ID, ProfileID: n.ProfileID}, true
	}
	lost, err := s.index.ClaimMany(ctx, ws, claims)
	if err != nil {
		return make([]bool, len(news)), err
	}
	for _, i := range lost {
		born[i] = false
		if err := s.drop(ctx, ws, news[i].ProfileID, []Identifier{news[i].ID}, true); err != nil {
			return born, err
		}
	}
	for i, p := range ps {
		if born[i] {
			s.profiles.Announce(ctx, p, reasonCreated)
		}
	}
	return born, nil
}
