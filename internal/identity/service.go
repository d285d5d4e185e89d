package identity

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Settings are what identity resolution reads of a workspace's settings:
// the default phone region and the identity rules in force.
type Settings struct {
	Region string
	Rules  Rules
}

// SettingsSource reads a workspace's identity settings; the workspace
// service implements it. Resolution reads them once per request.
type SettingsSource interface {
	IdentitySettings(ctx context.Context, ws auth.Workspace) (Settings, error)
}

// Service resolves identifiers to profiles: preparing them, identify and
// upsert, attach, merge, unmerge, manual merges, conflicts and merge records.
type Service struct {
	profiles  *profile.Service
	index     Store
	events    EventMover
	merges    MergeStore
	conflicts ConflictStore
	settings  SettingsSource
	now       func() time.Time
	newID     func() string
	fault     func(step string) error
	owners    *ownerCache // nil unless the store is the process's own
}

// Deps are what a Service needs.
type Deps struct {
	Profiles  *profile.Service
	Index     Store
	Events    EventMover
	Merges    MergeStore
	Conflicts ConflictStore
	Settings  SettingsSource
	NewID     func() string    // ids of new profiles and records
	Now       func() time.Time // optional, defaults to time.Now
	// Fault, when set, is called after every step of a merge or unmerge; an
	// error stops the operation there, as a crash would. Tests only.
	Fault func(step string) error
	// Private says the store belongs to this process alone (the embedded
	// store): who holds identifiers may then be remembered between reads.
	Private bool
}

// NewService returns a Service and installs it as the profile service's
// hook for finishing operations whose lease outlived their holder.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Fault == nil {
		d.Fault = func(string) error { return nil }
	}
	s := &Service{profiles: d.Profiles, index: d.Index, events: d.Events, merges: d.Merges, conflicts: d.Conflicts,
		settings: d.Settings, now: d.Now, newID: d.NewID, fault: d.Fault}
	if d.Private {
		s.owners = newOwnerCache()
	}
	d.Profiles.OnStaleLease(s.resume)
	return s
}

// Now returns the service clock's time, truncated to the millisecond
// precision the store keeps.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Settings reads the workspace's identity settings: once per request.
func (s *Service) Settings(ctx context.Context, ws auth.Workspace) (Settings, error) {
	return s.settings.IdentitySettings(ctx, ws)
}

// ErrBusy means the profiles a request needs are being merged, unmerged or
// erased and stayed so for longer than the request waits.
var ErrBusy = profile.ErrBusy
