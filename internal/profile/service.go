package profile

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// Service is the profile aggregate's entry point: compare-and-swap writes
// guarded by leases, reads, consent and erasure.
type Service struct {
	store    Store
	purge    Purgers
	onChange ChangeHook
	resume   ResumeHook
	now      func() time.Time
	fault    func(step string) error
	docs     keyLocks // one writer per profile document in this process
	instance string   // this process, as named in the leases it takes
	private  bool     // the store belongs to this process alone
	liveness Liveness // whether another instance still runs; nil: assume so
	derive   DeriveHook
	stored   StoredHook
}

// DeriveHook sets what is derived from the rest of a profile (RFM scores,
// segment membership) just before every write of it. It must not do I/O
// that can block for long: it runs under the profile's write lock.
type DeriveHook func(ctx context.Context, p *Profile)

// StoredHook is told of every profile write once it is stored, with the
// segments the profile was a member of before it, under the profile's
// write lock (so changes are told in order per profile).
type StoredHook func(ctx context.Context, p *Profile, segmentsBefore []string)

// OnWrite installs the hooks run around every profile write; the
// composition root calls it once, before serving.
func (s *Service) OnWrite(derive DeriveHook, stored StoredHook) {
	s.derive, s.stored = derive, stored
}

// Liveness reports whether the process instance still runs (it has shown a
// sign of life recently); the composition root provides it from heartbeats
// when several processes share a store.
type Liveness func(ctx context.Context, instance string) (bool, error)

// Purge removes or scrubs what one store keeps about an erased profile and
// counts what it touched.
type Purge func(ctx context.Context, ws auth.Workspace, profileIDs []string) (int64, error)

// Purgers are the stores an erasure clears, wired at the composition root.
type Purgers struct {
	Events     Purge // events stored under the profiles
	Identities Purge // the identity index entries of the profiles
	Records    Purge // merge records and conflicts naming them, reduced to ids
	// Unfolded, when set, erases the person's events stored and not
	// folded yet (before their identifiers go, which those events carry).
	Unfolded func(ctx context.Context, ws auth.Workspace, p *Profile) (int64, error)
}

// ResumeHook finishes the multi-document operation op (a merge or unmerge)
// whose lease outlived its holder. The identity service provides it.
type ResumeHook func(ctx context.Context, ws auth.Workspace, op string) error

// Deps are what a Service needs.
type Deps struct {
	Store    Store
	Purgers  Purgers
	OnChange ChangeHook       // optional
	Now      func() time.Time // optional, defaults to time.Now
	// Instance names this process in the leases it takes; empty picks one.
	Instance string
	// Private says the store belongs to this process alone (the embedded
	// store): a lease taken by any other instance was left by a process
	// that died, and is finished at once instead of waited for.
	Private bool
	// Live, when set, tells whether another instance still runs, so the
	// leases of a replica that died are finished without waiting them out.
	Live Liveness
	// Fault, when set, is called after every step of an erasure; an error
	// stops it there, as a crash would. Tests use it; production leaves it nil.
	Fault func(step string) error
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.OnChange == nil {
		d.OnChange = func(context.Context, *Profile, string) {}
	}
	if d.Fault == nil {
		d.Fault = func(string) error { return nil }
	}
	if d.Instance == "" {
		d.Instance = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
	}
	return &Service{store: d.Store, purge: d.Purgers, onChange: d.OnChange, now: d.Now, fault: d.Fault,
		instance: d.Instance, private: d.Private, liveness: d.Live,
		resume: func(context.Context, auth.Workspace, string) error { return nil },
		derive: func(context.Context, *Profile) {}, stored: func(context.Context, *Profile, []string) {}}
}

// OnStaleLease installs the hook that finishes an operation whose lease
// outlived its holder. The identity service calls it once at construction.
func (s *Service) OnStaleLease(h ResumeHook) { s.resume = h }

// NewLease returns a lease for the operation op, held by this process.
func (s *Service) NewLease(op string) *Lock {
	return &Lock{Op: op, Until: s.now().Add(LeaseTTL), Owner: s.instance}
}

// alive reports whether the lease may still be held by a running operation.
func (s *Service) alive(ctx context.Context, l *Lock) (bool, error) {
	switch {
	case !s.now().Before(l.Until):
		return false, nil // expired: its holder stopped or stalled
	case l.Owner == s.instance:
		return true, nil
	case s.private:
		return false, nil // its process died: only this one uses the store
	case s.liveness == nil || l.Owner == "":
		return true, nil
	default:
		return s.liveness(ctx, l.Owner) // another replica: alive while it beats
	}
}

// Now returns the service clock's time, truncated to the millisecond
// precision the store keeps.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func isConflict(err error) bool { return errs.KindOf(err) == errs.Conflict }
