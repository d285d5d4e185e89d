package event

// TEMPORARY: replaced by the real pipeline on main.

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
)

// Append validates rows like Track (item errors by index in Result.Errors,
// warnings), durably stores the valid events under the given batch id and
// returns once they are stored. This stand-in calls Track, which also folds
// them before it returns, and ignores batch.
func (s *Service) Append(ctx context.Context, ws auth.Workspace, actor, batch string, ins []Input) (Result, error) {
	return s.Track(ctx, ws, actor, ins)
}

// Folded reports whether the batch's events are all folded into their
// profiles.
func (s *Service) Folded(ctx context.Context, ws auth.Workspace, batch string) (bool, error) {
	open, err := s.store.BatchOpen(ctx, ws, batch)
	return !open, err
}
