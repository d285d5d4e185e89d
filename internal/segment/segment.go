package segment

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/rfm"
)

// Segment is a named rule; its members are the profiles that match it.
type Segment struct {
	ID          string
	Workspace   auth.Workspace
	Name        string
	Description string
	Rule        *Node
	// Status is Building while existing profiles are being evaluated
	// against a new or changed rule, then Ready.
	Status string
	// Version counts the rule's changes; a build finishes only the version
	// it started for.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Statuses of a segment.
const (
	Building = "BUILDING"
	Ready    = "READY"
)

// Change is a profile entering or leaving a segment, as published.
type Change struct {
	Workspace auth.Workspace
	SegmentID string
	ProfileID string
	Entered   bool
	At        time.Time
}

// RFMState is a workspace's last RFM recomputation: the quintile
// boundaries profiles are scored by at write time.
type RFMState struct {
	Workspace  auth.Workspace
	Boundaries rfm.Boundaries
	WindowDays int
	At         time.Time
}

// Store persists segments and RFM states.
type Store interface {
	// Insert stores a new segment.
	Insert(ctx context.Context, s *Segment) error
	// Replace stores s over the stored segment of the same id.
	Replace(ctx context.Context, s *Segment) error
	// Delete removes a segment; ErrNotFound when there is none.
	Delete(ctx context.Context, ws auth.Workspace, id string) error
	// List returns the workspace's segments by id.
	List(ctx context.Context, ws auth.Workspace) ([]*Segment, error)
	// Building returns the segments of any workspace whose build did not finish.
	Building(ctx context.Context) ([]*Segment, error)
	// SetReady marks the segment ready if its rule is still at version.
	SetReady(ctx context.Context, ws auth.Workspace, id string, version int64) error
	// RFM returns the workspace's RFM state, if it has one.
	RFM(ctx context.Context, ws auth.Workspace) (*RFMState, error)
	// PutRFM stores the workspace's RFM state.
	PutRFM(ctx context.Context, st *RFMState) error
}

// ErrNotFound is returned for a segment that does not exist.
var ErrNotFound = errs.New(errs.NotFound, "segment not found")
