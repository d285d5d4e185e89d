package profile

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
)

// RawIdentity is an identifier as the client sent it.
type RawIdentity struct{ Type, Value string }

// IdentifyInput is one identify call or one item of a CRM batch.
type IdentifyInput struct {
	Identities []RawIdentity
	Traits     map[string]any
	Source     string
	Timestamp  *time.Time
}

// Result is the outcome of an identify.
type Result struct {
	Profile    *Profile
	Created    bool
	MergedIDs  []string
	identities []identity.Identifier
	at         time.Time
}

// MaxBatch is the largest batch a single call may carry.
const MaxBatch = 1000

// Identify resolves the input's identifiers to one profile (creating it when
// none is known) and merges the traits into it.
func (s *Service) Identify(ctx context.Context, ws auth.Workspace, in IdentifyInput) (Result, error) {
	res, err := s.Upsert(ctx, ws, []IdentifyInput{in})
	if err != nil {
		return Result{}, err
	}
	return res[0], nil
}

// Upsert is the batch form of Identify. Every item is validated before
// anything is written; an invalid item fails the call with its index.
func (s *Service) Upsert(ctx context.Context, ws auth.Workspace, ins []IdentifyInput) ([]Result, error) {
	if len(ins) > MaxBatch {
		return nil, errs.Newf(errs.BadInput, "at most %d profiles per call", MaxBatch)
	}
	ready := make([]Result, len(ins))
	for i, in := range ins {
		r, err := s.validateIdentify(ctx, ws, in)
		if err != nil {
			return nil, errs.AtIndex(err, i)
		}
		ready[i] = r
	}
	for i, in := range ins {
		r := &ready[i]
		p, created, err := s.apply(ctx, ws, r.identities, in.Source, r.at, "identify", func(p *Profile) {
			mergeTraits(p, in.Traits, r.at)
		})
		if err != nil {
			return nil, errs.AtIndex(err, i)
		}
		r.Profile, r.Created, r.MergedIDs = p, created, []string{}
	}
	return ready, nil
}

func (s *Service) validateIdentify(ctx context.Context, ws auth.Workspace, in IdentifyInput) (Result, error) {
	ids, err := s.Normalize(ctx, ws, in.Identities)
	if err != nil {
		return Result{}, err
	}
	if err := document.Validate("traits", in.Traits); err != nil {
		return Result{}, err
	}
	at, err := s.Timestamp(in.Timestamp)
	if err != nil {
		return Result{}, err
	}
	return Result{identities: ids, at: at}, nil
}

// Normalize validates and normalizes raw identifiers with the workspace's
// default phone region, dropping repeats.
func (s *Service) Normalize(ctx context.Context, ws auth.Workspace, raw []RawIdentity) ([]identity.Identifier, error) {
	if len(raw) == 0 {
		return nil, errs.New(errs.BadInput, "at least one identity is required").WithField("identities")
	}
	if len(raw) > 50 {
		return nil, errs.New(errs.BadInput, "at most 50 identities per item").WithField("identities")
	}
	settings, err := s.workspaces.Get(ctx, ws)
	if err != nil {
		return nil, err
	}
	ids := make([]identity.Identifier, 0, len(raw))
	for _, r := range raw {
		id, err := identity.Normalize(r.Type, r.Value, settings.DefaultRegion)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return identity.Dedupe(ids), nil
}

// MaxFuture is how far in the future a client timestamp may lie.
const MaxFuture = 24 * time.Hour

// Timestamp validates a client timestamp; nil means now.
func (s *Service) Timestamp(t *time.Time) (time.Time, error) {
	now := s.now().UTC()
	if t == nil {
		return now, nil
	}
	if t.After(now.Add(MaxFuture)) {
		return time.Time{}, errs.New(errs.BadInput, "timestamp is more than a day in the future").WithField("timestamp")
	}
	return t.UTC(), nil
}

// Resolve finds or creates the profile holding ids and records the
// identifiers on it (first/last seen), then applies change.
func (s *Service) apply(ctx context.Context, ws auth.Workspace, ids []identity.Identifier, source string, at time.Time, reason string, change func(*Profile)) (*Profile, bool, error) {
	res, err := s.resolver.Resolve(ctx, ws, ids)
	if err != nil {
		return nil, false, err
	}
	created := false
	p, err := s.Update(ctx, ws, res.ProfileID, true, reason, func(p *Profile) error {
		created = p.Version == 0
		touchIdentities(p, ids, source, at)
		if change != nil {
			change(p)
		}
		return nil
	})
	return p, created, err
}

// Resolve returns the profile holding ids, creating it when none does, and
// records the identifiers as seen at `at`. Event ingest uses it.
func (s *Service) Resolve(ctx context.Context, ws auth.Workspace, ids []identity.Identifier, source string, at time.Time) (*Profile, error) {
	p, _, err := s.apply(ctx, ws, ids, source, at, "identify", nil)
	return p, err
}

func touchIdentities(p *Profile, ids []identity.Identifier, source string, at time.Time) {
	for _, id := range ids {
		found := false
		for i := range p.Identities {
			pi := &p.Identities[i]
			if pi.Type == id.Type && pi.Value == id.Value {
				found = true
				if at.After(pi.LastSeen) {
					pi.LastSeen = at
				}
				if at.Before(pi.FirstSeen) {
					pi.FirstSeen = at
				}
			}
		}
		if !found {
			p.Identities = append(p.Identities, Identity{Type: id.Type, Value: id.Value, Source: source, FirstSeen: at, LastSeen: at})
		}
	}
}

// mergeTraits deep-merges patch into the profile's traits, keeping for every
// changed path the time it was observed.
func mergeTraits(p *Profile, patch map[string]any, at time.Time) {
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
