package profile

import (
	"context"
	"slices"
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
	Warnings   []Warning
	identities []identity.Identifier
	at         time.Time
}

// MaxBatch is the largest batch a single call may carry.
const MaxBatch = 1000

// Identify resolves the input's identifiers to one profile (creating it when
// none is known) and merges the traits into it.
func (s *Service) Identify(ctx context.Context, ws auth.Workspace, actor string, in IdentifyInput) (Result, error) {
	res, err := s.Upsert(ctx, ws, actor, []IdentifyInput{in})
	if err != nil {
		return Result{}, err
	}
	return res[0], nil
}

// Upsert is the batch form of Identify. Every item is validated before
// anything is written; an invalid item fails the call with its index.
func (s *Service) Upsert(ctx context.Context, ws auth.Workspace, actor string, ins []IdentifyInput) ([]Result, error) {
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
	absorbed := map[string]bool{}
	for i, in := range ins {
		r := &ready[i]
		if err := s.identifyOne(ctx, ws, actor, in, r); err != nil {
			return nil, errs.AtIndex(err, i)
		}
		for _, m := range r.MergedIDs {
			absorbed[m] = true
		}
	}
	for i := range ready { // an item's profile merged by a later item: return the survivor
		if r := &ready[i]; absorbed[r.Profile.ID] {
			p, err := s.Get(ctx, ws, r.Profile.ID)
			if err != nil {
				return nil, errs.AtIndex(err, i)
			}
			r.Profile = p
		}
	}
	return ready, nil
}

func (s *Service) identifyOne(ctx context.Context, ws auth.Workspace, actor string, in IdentifyInput, r *Result) error {
	res, err := s.Resolve(ctx, ws, actor, r.identities)
	if err != nil {
		return err
	}
	seen := []Sighting{{IDs: res.Attached, Source: in.Source, At: r.at}}
	p, err := s.ObserveLive(ctx, ws, res.ProfileID, seen, "identify", func(p *Profile) { mergeTraits(p, in.Traits, r.at) })
	if err != nil {
		return err
	}
	r.Profile, r.Created, r.MergedIDs = p, res.Created, append([]string{}, res.Merged...)
	r.Warnings = append(r.Warnings, res.Warnings...)
	return nil
}

func (s *Service) validateIdentify(ctx context.Context, ws auth.Workspace, in IdentifyInput) (Result, error) {
	ids, err := s.Normalize(ctx, ws, in.Identities)
	if err != nil {
		return Result{}, err
	}
	ids, warns, err := s.Screen(ctx, ws, ids)
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
	return Result{identities: ids, at: at, Warnings: warns}, nil
}

// Screen drops the identifiers the workspace's rules block, with a warning
// for each; it fails when nothing usable is left.
func (s *Service) Screen(ctx context.Context, ws auth.Workspace, ids []identity.Identifier) ([]identity.Identifier, []Warning, error) {
	rules, err := s.workspaces.IdentityRules(ctx, ws)
	if err != nil {
		return nil, nil, err
	}
	usable, blocked := rules.Split(ids)
	var warns []Warning
	for _, id := range blocked {
		warns = append(warns, blockedWarning(id))
	}
	if len(usable) == 0 {
		return nil, warns, errs.New(errs.BadInput, "every identifier is blocked by the workspace's identity rules").WithField("identities")
	}
	return usable, warns, nil
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
	now := s.Now()
	if t == nil {
		return now, nil
	}
	if t.After(now.Add(MaxFuture)) {
		return time.Time{}, errs.New(errs.BadInput, "timestamp is more than a day in the future").WithField("timestamp")
	}
	return t.UTC().Truncate(time.Millisecond), nil
}

// touchIdentities records identifiers as seen at `at`, adding new ones
// within the per-type limits; it returns the identifiers it refused. The
// profile document is written with compare-and-swap, so this is where
// concurrent attaches of a limited type are settled.
func touchIdentities(p *Profile, rules identity.Rules, ids []identity.Identifier, source string, at time.Time) []identity.Identifier {
	var refused []identity.Identifier
	for _, id := range ids {
		i := slices.IndexFunc(p.Identities, func(x Identity) bool { return x.Type == id.Type && x.Value == id.Value })
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
		p.Identities = append(p.Identities, Identity{Type: id.Type, Value: id.Value, Source: source, FirstSeen: at, LastSeen: at})
	}
	return refused
}

func countType(ids []Identity, typ string) int {
	n := 0
	for _, x := range ids {
		if x.Type == typ {
			n++
		}
	}
	return n
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
