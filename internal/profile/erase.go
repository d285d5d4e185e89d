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
	_, err = s.update(ctx, ws, p.ID, write{op: op}, func(p *Profile) error {
		p.Erasing, p.Lock = true, &Lock{Op: op, Until: s.now().Add(lockTTL)}
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
	for _, pid := range p.IDs() {
		n, err := s.events.DeleteByProfile(ctx, ws, pid)
		if err != nil {
			return r, err
		}
		m, err := s.ids.DeleteByProfile(ctx, ws, pid) // incl. claims that never reached a document
		if err != nil {
			return r, err
		}
		r.Events, r.Identities = r.Events+n, r.Identities+m
	}
	if err := s.fault("erase:identities"); err != nil {
		return r, err
	}
	if r.RecordsScrubbed, err = s.scrub(ctx, ws, p.IDs()); err != nil {
		return r, err
	}
	op := eraseOp + id
	for _, pid := range append(p.Absorbed, id) { // the marked profile last: it carries the list
		_, err := s.update(ctx, ws, pid, write{op: op, merged: true}, func(p *Profile) error {
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

// scrub strips personal data from the audit records naming the profiles and
// counts each record once.
func (s *Service) scrub(ctx context.Context, ws auth.Workspace, pids []string) (int64, error) {
	seen := map[string]bool{}
	var n int64
	for _, pid := range pids {
		recs, err := s.merges.ByProfile(ctx, ws, pid)
		if err != nil {
			return n, err
		}
		for _, r := range recs {
			seen[r.ID] = true
		}
		if _, err := s.merges.Scrub(ctx, ws, pid); err != nil {
			return n, err
		}
		c, err := s.conflicts.Scrub(ctx, ws, pid)
		if err != nil {
			return n, err
		}
		n += c
	}
	return n + int64(len(seen)), nil
}

// Recover finishes every merge, unmerge and erasure a crash left behind.
// Run it at start; it is idempotent. A record that cannot be finished does
// not stop the others: their errors are returned together.
func (s *Service) Recover(ctx context.Context) (int, error) {
	recs, err := s.merges.Unfinished(ctx, 1000)
	if err != nil {
		return 0, err
	}
	ps, err := s.store.Erasing(ctx, 1000)
	if err != nil {
		return 0, err
	}
	n, failed := 0, []error{}
	for _, rec := range recs {
		if err := s.finish(ctx, rec); err != nil {
			failed = append(failed, fmt.Errorf("merge %s: %w", rec.ID, err))
			continue
		}
		n++
	}
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
