// Package relay tells this replica's subscribers of the profile changes
// other replicas write to the same MongoDB, read from a change stream of
// the profiles collection.
package relay

import (
	"context"

	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Token is a change stream resume token, opaque outside the store.
type Token []byte

// Change is one stored change of a profile document.
type Change struct {
	// Token resumes the stream just after this change.
	Token Token
	// Before is the document as it was before the change, nil when the
	// store could not say (no pre-image) or the change inserted it.
	Before *profile.Profile
	// Insert says the change created the document (Before is nil for sure).
	Insert bool
	// After is the document as the change left it, nil when it deleted it.
	After *profile.Profile
	// Writer names the process that wrote After (Source.Writer of its
	// store), "" for a write from outside cdp.
	Writer string
	// Reason is what the writer told its subscribers of After; "" when it
	// told them nothing.
	Reason string
}

// Source is the change stream of the profiles collection; internal/store
// implements it on MongoDB.
type Source interface {
	// Writer names this process in the profile documents it writes.
	Writer() string
	// PreImages asks the store to keep documents as they were before each
	// change, for Change.Before. It fails when the store refuses (an older
	// MongoDB, or a user without the collMod privilege).
	PreImages(ctx context.Context) error
	// Watch calls fn with each profile change stored after the token (nil:
	// from now on), in the order they were stored, until ctx ends, fn
	// fails or the stream fails. It also calls fn with a Change that has a
	// Token alone once the stream is open and before it returns, so the
	// caller always holds the latest token. It returns the error that
	// stopped it: ctx's error, ErrUnsupported when the store has no change
	// streams, ErrTokenLost when the stream cannot resume from the token,
	// or another (a network failure, a document it could not read: the
	// token then points past it).
	Watch(ctx context.Context, after Token, fn func(Change) error) error
}

// Errors from Source.Watch.
var (
	// ErrUnsupported: change streams need a MongoDB replica set (or a
	// sharded cluster); a standalone server and FerretDB have none.
	ErrUnsupported = errs.New(errs.Unavailable, "the store has no change streams")
	// ErrTokenLost: the changes after the token are no longer in the
	// oplog, or the token is not valid; the stream starts again from now.
	ErrTokenLost = errs.New(errs.Unavailable, "the change stream cannot resume")
)
