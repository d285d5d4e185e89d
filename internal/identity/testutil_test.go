package identity_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/server/servertest"
	"github.com/cdp-dev/cdp/internal/store"
	"github.com/cdp-dev/cdp/internal/workspace"
)

func TestMain(m *testing.M) { servertest.Main(m) }

// clock is a test clock that only moves when told to, so profile ages and
// "set after the merge" are decided by the test, not by the scheduler.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// tick moves the clock one second on.
func (c *clock) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
}

// env is the identity service wired over a fresh database as
// internal/server/app.go wires it, without HTTP.
type env struct {
	st         *store.Store
	clock      *clock
	workspaces *workspace.Service
	profiles   *profile.Service
	ids        *identity.Service
}

// newEnv builds the services on a fresh database. Ids count down ("p9999",
// "p9998", ...), so a profile created later has a smaller id: a survivor
// test that expects the older profile cannot pass by the id tie-break.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st := servertest.Store(t)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	var seq atomic.Int64
	newID := func() string { return fmt.Sprintf("p%04d", 9999-seq.Add(1)) }
	c := &clock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	ws := workspace.NewService(st.Workspaces(), "TH")
	profiles := profile.NewService(profile.Deps{Store: st.Profiles(), Purgers: st.Purgers(), Now: c.Now})
	ids := identity.NewService(identity.Deps{Profiles: profiles, Index: st.Identities(), Events: recounter{st.Events()},
		Merges: st.Merges(), Conflicts: st.Conflicts(), Settings: ws, NewID: newID, Now: c.Now})
	return &env{st: st, clock: c, workspaces: ws, profiles: profiles, ids: ids}
}

// raw turns type, value pairs into raw identifiers.
func raw(pairs ...string) []identity.RawIdentity {
	out := make([]identity.RawIdentity, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, identity.RawIdentity{Type: pairs[i], Value: pairs[i+1]})
	}
	return out
}

// identify runs one identify a second after the previous call and fails the
// test on error.
func (e *env) identify(t *testing.T, ws auth.Workspace, traits map[string]any, pairs ...string) identity.Result {
	t.Helper()
	e.clock.tick()
	r, err := e.ids.Identify(context.Background(), ws, "tester", identity.IdentifyInput{Identities: raw(pairs...), Traits: traits, Source: "test"})
	if err != nil {
		t.Fatalf("identify %v: %v", pairs, err)
	}
	return r
}

// get reads a live profile by id (an absorbed id reads its survivor).
func (e *env) get(t *testing.T, ws auth.Workspace, id string) *profile.Profile {
	t.Helper()
	p, err := e.profiles.Get(context.Background(), ws, id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return p
}

// holder returns the id of the live profile holding the identifier, or "".
func (e *env) holder(t *testing.T, ws auth.Workspace, typ, value string) string {
	t.Helper()
	p, err := e.ids.ByIdentity(context.Background(), ws, identity.RawIdentity{Type: typ, Value: value})
	if err != nil {
		t.Fatalf("by identity %s:%s: %v", typ, value, err)
	}
	if p == nil {
		return ""
	}
	return p.ID
}

// idents lists a profile's identifiers as sorted "type:value" strings.
func idents(p *profile.Profile) []string {
	out := make([]string, 0, len(p.Identities))
	for _, id := range p.Identities {
		out = append(out, id.Type+":"+id.Value)
	}
	slices.Sort(out)
	return out
}

// codes lists the warning codes of a result.
func codes(ws []identity.Warning) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

// listTotal counts the workspace's live profiles.
func (e *env) listTotal(t *testing.T, ws auth.Workspace) int64 {
	t.Helper()
	p, err := e.profiles.List(context.Background(), ws, profile.ListInput{Total: true})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

// recounter recounts a profile's events from scratch, as the server's
// event service does for unmerges.
type recounter struct{ store.Events }

func (r recounter) Recount(ctx context.Context, ws auth.Workspace, ids []string) (profile.Computed, error) {
	evs, err := r.OfProfiles(ctx, ws, ids)
	if err != nil {
		return profile.Computed{}, err
	}
	return event.Recompute(nil, evs, nil, event.DefaultFoldRules()), nil
}
