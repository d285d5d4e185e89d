package profile

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// newPace returns the pacing of retries of a request that lost a race or
// met another operation's lease: exponential from 2 ms to 100 ms, with
// jitter so that racing requests do not retry in step.
func newPace() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.Multiplier, b.RandomizationFactor = 2*time.Millisecond, 100*time.Millisecond, 2, 0.5
	return b
}

// Retry runs op until it succeeds, fails with backoff.Permanent, has run
// maxTries times or ctx ends, paced like a request that lost a race (2 ms
// to 100 ms, jittered). It returns op's last result and error, unwrapped
// from backoff.Permanent, or ctx's error.
func Retry[T any](ctx context.Context, maxTries uint, op backoff.Operation[T]) (T, error) {
	res, err := backoff.Retry(ctx, op, backoff.WithBackOff(newPace()), backoff.WithMaxTries(maxTries),
		backoff.WithMaxElapsedTime(0)) // bounded by maxTries and the callers' deadlines
	var p *backoff.PermanentError
	if errors.As(err, &p) { // the last try's permanent error comes back wrapped
		err = p.Unwrap()
	}
	return res, err
}
