package profile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/cdp-dev/cdp/internal/auth"
)

// Write says how a write treats the profile's state.
type Write struct {
	Create bool   // create the profile when it does not exist
	Reason string // published with the change; "" publishes nothing
	Op     string // the operation that may write through its own lease
	Merged bool   // allow writing to an absorbed profile (merge steps)
	// From is the profile as the caller last read it: the first attempt
	// writes on a copy of it instead of reading the profile again (the
	// version check catches a copy that is out of date).
	From *Profile
}

// lockWait bounds how long a write waits for another operation's lock.
const lockWait = 5 * time.Second

// Update applies fn to the stored profile and saves it, retrying when a
// concurrent writer got there first. With create set, a profile that does not
// exist yet is created (its identifiers were claimed by a resolve). fn must be
// deterministic given the profile it is handed: it may run more than once.
// Writing to an absorbed profile fails with ErrMerged.
func (s *Service) Update(ctx context.Context, ws auth.Workspace, id string, create bool, reason string, fn func(*Profile) error) (*Profile, error) {
	return s.Write(ctx, ws, id, Write{Create: create, Reason: reason}, fn)
}

// Write is Update with every option: multi-document operations (merges,
// unmerges, erasures) write through their own lease with it.
func (s *Service) Write(ctx context.Context, ws auth.Workspace, id string, w Write, fn func(*Profile) error) (*Profile, error) {
	deadline := s.now().Add(lockWait)
	p, err := Retry(ctx, maxWriteTries, func() (*Profile, error) {
		p, err := s.attemptWrite(ctx, ws, id, w, fn, deadline)
		w.From = nil // a retry reads the profile as it is now
		return p, err
	})
	if err == nil && p.Reason != "" {
		s.onChange(ctx, p, p.Reason)
	}
	return p, err
}

// maxWriteTries bounds Write's attempts when concurrent writers keep
// winning or another operation keeps its lease.
const maxWriteTries = 202

// attemptWrite is one try of Write. It fails with ErrStale when a concurrent
// writer got there first, and with ErrBusy when another operation's lease
// is in the way (after finishing that operation when its holder died), for
// Retry to try again; with ErrBusy for good once the lock wait is over.
func (s *Service) attemptWrite(ctx context.Context, ws auth.Workspace, id string, w Write, fn func(*Profile) error, deadline time.Time) (*Profile, error) {
	p, done, err := s.tryWrite(ctx, ws, id, w, fn)
	switch {
	case err != nil:
		return nil, backoff.Permanent(err)
	case done:
		return p, nil
	case p == nil:
		return nil, ErrStale
	}
	wait, err := s.blocked(ctx, p)
	if err != nil {
		return nil, backoff.Permanent(err)
	}
	if wait && s.now().After(deadline) {
		return nil, backoff.Permanent(ErrBusy)
	}
	return nil, ErrBusy
}

// tryWrite makes one attempt of Write under the process's lock of the
// document, so writers in one process queue instead of racing; the version
// check still guards against other processes. It returns done when the
// profile was written, the profile itself when another operation's lease is
// in the way, and neither when a concurrent writer got there first.
func (s *Service) tryWrite(ctx context.Context, ws auth.Workspace, id string, w Write, fn func(*Profile) error) (*Profile, bool, error) {
	defer s.docs.lock(string(ws) + "/" + id)()
	p, isNew, err := w.From.copyOf(ws, id), false, error(nil)
	if p == nil {
		p, isNew, err = s.load(ctx, ws, id, w.Create)
	}
	if err != nil {
		return nil, false, err
	}
	if leased, err := gate(p, w); err != nil || leased {
		if leased {
			return p, false, nil
		}
		return nil, false, err
	}
	version, before := p.Version, slices.Clone(p.Segments)
	if err := fn(p); err != nil {
		return nil, false, err
	}
	p.Version, p.UpdatedAt = version+1, s.now().UTC()
	s.derive(ctx, p)
	p.Reason = told(w, p)
	if isNew {
		err = s.store.Insert(ctx, p)
	} else {
		err = s.store.Replace(ctx, p, version)
	}
	switch {
	case err == nil:
		s.stored(ctx, p, before)
		return p, true, nil
	case errors.Is(err, ErrStale) || (isNew && isConflict(err)):
		return nil, false, nil
	default:
		return nil, false, fmt.Errorf("save profile %s: %w", id, err)
	}
}

// told is the reason a write tells subscribers, "" when it tells them
// nothing: absorbed and erasing profiles are not announced.
func told(w Write, p *Profile) string {
	if p.MergedInto != "" || p.Erasing {
		return ""
	}
	return w.Reason
}

// gate refuses writes to erased, erasing and (unless allowed) absorbed
// profiles, and reports whether another operation's lease is in the way.
func gate(p *Profile, w Write) (leased bool, err error) {
	switch {
	case p.Erased:
		return false, ErrNotFound
	case p.MergedInto != "" && !w.Merged:
		return false, ErrMerged
	case p.Lock != nil && p.Lock.Op != w.Op:
		return true, nil
	case p.Erasing && w.Op == "":
		return false, ErrNotFound
	}
	return false, nil
}

func (s *Service) load(ctx context.Context, ws auth.Workspace, id string, create bool) (*Profile, bool, error) {
	p, err := s.store.Get(ctx, ws, id)
	if errors.Is(err, ErrNotFound) && create {
		now := s.now().UTC()
		return &Profile{ID: id, Workspace: ws, Traits: map[string]any{}, TraitTimes: map[string]time.Time{}, CreatedAt: now}, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("load profile %s: %w", id, err)
	}
	return p, false, nil
}

// blocked handles another operation's lease on p and reports whether the
// write should wait and try again. An expired lease is the trace of a
// crashed operation: it is finished first (the "next touch").
func (s *Service) blocked(ctx context.Context, p *Profile) (bool, error) {
	if alive, err := s.alive(ctx, p.Lock); err != nil || alive {
		return alive, err
	}
	if err := s.finishOp(ctx, p.Workspace, p.Lock.Op); err != nil {
		return false, err
	}
	return true, s.Release(ctx, p.Workspace, []string{p.ID}, p.Lock.Op, nil)
}

// finishOp finishes the operation behind a lease that outlived its holder.
func (s *Service) finishOp(ctx context.Context, ws auth.Workspace, op string) error {
	if id, ok := isEraseOp(op); ok {
		_, err := s.finishErase(ctx, ws, id)
		return err
	}
	return s.resume(ctx, ws, op)
}

// Create stores new profiles in one write: each starts empty, with the
// workspace, a first version and the times set, then change fills it. Their
// ids must be new. Subscribers are not told: see Announce. change may set
// the Reason Announce will tell, so that other replicas tell it too.
func (s *Service) Create(ctx context.Context, ws auth.Workspace, ids []string, change func(i int, p *Profile)) ([]*Profile, error) {
	now := s.now().UTC()
	ps := make([]*Profile, len(ids))
	for i, id := range ids {
		p := &Profile{ID: id, Workspace: ws, Traits: map[string]any{}, TraitTimes: map[string]time.Time{}, CreatedAt: now}
		change(i, p)
		p.Version, p.UpdatedAt = 1, now
		s.derive(ctx, p)
		ps[i] = p
	}
	if err := s.store.InsertMany(ctx, ps); err != nil {
		return nil, err
	}
	return ps, nil
}

// Announce tells subscribers of a profile Create stored, once it is born.
func (s *Service) Announce(ctx context.Context, p *Profile, reason string) {
	s.stored(ctx, p, nil)
	s.onChange(ctx, p, reason)
}
