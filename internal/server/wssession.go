package server

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// wsSession is what one authenticated websocket holds: its place in the
// per-subject connection count, its live subscriptions and the release of
// its token-expiry timer.
type wsSession struct {
	key    string // workspace and subject
	subs   atomic.Int64
	cancel context.CancelFunc
}

type wsSessionKey struct{}

func sessionFrom(ctx context.Context) *wsSession {
	s, _ := ctx.Value(wsSessionKey{}).(*wsSession)
	return s
}

// wsCounts counts the open websockets of each token subject; a subject
// with none has no entry, so the map is as big as the open connections.
type wsCounts struct {
	mu sync.Mutex
	n  map[string]int
}

// acquire counts a connection for key unless key holds limit already.
func (c *wsCounts) acquire(key string, limit int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[key] >= limit {
		return false
	}
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[key]++
	return true
}

func (c *wsCounts) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[key]--; c.n[key] <= 0 {
		delete(c.n, key)
	}
}

// wsInit authenticates a websocket from its connection_init payload, counts
// it against its subject's limit, and ends it when the token expires. A bad
// token closes with 4403, too many connections with 4429.
func (a *App) wsInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	p, err := a.verifier.VerifyHeader(ctx, payload.Authorization())
	if err != nil {
		return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeForbidden), "Forbidden"), nil, err
	}
	noteWorkspace(ctx, p)
	s := &wsSession{key: string(p.Workspace) + "\x00" + p.Subject}
	if !a.wsConns.acquire(s.key, a.cfg.Limits.WSPerSubject) {
		err := errs.Newf(errs.RateLimited, "too many websockets for this token subject (limit %d)", a.cfg.Limits.WSPerSubject)
		return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeTooManyInits), "Too many connections"), nil, err
	}
	ctx = auth.WithPrincipal(ctx, p)
	if p.ExpiresAt.IsZero() {
		ctx, s.cancel = context.WithCancel(ctx)
	} else {
		ctx, s.cancel = context.WithDeadline(ctx, p.ExpiresAt)
	}
	return context.WithValue(ctx, wsSessionKey{}, s), nil, nil
}

// wsClose releases a closed websocket's place and its token-expiry timer.
func (a *App) wsClose(ctx context.Context, _ int) {
	if s := sessionFrom(ctx); s != nil {
		s.cancel()
		a.wsConns.release(s.key)
	}
}

// wsAdmit refuses an operation on a websocket past the subject's rate or
// the connection's subscription limit; it returns a release func to call
// when a subscription ends.
func (a *App) wsAdmit(ctx context.Context, s *wsSession, p auth.Principal, subscription bool) (func(), *errs.Error) {
	if e := a.rates.allow(p); e != nil {
		return nil, e
	}
	if !subscription {
		return func() {}, nil
	}
	if s.subs.Add(1) > int64(a.cfg.Limits.WSSubscriptions) {
		s.subs.Add(-1)
		return nil, errs.Newf(errs.BadInput, "too many subscriptions on this websocket (limit %d): stop one first", a.cfg.Limits.WSSubscriptions)
	}
	var once sync.Once
	return func() { once.Do(func() { s.subs.Add(-1) }) }, nil
}
