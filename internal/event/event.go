// Package event ingests customer events idempotently and keeps the values
// computed from them on the profile up to date.
package event

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
)

// Event is one stored customer event.
type Event struct {
	ID         string // workspace-scoped key derived from MessageID
	Workspace  auth.Workspace
	MessageID  string
	ProfileID  string
	Type       string
	Channel    string
	Properties map[string]any
	Identities []identity.Identifier // what the event was received with
	// Attached are the identifiers resolution put on the profile (not stored).
	Attached []identity.Identifier
	// actor is who sent it (not stored): merges it causes name them.
	actor string
	// folded says it was folded into its profile when the profile was
	// created (not stored): the fold has nothing left to do for it.
	folded     bool
	Timestamp  time.Time
	ReceivedAt time.Time
	// Batch is the trackEvents call that stored the event.
	Batch string
	// Applied is set on tombstones and on events of earlier versions once
	// folded; new events are tracked by their batch's mark instead.
	Applied bool
}

// BatchRef names a batch of stored events of a workspace.
type BatchRef struct {
	Workspace auth.Workspace
	Batch     string
	At        time.Time // when it was stored (zero when not known)
	Events    int       // how many events it stored (0 when not known)
}

// Cursor is a position in a profile's newest-first event list.
type Cursor struct {
	Timestamp time.Time
	ID        string
}

// Store persists events. Every method but Unapplied is scoped to a workspace.
type Store interface {
	// Insert stores events, skipping those whose ID exists; dup[i] reports a skip.
	// Like every write, it may be lost to a power failure until Sync.
	Insert(ctx context.Context, evs []*Event) (dup []bool, err error)
	// Get returns an event by ID, or nil when none is stored.
	Get(ctx context.Context, ws auth.Workspace, id string) (*Event, error)
	// Erase strips the events down to tombstones: their ids stay, so a retry
	// is a duplicate, and nothing personal is left.
	Erase(ctx context.Context, ws auth.Workspace, ids []string) error
	// BatchOpen reports whether the batch is still marked.
	BatchOpen(ctx context.Context, ws auth.Workspace, batch string) (bool, error)
	// OpenBatches returns up to limit marked batches of any workspace, oldest first.
	OpenBatches(ctx context.Context, limit int) ([]BatchRef, error)
	// Mark marks batches as stored but not folded, in one write.
	Mark(ctx context.Context, refs []BatchRef) error
	// Unmark removes the batches' marks, in one write.
	Unmark(ctx context.Context, refs []BatchRef) error
	// ByBatches returns the events the batches stored, in one read.
	ByBatches(ctx context.Context, refs []BatchRef) ([]*Event, error)
	// Erased returns those of the ids that are tombstones.
	Erased(ctx context.Context, ws auth.Workspace, ids []string) ([]string, error)
	// Assign records the profile resolution gave the events.
	Assign(ctx context.Context, ws auth.Workspace, profileID string, ids []string) error
	// MarkApplied sets Applied on the events (events stored by earlier
	// versions, which marked each event).
	MarkApplied(ctx context.Context, ws auth.Workspace, ids []string) error
	// OfProfiles returns every event stored under the profile ids, in one read.
	OfProfiles(ctx context.Context, ws auth.Workspace, profileIDs []string) ([]*Event, error)
	// Each hands fn every event of the workspace (tombstones included),
	// read in one pass in no particular order.
	Each(ctx context.Context, ws auth.Workspace, fn func(*Event) error) error
	// Unapplied returns up to limit events of any workspace not yet applied.
	Unapplied(ctx context.Context, limit int) ([]*Event, error)
	// List returns the events stored under the profile ids (a profile and
	// the ones merged into it) newest first, after the cursor.
	List(ctx context.Context, ws auth.Workspace, profileIDs []string, types []string, after *Cursor, limit int) ([]*Event, error)
	// Count counts the events stored under the profile ids, of the given
	// types (all when empty).
	Count(ctx context.Context, ws auth.Workspace, profileIDs []string, types []string) (int64, error)
	// Sync returns once the writes made before it are durable; concurrent
	// calls share the work. Append syncs its chunk; Track leaves it to its
	// caller (see Track).
	Sync(ctx context.Context) error
}

// Key returns the stored ID of a client's messageId in a workspace: retries of
// the same message map to the same document.
func Key(ws auth.Workspace, messageID string) string {
	return string(ws) + "/" + messageID
}
