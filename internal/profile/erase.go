package profile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cdp-dev/cdp/internal/auth"
)

// DeletionReport says what an erasure removed.
type DeletionReport struct {
	ProfileID       string
	Profiles        int64 // the profile and the profiles merged into it
	Identities      int64
	Events          int64
	RecordsScrubbed int64 // merge records and conflicts reduced to ids
}

const eraseOp = "erase:"

// Erase removes a profile, the profiles merged into it, their identifiers and
// events, and strips merge records and conflicts that name them down to ids
// (the right to be forgotten). The profile is marked first, so an erasure
// cut short is finished by Recover or the next touch. Identifying the person
// again afterwards creates a fresh profile.
func (s *Service) Erase(ctx context.Context, ws auth.Workspace, id string) (DeletionReport, error) {
	p, err := s.Get(ctx, ws, id)
	if err != nil {
		return DeletionReport{}, err
	}
	op := eraseOp + p.ID
	_, err = s.Write(ctx, ws, p.ID, Write{Op: op}, func(p *Profile) error {
		p.Erasing, p.Lock = true, s.NewLease(op)
		return nil
	})
	if err != nil {
		return DeletionReport{}, err
	}
	if err := s.fault("erase:marked"); err != nil {
		return DeletionReport{}, err
	}
	return s.finishErase(ctx, ws, p.ID)
}

func (s *Service) finishErase(ctx context.Context, ws auth.Workspace, id string) (DeletionReport, error) {
	r := DeletionReport{ProfileID: id}
	p, err := s.store.Get(ctx, ws, id)
	if errors.Is(err, ErrNotFound) || (err == nil && p.Erased) {
		return r, nil // already finished
	}
	if err != nil {
		return r, err
	}
	if s.purge.Unfolded != nil {
		if r.Events, err = s.purge.Unfolded(ctx, ws, p); err != nil {
			return r, err
		}
	}
	n, err := s.purge.Events(ctx, ws, p.IDs())
	if r.Events += n; err != nil {
		return r, err
	}
	// Incl. claims that never reached a document.
	if r.Identities, err = s.purge.Identities(ctx, ws, p.IDs()); err != nil {
		return r, err
	}
	if err := s.fault("erase:identities"); err != nil {
		return r, err
	}
	if r.RecordsScrubbed, err = s.purge.Records(ctx, ws, p.IDs()); err != nil {
		return r, err
	}
	op := eraseOp + id
	for _, pid := range append(p.Absorbed, id) { // the marked profile last: it carries the list
		_, err := s.Write(ctx, ws, pid, Write{Op: op, Merged: true}, func(p *Profile) error {
			*p = Profile{ID: p.ID, Workspace: p.Workspace, Version: p.Version, Erased: true}
			return nil
		})
		if err != nil && !errors.Is(err, ErrNotFound) {
			return r, err
		}
		r.Profiles++
	}
	return r, nil
}

// RecoverErasures finishes every erasure a crash left behind. Run it at
// start; it is idempotent. An erasure that cannot be finished does not stop
// the others: their errors are returned together.
func (s *Service) RecoverErasures(ctx context.Context) (int, error) {
	ps, err := s.store.Erasing(ctx, 1000)
	if err != nil {
		return 0, err
	}
	n, failed := 0, []error{}
	for _, p := range ps {
		if _, err := s.finishErase(ctx, p.Workspace, p.ID); err != nil {
			failed = append(failed, fmt.Errorf("erase %s: %w", p.ID, err))
			continue
		}
		n++
	}
	return n, errors.Join(failed...)
}

func isEraseOp(op string) (string, bool) { return strings.CutPrefix(op, eraseOp) }
