package profile

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Backoff paces the retries of a request that lost a race or met another
// operation's lease: exponential from 2 ms to 100 ms, with jitter so that
// racing requests do not retry in step.
type Backoff struct{ b *backoff.ExponentialBackOff }

// NewBackoff returns a Backoff at its first interval.
func NewBackoff() *Backoff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.Multiplier, b.RandomizationFactor = 2*time.Millisecond, 100*time.Millisecond, 2, 0.5
	return &Backoff{b: b}
}

// Wait sleeps for the next interval, or returns ctx's error if it ends first.
func (p *Backoff) Wait(ctx context.Context) error {
	t := time.NewTimer(p.b.NextBackOff())
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
