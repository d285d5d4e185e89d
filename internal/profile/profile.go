// Package profile keeps one profile per real customer: identities, traits,
// consent and the values computed from their events.
package profile

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
)

// Profile is one customer.
type Profile struct {
	ID         string
	Workspace  auth.Workspace
	Traits     map[string]any
	TraitTimes map[string]time.Time // when each trait path was last set
	Identities []Identity
	Consent    []Consent
	Computed   Computed
	MergedInto string
	// Absorbed lists every profile merged into this one, directly or through
	// earlier merges. Their events stay stored under their own ids and are
	// this profile's events too; each of them points here (one hop).
	Absorbed []string
	// Lock is the lease a merge, unmerge or erasure holds on the profile.
	Lock *Lock
	// AppliedMerges lists the merges already folded into this profile, so a
	// resumed merge never folds twice.
	AppliedMerges []string
	// AppliedBatches remembers the last event batches folded into the
	// computed values (see MarkBatch), so a batch is never folded twice.
	AppliedBatches []string
	// Observations are the identifies a merge survivor received since the
	// merge (see Record).
	Observations []Observation
	// Segments are the ids of the segments the profile is a member of, as
	// evaluated at its last write.
	Segments []string
	// Reevaluate is when a time window in a segment rule next changes
	// what the profile matches (nil: nothing will lapse).
	Reevaluate *time.Time
	// Erasing is set while the profile is being erased.
	Erasing bool
	// Erased marks the tombstone an erasure leaves: no personal data, and
	// it keeps a request that raced the erasure from recreating the profile.
	Erased bool
	// Reason is why the write that stores the profile is made, as told to
	// subscribers ("identify", "event", ...), or "" when it tells them
	// nothing (bulk writes that only move segment membership). Writes set
	// it; on MongoDB it is stored with the document so that other replicas
	// tell their subscribers the same (internal/relay). Reads leave it empty.
	Reason    string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Lock is a lease held by the multi-document operation Op (a merge record
// id) run by the process Owner.
type Lock struct {
	Op    string
	Until time.Time
	Owner string
}

// Identity is an identifier as it sits on a profile.
type Identity struct {
	Type      string
	Value     string
	Source    string
	FirstSeen time.Time
	LastSeen  time.Time
}

// Computed holds the values derived from the profile's events.
type Computed struct {
	FirstSeen  *time.Time
	LastSeen   *time.Time
	EventCount int64
	Channels   []string
	Orders     Orders
	// Tallies count the events matching each event condition of the
	// workspace's segments, by condition key.
	Tallies map[string]*Tally
	// RFM is scored at every write from the workspace's last quintiles.
	RFM *RFM
}

// Consent is the current decision for one channel and purpose.
type Consent struct {
	Channel   string
	Purpose   string
	Granted   bool
	Source    string
	UpdatedAt time.Time
	History   []ConsentChange
}

// ConsentChange is one recorded consent decision.
type ConsentChange struct {
	Granted bool
	Source  string
	At      time.Time
}

// Filter selects profiles in a list.
type Filter struct {
	// Traits maps dotted trait paths to the value they must equal.
	Traits map[string]any
	// IdentityType keeps profiles holding an identifier of this type.
	IdentityType string
	// Segment keeps the members of the segment.
	Segment string
}

// Store persists profiles. Every method is scoped to one workspace.
type Store interface {
	// Get returns the profile, or ErrNotFound.
	Get(ctx context.Context, ws auth.Workspace, id string) (*Profile, error)
	// Insert stores a new profile; an existing id is an errs.Conflict.
	Insert(ctx context.Context, p *Profile) error
	// InsertMany stores new profiles in one write.
	InsertMany(ctx context.Context, ps []*Profile) error
	// Replace stores p if the stored version still equals version; else ErrStale.
	Replace(ctx context.Context, p *Profile, version int64) error
	// ReplaceMany is Replace for many profiles in few writes; stale[i]
	// reports that ps[i] was not stored because its version moved.
	ReplaceMany(ctx context.Context, ps []*Profile, versions []int64) (stale []bool, err error)
	// List returns up to limit profiles after the id `after`, in id order.
	List(ctx context.Context, ws auth.Workspace, f Filter, after string, limit int) ([]*Profile, error)
	// Count returns the number of live profiles matching f.
	Count(ctx context.Context, ws auth.Workspace, f Filter) (int64, error)
	// Erasing returns up to limit profiles of any workspace whose erasure
	// was interrupted.
	Erasing(ctx context.Context, limit int) ([]*Profile, error)
}

// Errors of the profile domain.
var (
	ErrNotFound = errs.New(errs.NotFound, "profile not found")
	ErrStale    = errs.New(errs.Conflict, "profile changed concurrently")
	ErrBusy     = errs.New(errs.Unavailable, "the profile is being merged or erased; retry the request").WithRetryAfter(1)
	// ErrMerged is returned when writing to a profile absorbed by a merge;
	// callers follow MergedInto and write to the survivor.
	ErrMerged = errs.New(errs.Conflict, "the profile was merged into another")
)

// ChangeHook is told of every profile change after it is stored.
type ChangeHook func(ctx context.Context, p *Profile, reason string)

// IDs returns the profile's id followed by the ids merged into it: the ids
// its events are stored under.
func (p *Profile) IDs() []string { return append([]string{p.ID}, p.Absorbed...) }

// Change is a stored profile change, as published to subscribers.
type Change struct {
	Profile *Profile
	Reason  string
}

// copyOf returns a copy of p that a write may change without touching p,
// or nil when p is not the profile id of ws.
func (p *Profile) copyOf(ws auth.Workspace, id string) *Profile {
	if p == nil || p.ID != id || p.Workspace != ws {
		return nil
	}
	c := *p
	c.Traits = document.Clone(p.Traits)
	c.TraitTimes = maps.Clone(p.TraitTimes)
	c.Identities = slices.Clone(p.Identities)
	c.Consent = slices.Clone(p.Consent)
	for i := range c.Consent {
		c.Consent[i].History = slices.Clone(c.Consent[i].History)
	}
	c.Computed = cloneComputed(p.Computed)
	c.Segments = slices.Clone(p.Segments)
	c.Absorbed, c.AppliedMerges = slices.Clone(p.Absorbed), slices.Clone(p.AppliedMerges)
	c.AppliedBatches, c.Observations = slices.Clone(p.AppliedBatches), slices.Clone(p.Observations)
	if p.Lock != nil {
		l := *p.Lock
		c.Lock = &l
	}
	return &c
}
