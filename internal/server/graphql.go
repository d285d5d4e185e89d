package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cdp-dev/cdp/graph"
	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/resolvers"
)

// wsInitTimeout is how long a websocket may take to send connection_init.
const wsInitTimeout = 5 * time.Second

// newGraphQL assembles the gqlgen handler with its transports and limits.
func (a *App) newGraphQL(cfg graph.Config) *handler.Server {
	weighConnections(&cfg.Complexity)
	srv := handler.New(graph.NewExecutableSchema(cfg))
	srv.AddTransport(a.sse)                                                  // PUT, DELETE and requests with a stream token
	srv.AddTransport(transport.SSE{KeepAlivePingInterval: 15 * time.Second}) // before POST
	srv.AddTransport(transport.Websocket{
		InitFunc:         a.wsInit,
		CloseFunc:        a.wsClose,
		PingPongInterval: 15 * time.Second,
		Implementation: wsProtocol{initTimeout: wsInitTimeout, inner: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{OriginPatterns: a.cfg.AllowedOrigins}}},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if !a.cfg.Production() {
		srv.Use(extension.Introspection{})
	}
	srv.SetDisableSuggestion(a.cfg.Production())
	srv.Use(&opLimits{lim: a.cfg.Limits, introspection: !a.cfg.Production()})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.SetParserTokenLimit(20000)
	srv.SetErrorPresenter(presenter(a.log))
	srv.SetRecoverFunc(recoverer(a.log))
	srv.AroundOperations(a.aroundOperation)
	if r, ok := cfg.Resolvers.(*resolvers.Resolver); ok {
		srv.AroundOperations(withLoaders(r))
	}
	return srv
}

// operationName is the name of the operation that runs: the document's,
// which a client need not repeat in operationName.
func operationName(oc *graphql.OperationContext) string {
	if oc.Operation != nil && oc.Operation.Name != "" {
		return oc.Operation.Name
	}
	return oc.OperationName
}

// aroundOperation records the operation name for the request log, refuses
// operations that arrive without a principal or past a websocket's limits,
// and gives queries and mutations their deadline.
func (a *App) aroundOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if info := requestInfoFrom(ctx); info != nil && oc != nil {
		info.setOperation(operationName(oc))
	}
	p, ok := auth.FromContext(ctx)
	if !ok {
		return oneShotError(errs.New(errs.Unauthenticated, "missing bearer token"))
	}
	sub := oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription
	release := func() {}
	if s := sessionFrom(ctx); s != nil {
		var e *errs.Error
		if release, e = a.wsAdmit(ctx, s, p, sub); e != nil {
			return oneShotError(e)
		}
	}
	if !sub {
		release()
		h := a.withDeadline(ctx, next)
		if oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
			h = a.durable(h)
		}
		return h
	}
	a.streams.Add(1)
	var once sync.Once
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		r := h(ctx)
		if r == nil {
			once.Do(func() { release(); a.streams.Done() })
		}
		return r
	}
}

// withDeadline runs a query or mutation under the operation timeout.
func (a *App) withDeadline(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	ctx, cancel := context.WithTimeoutCause(ctx, a.cfg.Limits.OperationTimeout, errOperationTimeout)
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		r := h(ctx)
		if r == nil && errors.Is(context.Cause(ctx), errOperationTimeout) {
			// gqlgen ends a response whose context is done with no answer.
			r = &graphql.Response{Errors: gqlerror.List{{Message: timeoutError.Error(), Extensions: withCode(nil, timeoutError.Kind)}}}
		}
		if r == nil || r.HasNext == nil || !*r.HasNext {
			cancel()
		}
		return r
	}
}

// durable answers a mutation once what it wrote is durable (store.Sync):
// the store's commits need not be, so that concurrent requests share one
// fsync. A failed sync turns the answer into an INTERNAL error: the
// mutation may or may not have taken effect, and retrying it is safe.
func (a *App) durable(h graphql.ResponseHandler) graphql.ResponseHandler {
	return func(ctx context.Context) *graphql.Response {
		r := h(ctx)
		if err := a.store.Sync(ctx); err != nil {
			a.log.ErrorContext(ctx, "mutation not made durable", "err", err)
			e := errs.New(errs.Internal, "the change could not be made durable; retry")
			return &graphql.Response{Errors: gqlerror.List{{Message: e.Error(), Extensions: withCode(nil, e.Kind)}}}
		}
		return r
	}
}

// oneShotError answers an operation with one error and no data.
func oneShotError(e *errs.Error) graphql.ResponseHandler {
	ext := withCode(nil, e.Kind)
	if e.RetryAfter > 0 {
		ext["retryAfter"] = e.RetryAfter
	}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: e.Error(), Extensions: ext}}})
}

// withLoaders gives each query and mutation its own loaders (a
// subscription has none: its messages must not read each other's cache).
func withLoaders(r *resolvers.Resolver) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
			return next(ctx)
		}
		return next(r.WithLoaders(ctx))
	}
}
