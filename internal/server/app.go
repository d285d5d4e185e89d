// Package server assembles the HTTP server: GraphQL over POST, GET,
// websockets and SSE, health and readiness probes, metrics, request logs and
// graceful shutdown.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/imports"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/pubsub"
	"github.com/cdp-dev/cdp/internal/relay"
	"github.com/cdp-dev/cdp/internal/segment"
	"github.com/cdp-dev/cdp/internal/store"
	"github.com/cdp-dev/cdp/internal/workspace"
	"github.com/cdp-dev/cdp/resolvers"
)

// App is the wired product: domain services over a store, behind HTTP.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	store    *store.Store
	verifier *auth.Verifier
	bus      *pubsub.Bus
	metrics  *metrics
	events   *event.Service
	segments *segment.Service
	imports  *imports.Service
	relay    *relay.Relay // nil on the embedded store
	handler  http.Handler
	streams  sync.WaitGroup // live subscription streams
	rates    *rateLimits
	wsConns  wsCounts // open websockets per token subject
	sse      *sseSingle
	onFolded func(int, time.Duration)
	fault    func(string) error
}

// Deps are what an App is built from.
type Deps struct {
	Config   config.Config
	Logger   *slog.Logger
	Store    *store.Store
	Verifier *auth.Verifier
	Now      func() time.Time // optional
	// Fault stops merges, unmerges and erasures after a step, as a crash
	// would; tests only.
	Fault func(step string) error
	// OnFolded, when set, is told of every event batch folded: how many
	// events and how long after they were stored (benchmarks).
	OnFolded func(events int, delay time.Duration)
	// Shared treats the store as shared with other processes even when it
	// is the embedded one (tests of replicas).
	Shared bool
}

// New wires the domain services and the HTTP handler. It creates indexes and
// finishes work a crash left behind before it returns.
func New(ctx context.Context, d Deps) (*App, error) {
	a := &App{onFolded: d.OnFolded, fault: d.Fault, cfg: d.Config, log: withRequestIDs(d.Logger), store: d.Store, verifier: d.Verifier, bus: pubsub.New(), metrics: newMetrics(),
		rates: newRateLimits(d.Config.Limits)}
	a.sse = &sseSingle{hub: newSSEHub(d.Config.Limits.WSPerSubject, d.Config.Limits.WSSubscriptions), log: a.log}
	if err := d.Store.EnsureIndexes(ctx); err != nil {
		return nil, err
	}
	workspaces := workspace.NewService(d.Store.Workspaces(), d.Config.DefaultRegion)
	instance := newInstance()
	live, err := liveness(ctx, d.Store, instance, d.Logger)
	if err != nil {
		return nil, err
	}
	purgers := d.Store.Purgers()
	var identities *identity.Service
	purgers.Unfolded = func(ctx context.Context, ws auth.Workspace, p *profile.Profile) (int64, error) {
		identities.IdentifiersMoved()
		return a.events.EraseUnfolded(ctx, ws, p)
	}
	purgeIdentities := purgers.Identities
	purgers.Identities = func(ctx context.Context, ws auth.Workspace, pids []string) (int64, error) {
		n, err := purgeIdentities(ctx, ws, pids)
		identities.IdentifiersMoved() // after the index let go of them too
		return n, err
	}
	profiles := profile.NewService(profile.Deps{Store: d.Store.Profiles(), Purgers: purgers,
		OnChange: a.publish, Now: d.Now, Fault: d.Fault, Instance: instance, Private: d.Store.Private(), Live: live})
	identities = identity.NewService(identity.Deps{Profiles: profiles, Index: d.Store.Identities(),
		Events: eventMover{d.Store.Events(), &a.events}, Merges: d.Store.Merges(), Conflicts: d.Store.Conflicts(), Settings: workspaces,
		NewID: newID, Now: d.Now, Fault: d.Fault, Private: !shared(d)})
	a.events = event.NewService(event.Deps{Store: d.Store.Events(), Identities: identities, Profiles: profiles,
		NewID: newID, Options: a.ingestOptions(), Shared: shared(d),
		FoldRules: func(ctx context.Context, ws auth.Workspace) (*profile.FoldRules, error) {
			return a.segments.FoldRules(ctx, ws)
		}})
	a.segments = a.newSegments(d, profiles, workspaces)
	profiles.OnWrite(a.segments.Derive, a.segments.Stored)
	a.metrics.watchIngest(a.events.Status)
	if err := a.recover(ctx, identities, profiles); err != nil {
		return nil, err
	}
	if err := a.segments.Start(ctx); err != nil {
		return nil, err
	}
	if err := a.startImports(ctx, d, identities); err != nil {
		return nil, err
	}
	a.startRelay(ctx, d)
	gql := a.newGraphQL(resolvers.New(resolvers.Deps{Profiles: profiles, Identities: identities,
		Events: a.events, Workspaces: workspaces, Imports: a.imports, Segments: a.segments, Bus: a.bus, ItemFailed: a.itemFailed}))
	mux := http.NewServeMux()
	mux.Handle("/graphql", a.authenticate(d.Config.Limits.MaxBody, a.guard(gql)))
	mux.Handle("POST /import/events", a.authenticate(d.Config.ImportMaxBytes, a.importUpload(imports.Events, auth.ScopeEventsWrite)))
	mux.Handle("POST /import/profiles", a.authenticate(d.Config.ImportMaxBytes, a.importUpload(imports.Profiles, auth.ScopeProfilesWrite)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", a.metrics.handler())
	a.handler = a.observe(a.browserHeaders(mux))
	return a, nil
}

// recoverWait bounds how long start-up waits for recovered event batches
// to be folded; the fold goes on in the background after it.
const recoverWait = time.Minute

// recover finishes what a crash left behind: merges, unmerges, erasures,
// then events stored but not applied.
func (a *App) recover(ctx context.Context, identities *identity.Service, profiles *profile.Service) error {
	n, err := identities.Recover(ctx)
	e, err2 := profiles.RecoverErasures(ctx)
	n, err = n+e, errors.Join(err, err2)
	if err != nil {
		// Logged, not fatal: the rest was finished, and a stuck record is
		// retried by the next write to one of its profiles.
		a.log.ErrorContext(ctx, "unfinished identity operations", "err", err)
	}
	// Recovered batches fold in the background; start-up waits for them a
	// while so that a restarted server answers with them folded.
	rctx, cancel := context.WithTimeout(ctx, recoverWait)
	defer cancel()
	m, err := a.events.Recover(rctx)
	if err != nil {
		// Logged, not fatal either: a batch left marked is folded by a retry
		// of its delivery or the next start, and nothing else waits for it.
		a.log.ErrorContext(ctx, "unfolded event batches", "err", err)
	}
	if n+m > 0 {
		a.log.InfoContext(ctx, "finished work left by an interrupted run", "operations", n, "events", m)
	}
	return nil
}

// eventMover is what unmerges need of events: the store moves them, the
// event service recounts them under the workspace's rules.
type eventMover struct {
	store.Events
	events **event.Service
}

// Recount recomputes a profile's computed values from its stored events.
func (m eventMover) Recount(ctx context.Context, ws auth.Workspace, ids []string) (profile.Computed, error) {
	return (*m.events).Recount(ctx, ws, ids)
}

// shared reports whether other processes may write the store.
func shared(d Deps) bool { return d.Shared || !d.Store.Private() }

// ingestOptions are the fold's settings, with its hooks into logs and
// metrics.
func (a *App) ingestOptions() event.Options {
	return event.Options{Backlog: a.cfg.IngestBacklog, AdmitWait: a.cfg.IngestWait, Fault: a.fault,
		OnFolded: func(_ event.BatchRef, n int, stored time.Time) {
			if stored.IsZero() || n == 0 {
				return
			}
			d := time.Since(stored)
			a.metrics.foldDelay.Observe(d.Seconds())
			if a.onFolded != nil {
				a.onFolded(n, d)
			}
		},
		OnError: func(err error) { a.log.Warn("fold cycle failed; retrying", "err", err) },
	}
}

// IngestStatus reports the fold's backlog and lag.
func (a *App) IngestStatus() event.Status { return a.events.Status() }

// startImports wires the bulk import service and resumes the jobs an
// earlier run of this process left running.
func (a *App) startImports(ctx context.Context, d Deps, identities *identity.Service) error {
	var err error
	a.imports, err = imports.NewService(imports.Deps{Store: d.Store.Imports(), Events: a.events, Profiles: identities,
		Dir: d.Config.ImportDir, MaxBytes: d.Config.ImportMaxBytes, NewID: newID, Now: d.Now, Logger: a.log})
	if err != nil {
		return err
	}
	n, err := a.imports.Resume(ctx)
	if err != nil {
		a.imports.Close()
		return err
	}
	if n > 0 {
		a.log.InfoContext(ctx, "resumed imports", "jobs", n)
	}
	return nil
}

// Close stops the background work: import workers stop where they are and
// resume at the next start; then the ingest pipeline stops, and what is
// stored and not folded is folded by the next start. Serve calls it on
// shutdown. Import workers go first: they append events.
func (a *App) Close() {
	if a.relay != nil {
		a.relay.Close()
	}
	if a.imports != nil {
		a.imports.Close()
	}
	a.events.Close()
	a.segments.Close()
}

// startRelay tells this replica's subscribers of the changes other
// replicas store, read from MongoDB's change stream. The embedded store has
// no change stream, and no other replica: it belongs to this process.
func (a *App) startRelay(ctx context.Context, d Deps) {
	if d.Store.Private() {
		a.log.DebugContext(ctx, "change stream relay off: the embedded store has no other replica")
		return
	}
	a.relay = relay.New(relay.Deps{Source: d.Store.ProfileChanges(), Stored: a.segments.Stored, Changed: a.publish, Logger: a.log})
	a.relay.Start(ctx)
}

// newSegments wires the segment service: membership is published on the
// bus, and workspace settings give the computed values' rules.
func (a *App) newSegments(d Deps, profiles *profile.Service, workspaces *workspace.Service) *segment.Service {
	return segment.NewService(segment.Deps{Store: d.Store.Segments(), Profiles: profiles, ProfileList: d.Store.Profiles(),
		Events: a.events, NewID: newID, Now: d.Now, Logger: d.Logger, Private: !shared(d),
		SweepEvery: a.cfg.SegmentSweep, RFMEvery: a.cfg.RFMEvery,
		Settings: func(ctx context.Context, ws auth.Workspace) (segment.Settings, error) {
			st, err := workspaces.Get(ctx, ws)
			return segment.Settings{OrderTypes: st.OrderTypes, OfflineChannels: st.OfflineChannels,
				RFMWindowDays: st.RFMWindowDays}, err
		},
		Publish: func(c segment.Change) { a.bus.Publish(pubsub.SegmentTopic(string(c.Workspace)), c) },
	})
}

// WaitImport returns once the import job's worker has returned, or ctx
// ends; tests use it instead of polling.
func (a *App) WaitImport(ctx context.Context, id string) error { return a.imports.Wait(ctx, id) }

// itemFailed logs the cause of a batch item that failed with an internal
// error; the client was told only "internal error".
func (a *App) itemFailed(ctx context.Context, err error) {
	a.log.ErrorContext(ctx, "batch item failed", "err", err)
}

// publish is the profile change hook: it feeds the profileUpdated
// subscription through the bus.
func (a *App) publish(_ context.Context, p *profile.Profile, reason string) {
	a.bus.Publish(pubsub.ProfileTopic(string(p.Workspace)), profile.Change{Profile: p, Reason: reason})
}

// Handler is the HTTP handler of every route.
func (a *App) Handler() http.Handler { return a.handler }

// CloseStreams ends every subscription (SSE and websocket) cleanly, and
// the single-connection event streams once their operations completed.
func (a *App) CloseStreams() {
	a.bus.Close()
	a.sse.hub.close()
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	if err := a.store.Ping(r.Context()); err != nil {
		a.log.WarnContext(r.Context(), "store unreachable", "err", err)
		http.Error(w, "store unreachable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// newID returns a time-ordered profile id.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// WaitSubscribers blocks until at least n subscriptions are live or ctx ends.
func (a *App) WaitSubscribers(ctx context.Context, n int) error { return a.bus.Wait(ctx, n) }
