package identity

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Merge record statuses, in the order a merge or an unmerge moves through
// them. A record that is not Done, Undone or Aborted is unfinished work that
// Recover, or the next write to one of its profiles, completes.
const (
	StatusPending = "pending" // record written, profiles not all locked
	StatusLocked  = "locked"  // profiles locked and snapshotted
	StatusMoved   = "moved"   // identifiers point at the survivor
	StatusFolded  = "folded"  // survivor folded, absorbed profiles marked
	StatusDone    = "done"
	StatusAborted = "aborted" // a profile was merged elsewhere first; nothing moved
	StatusUndoing = "undoing" // an unmerge is under way
	StatusUndone  = "undone"
)

// MergeRecord is the audit and recovery record of one merge.
type MergeRecord struct {
	ID          string
	Workspace   auth.Workspace
	SurvivorID  string
	AbsorbedIDs []string
	Identifiers []Identifier
	Rule        string // RuleShared or RuleManual
	Actor       string
	Reason      string
	At          time.Time
	UndoneAt    *time.Time
	Status      string
	// Snapshots are the before-images of the survivor (first) and the
	// absorbed profiles, needed to fold and to undo. Erasure removes them.
	Snapshots []*profile.Profile
	// UndoFrom is the survivor as an unmerge found it, with what it learnt
	// since the merge: the unmerge shares that out from this copy, so a
	// resumed unmerge shares it out the same way. Erasure removes it.
	UndoFrom *profile.Profile
}

// Merge rules.
const (
	RuleShared = "shared-identifier"
	RuleManual = "manual"
)

// MergeStore persists merge records.
type MergeStore interface {
	// Create stores a new record.
	Create(ctx context.Context, m *MergeRecord) error
	// Get returns a record, or nil when none exists.
	Get(ctx context.Context, ws auth.Workspace, id string) (*MergeRecord, error)
	// Save replaces a record.
	Save(ctx context.Context, m *MergeRecord) error
	// Unfinished returns up to limit records of any workspace that are not
	// Done, Undone or Aborted.
	Unfinished(ctx context.Context, limit int) ([]*MergeRecord, error)
	// ByProfile returns the records naming the profile as survivor or
	// absorbed, newest first.
	ByProfile(ctx context.Context, ws auth.Workspace, profileID string) ([]*MergeRecord, error)
	// Scrub strips identifiers and snapshots from the records naming the
	// profile and counts them.
	Scrub(ctx context.Context, ws auth.Workspace, profileID string) (int64, error)
}

// Conflict records a merge refused by the identity rules.
type Conflict struct {
	ID          string
	Workspace   auth.Workspace
	ProfileIDs  []string
	Identifiers []Identifier
	Type        string // the type whose limit the merge would break
	ResolvedID  string // where the request's data went
	At          time.Time
}

// ConflictStore persists refused merges.
type ConflictStore interface {
	// Record stores a conflict; one with the same ID is kept as it is.
	Record(ctx context.Context, c *Conflict) error
	// List returns conflicts newest first (by At, then ID), after the
	// position of the conflict `after` when it is given.
	List(ctx context.Context, ws auth.Workspace, after *Conflict, limit int) ([]*Conflict, error)
	// Count counts a workspace's conflicts.
	Count(ctx context.Context, ws auth.Workspace) (int64, error)
	// Scrub strips identifiers from the conflicts naming the profile.
	Scrub(ctx context.Context, ws auth.Workspace, profileID string) (int64, error)
}

// EventMover moves and erases a profile's events; the event store implements it.
type EventMover interface {
	// MoveReceivedWith points the events of profile from received at or after
	// since with any of ids, and none of keep, at profile to.
	MoveReceivedWith(ctx context.Context, ws auth.Workspace, from, to string, since time.Time, ids, keep []Identifier) error
	// Recount recomputes computed values from the events stored under the
	// profile ids (a profile and the ones merged into it).
	Recount(ctx context.Context, ws auth.Workspace, profileIDs []string) (profile.Computed, error)
}
