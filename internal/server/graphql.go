package server

import (
	"context"
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
)

// complexityLimit caps the cost of one operation.
const complexityLimit = 5000

// newGraphQL assembles the gqlgen handler with its transports and limits.
func (a *App) newGraphQL(cfg graph.Config) *handler.Server {
	srv := handler.New(graph.NewExecutableSchema(cfg))
	srv.AddTransport(transport.SSE{KeepAlivePingInterval: 15 * time.Second}) // before POST
	srv.AddTransport(transport.Websocket{
		InitFunc:         a.wsInit,
		CloseFunc:        wsClose,
		InitTimeout:      5 * time.Second,
		PingPongInterval: 15 * time.Second,
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{
			OriginPatterns: a.cfg.AllowedOrigins}},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if !a.cfg.Production() {
		srv.Use(extension.Introspection{})
	}
	srv.SetDisableSuggestion(a.cfg.Production())
	srv.Use(extension.FixedComplexityLimit(complexityLimit))
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.SetParserTokenLimit(20000)
	srv.SetErrorPresenter(presenter(a.log))
	srv.SetRecoverFunc(recoverer(a.log))
	srv.AroundOperations(a.aroundOperation)
	return srv
}

// wsInit authenticates a websocket from its connection_init payload and ends
// the connection when the token expires.
func (a *App) wsInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	p, err := a.verifier.VerifyHeader(ctx, payload.Authorization())
	if err != nil {
		return ctx, nil, err
	}
	noteWorkspace(ctx, p)
	ctx = auth.WithPrincipal(ctx, p)
	if !p.ExpiresAt.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, p.ExpiresAt)
		ctx = context.WithValue(ctx, wsCancelKey{}, cancel)
	}
	return ctx, nil, nil
}

// operationName is the name of the operation that runs: the document's,
// which a client need not repeat in operationName.
func operationName(oc *graphql.OperationContext) string {
	if oc.Operation != nil && oc.Operation.Name != "" {
		return oc.Operation.Name
	}
	return oc.OperationName
}

type wsCancelKey struct{}

// wsClose releases the token-expiry timer of a closed websocket.
func wsClose(ctx context.Context, _ int) {
	if cancel, ok := ctx.Value(wsCancelKey{}).(context.CancelFunc); ok {
		cancel()
	}
}

// aroundOperation records the operation name for the request log and refuses
// operations that arrive without a principal.
func (a *App) aroundOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if info := requestInfoFrom(ctx); info != nil && oc != nil {
		info.setOperation(operationName(oc))
	}
	if _, ok := auth.FromContext(ctx); !ok {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: "missing bearer token",
			Extensions: withCode(nil, errs.Unauthenticated)}}})
	}
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	a.streams.Add(1)
	var once sync.Once
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		r := h(ctx)
		if r == nil {
			once.Do(a.streams.Done)
		}
		return r
	}
}
