package profile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/workspace"
)

// Service is the profile domain's entry point.
type Service struct {
	store      Store
	resolver   *identity.Resolver
	workspaces *workspace.Service
	onChange   ChangeHook
	now        func() time.Time
}

// Deps are what a Service needs.
type Deps struct {
	Store      Store
	Resolver   *identity.Resolver
	Workspaces *workspace.Service
	OnChange   ChangeHook       // optional
	Now        func() time.Time // optional, defaults to time.Now
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.OnChange == nil {
		d.OnChange = func(context.Context, *Profile, string) {}
	}
	return &Service{store: d.Store, resolver: d.Resolver, workspaces: d.Workspaces, onChange: d.OnChange, now: d.Now}
}

// Now returns the service clock's time.
func (s *Service) Now() time.Time { return s.now() }

// maxRetries bounds optimistic-concurrency retries of one profile update.
const maxRetries = 20

// Update applies fn to the stored profile and saves it, retrying when a
// concurrent writer got there first. With create set, a profile that does not
// exist yet is created (its identifiers were claimed by Resolve). fn must be
// deterministic given the profile it is handed: it may run more than once.
func (s *Service) Update(ctx context.Context, ws auth.Workspace, id string, create bool, reason string, fn func(*Profile) error) (*Profile, error) {
	for range maxRetries {
		p, err := s.store.Get(ctx, ws, id)
		isNew := false
		switch {
		case errors.Is(err, ErrNotFound) && create:
			now := s.now().UTC()
			p, isNew = &Profile{ID: id, Workspace: ws, Traits: map[string]any{}, TraitTimes: map[string]time.Time{}, CreatedAt: now}, true
		case err != nil:
			return nil, fmt.Errorf("update profile %s: %w", id, err)
		}
		version := p.Version
		if err := fn(p); err != nil {
			return nil, err
		}
		p.Version = version + 1
		p.UpdatedAt = s.now().UTC()
		if isNew {
			err = s.store.Insert(ctx, p)
		} else {
			err = s.store.Replace(ctx, p, version)
		}
		if err == nil {
			s.onChange(ctx, p, reason)
			return p, nil
		}
		if !errors.Is(err, ErrStale) && !(isNew && isConflict(err)) {
			return nil, fmt.Errorf("save profile %s: %w", id, err)
		}
	}
	return nil, ErrStale
}

func isConflict(err error) bool { return errs.KindOf(err) == errs.Conflict }
