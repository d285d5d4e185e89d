package profile

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/workspace"
)

// Service is the profile domain's entry point: identity resolution, merges
// and their undo, traits, consent, erasure and reads.
type Service struct {
	store      Store
	ids        identity.Store
	events     EventMover
	merges     MergeStore
	conflicts  ConflictStore
	workspaces *workspace.Service
	onChange   ChangeHook
	now        func() time.Time
	newID      func() string
	fault      func(step string) error
}

// Deps are what a Service needs.
type Deps struct {
	Store      Store
	Identities identity.Store
	Events     EventMover
	Merges     MergeStore
	Conflicts  ConflictStore
	Workspaces *workspace.Service
	NewID      func() string    // ids of new profiles and records
	OnChange   ChangeHook       // optional
	Now        func() time.Time // optional, defaults to time.Now
	// Fault, when set, is called after every step of a merge, unmerge or
	// erasure; an error stops the operation there, as a crash would. Tests
	// use it; production leaves it nil.
	Fault func(step string) error
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.OnChange == nil {
		d.OnChange = func(context.Context, *Profile, string) {}
	}
	if d.Fault == nil {
		d.Fault = func(string) error { return nil }
	}
	return &Service{store: d.Store, ids: d.Identities, events: d.Events, merges: d.Merges, conflicts: d.Conflicts,
		workspaces: d.Workspaces, onChange: d.OnChange, now: d.Now, newID: d.NewID, fault: d.Fault}
}

// NewID returns a new time-ordered id.
func (s *Service) NewID() string { return s.newID() }

// Now returns the service clock's time, truncated to the millisecond
// precision the store keeps.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func isConflict(err error) bool { return errs.KindOf(err) == errs.Conflict }
