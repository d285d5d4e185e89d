package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/cdp-dev/cdp/internal/errs"
)

// DefaultSelectTimeout is how long an operation waits for a reachable store
// before it fails with errs.Unavailable, unless Options or the URI's
// serverSelectionTimeoutMS says otherwise. The driver's own default, 30 s,
// would hold requests while the store is down.
const DefaultSelectTimeout = 3 * time.Second

// unavailableRetry is the retryAfter, in seconds, of an outage error: the
// driver checks a lost server again about every half second.
const unavailableRetry = 1

func init() { errs.RegisterClassifier(Unavailable) }

// Unavailable is the one mapping of driver errors that mean "the store
// cannot be reached now" (server selection timed out, a connection was
// refused or lost, a store operation ran out of time, the client is closed)
// to errs.Unavailable, which clients see as UNAVAILABLE with retryAfter. It
// returns nil for every other error; a canceled context is not an outage.
// It is registered with errs, so every layer classifies driver errors the
// same way without wrapping them itself.
func Unavailable(err error) *errs.Error {
	if !outage(err) {
		return nil
	}
	return errs.Wrap(errs.Unavailable, "the store is unreachable: retry later", err).WithRetryAfter(unavailableRetry)
}

func outage(err error) bool {
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return false
	case errors.As(err, new(topology.ServerSelectionError)),
		errors.As(err, new(topology.ConnectionError)),
		errors.Is(err, mongo.ErrClientDisconnected):
		return true
	}
	return mongo.IsNetworkError(err) || mongo.IsTimeout(err)
}
