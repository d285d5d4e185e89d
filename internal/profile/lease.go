package profile

import (
	"context"
	"errors"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
)

// LeaseTTL is how long a multi-document operation's lease on a profile
// lasts. An operation takes milliseconds; a lease that outlives it marks a
// crashed operation, which the next write to the profile finishes.
const LeaseTTL = 30 * time.Second

// Lease sets the operation's lease on a profile, creating a profile whose
// identifiers were claimed but whose document is missing, and returns the
// profile as it was leased.
func (s *Service) Lease(ctx context.Context, ws auth.Workspace, id, op string, merged bool) (*Profile, error) {
	return s.Write(ctx, ws, id, Write{Create: true, Op: op, Merged: merged}, func(p *Profile) error {
		p.Lock = s.NewLease(op)
		return nil
	})
}

// Release applies change (when given) to each profile and lifts the
// operation's lease on it; profiles already gone are skipped.
func (s *Service) Release(ctx context.Context, ws auth.Workspace, ids []string, op string, change func(*Profile)) error {
	for _, id := range ids {
		_, err := s.Write(ctx, ws, id, Write{Op: op, Merged: true}, func(p *Profile) error {
			if change != nil {
				change(p)
			}
			if p.Lock != nil && p.Lock.Op == op {
				p.Lock = nil
			}
			return nil
		})
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}
