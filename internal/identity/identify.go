package identity

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

// IdentifyInput is one identify call or one item of a CRM batch.
type IdentifyInput struct {
	Identities []RawIdentity
	Traits     map[string]any
	Source     string
	Timestamp  *time.Time
}

// Result is the outcome of an identify.
type Result struct {
	Profile   *profile.Profile
	Created   bool
	MergedIDs []string
	Warnings  []Warning
	// Err says why an Upsert item was not applied; nothing of it was.
	Err        *errs.Error
	identities []Identifier
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
	if res[0].Err != nil {
		return Result{}, res[0].Err
	}
	return res[0], nil
}

// Upsert is the batch form of Identify. Each item succeeds or fails on its
// own: a failed item carries its error (with its index) and nothing of it
// is applied; the others are. Only a call over MaxBatch fails whole.
func (s *Service) Upsert(ctx context.Context, ws auth.Workspace, actor string, ins []IdentifyInput) ([]Result, error) {
	if len(ins) > MaxBatch {
		return nil, errs.Newf(errs.BadInput, "at most %d profiles per call", MaxBatch)
	}
	set, err := s.Settings(ctx, ws)
	if err != nil {
		return nil, err
	}
	ready := make([]Result, len(ins))
	absorbed := map[string]bool{}
	for i, in := range ins {
		r := &ready[i]
		var err error
		if *r, err = s.validateIdentify(set, in); err == nil {
			err = s.identifyOne(ctx, ws, set, actor, in, r)
		}
		if err != nil {
			*r = Result{Err: errs.AtIndex(err, i), Warnings: r.Warnings}
			continue
		}
		for _, m := range r.MergedIDs {
			absorbed[m] = true
		}
	}
	for i := range ready { // an item's profile merged by a later item: return the survivor
		if r := &ready[i]; r.Err == nil && absorbed[r.Profile.ID] {
			p, err := s.profiles.Get(ctx, ws, r.Profile.ID)
			if err != nil {
				*r = Result{Err: errs.AtIndex(err, i)}
				continue
			}
			r.Profile = p
		}
	}
	return ready, nil
}

func (s *Service) identifyOne(ctx context.Context, ws auth.Workspace, set Settings, actor string, in IdentifyInput, r *Result) error {
	res, err := s.Resolve(ctx, ws, set, actor, r.identities, Sighting{Source: in.Source, At: r.at})
	if err != nil {
		return err
	}
	seen := []Sighting{{IDs: res.Attached, Source: in.Source, At: r.at}}
	o := profile.Observation{Received: s.Now(), At: r.at, IDs: keys(r.identities), Traits: in.Traits}
	p, err := s.ObserveLive(ctx, ws, set.Rules, res.ProfileID, Visit{Seen: seen, Reason: "identify", From: res.Profile,
		Change: func(p *profile.Profile) {
			profile.MergeTraits(p, in.Traits, r.at)
			p.Record(o)
		}})
	if err != nil {
		return err
	}
	r.Profile, r.Created, r.MergedIDs = p, res.Created, append([]string{}, res.Merged...)
	r.Warnings = append(r.Warnings, res.Warnings...)
	return nil
}

func (s *Service) validateIdentify(set Settings, in IdentifyInput) (Result, error) {
	ids, warns, err := set.Prepare(in.Identities)
	if err != nil {
		return Result{}, err
	}
	if err := document.Validate("traits", in.Traits); err != nil {
		return Result{}, err
	}
	if err := document.Text("source", in.Source, profile.MaxSource); err != nil {
		return Result{}, err
	}
	at, err := document.Timestamp(in.Timestamp, s.Now())
	if err != nil {
		return Result{}, err
	}
	return Result{identities: ids, at: at, Warnings: warns}, nil
}
