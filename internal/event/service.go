package event

import (
	"context"
	"sync"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
)

// Options tune the ingest pipeline; zero values take the defaults.
type Options struct {
	// Backlog bounds the events stored but not folded yet. Zero bounds it
	// to about BacklogTime of folding at the measured rate (at least
	// minBacklog events).
	Backlog int
	// BacklogTime is how much folding the backlog may hold when Backlog is
	// zero (default 30s).
	BacklogTime time.Duration
	// AdmitWait is how long a call waits for room in a full backlog before
	// it is answered UNAVAILABLE (default 5s).
	AdmitWait time.Duration
	// GroupMax is the most events one group commit writes (default 5,000).
	GroupMax int
	// CycleMax is the most events one fold cycle takes (default 20,000).
	CycleMax int
	// Parallel is how many identifier sets a cycle resolves at once, and
	// how many profiles it writes at once (default 8). On the embedded
	// store, concurrent profile writes share bulk writes (the store's
	// combine.go): more at once means fewer, larger writes.
	Parallel int
	// OnFolded, when set, is told of every batch folded: how many of its
	// events and when it was stored.
	OnFolded func(ref BatchRef, events int, stored time.Time)
	// OnError, when set, is told of fold cycles that failed (they are
	// retried).
	OnError func(err error)
	// Fault, when set, is asked before each fold cycle ("fold:cycle"); an
	// error fails the cycle as a store outage would (tests only).
	Fault func(step string) error
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.GroupMax, 5000)
	def(&o.CycleMax, 20000)
	def(&o.Parallel, 8)
	if o.BacklogTime <= 0 {
		o.BacklogTime = 30 * time.Second
	}
	if o.AdmitWait <= 0 {
		o.AdmitWait = 5 * time.Second
	}
	return o
}

// Deps are what a Service is built from.
type Deps struct {
	Store      Store
	Identities *identity.Service // resolves events' identifiers
	Profiles   *profile.Service  // reads profiles
	NewID      func() string     // names batches
	Options    Options
	// Shared says other processes use the store too (replicas on one
	// MongoDB): an erasure there cannot reach this process's queue.
	Shared bool
	// FoldRules returns what the workspace's computed values depend on
	// (order types, offline channels, segment event conditions); nil folds
	// with DefaultFoldRules.
	FoldRules func(ctx context.Context, ws auth.Workspace) (*profile.FoldRules, error)
}

// DefaultFoldRules are the rules of a workspace that configured none.
func DefaultFoldRules() *profile.FoldRules {
	return &profile.FoldRules{OrderTypes: []string{"order_completed", "purchase"}, Offline: []string{"store", "pos"}}
}

// Service ingests events: it stores them (group commit) and folds them into
// their profiles in the background.
type Service struct {
	store      Store
	identities *identity.Service
	profiles   *profile.Service
	newID      func() string
	opts       Options
	shared     bool
	foldRules  func(ctx context.Context, ws auth.Workspace) (*profile.FoldRules, error)
	groups     chan *appendReq
	fold       *folder
	// ctx is the context of work done for several callers at once (group
	// commits, fold cycles); Close cancels it, and quit is its Done.
	ctx     context.Context
	cancel  context.CancelFunc
	quit    <-chan struct{}
	workers sync.WaitGroup
}

// groupWriters is how many group commits may be in flight at once.
const groupWriters = 2

// NewService returns a running Service; Close stops it.
func NewService(d Deps) *Service {
	s := &Service{store: d.Store, identities: d.Identities, profiles: d.Profiles, newID: d.NewID,
		opts: d.Options.withDefaults(), shared: d.Shared, groups: make(chan *appendReq), foldRules: d.FoldRules}
	if s.foldRules == nil {
		s.foldRules = func(context.Context, auth.Workspace) (*profile.FoldRules, error) { return DefaultFoldRules(), nil }
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.quit = s.ctx.Done()
	s.fold = newFolder(s)
	for range groupWriters {
		s.workers.Add(1)
		go func() { defer s.workers.Done(); s.writer() }()
	}
	s.workers.Add(2)
	go func() { defer s.workers.Done(); s.fold.run() }()
	go func() { defer s.workers.Done(); s.sweep() }()
	return s
}

// Close stops the writers and the fold after the cycle in progress. What
// is stored and not folded is folded by the next start.
func (s *Service) Close() {
	s.cancel()
	s.workers.Wait()
}

// Status is the state of the fold.
type Status struct {
	Backlog int           // events stored and not folded yet
	Lag     time.Duration // age of the oldest of them
}

// Status reports the fold's backlog and lag.
func (s *Service) Status() Status { return s.fold.status() }
