// Package resolvers is the GraphQL transport: thin resolvers that authorize,
// convert, call one domain service and convert the result back.
package resolvers

//go:generate go tool gqlgen generate

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cdp-dev/cdp/graph"
	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// Deps are the domain services the resolvers call (see services.go).
type Deps struct {
	Profiles   Profiles
	Identities Identities
	Events     Events
	Workspaces Workspaces
	Imports    Imports
	Segments   Segments
	Bus        Bus
	// ItemFailed, when set, is told of every batch item that failed with an
	// internal error: the client sees only "internal error", so the server
	// logs the cause (with the request id) here.
	ItemFailed func(ctx context.Context, err error)
}

// itemsFailed reports the internal failures among a batch's item errors.
func (r *Resolver) itemsFailed(ctx context.Context, failed []*errs.Error) {
	for _, e := range failed {
		if e != nil && e.Kind == errs.Internal && r.Deps.ItemFailed != nil {
			r.Deps.ItemFailed(ctx, e)
		}
	}
}

// Resolver is the root resolver; it holds the domain services.
type Resolver struct{ Deps }

// New returns the executable schema configuration with resolvers and
// directives installed.
func New(d Deps) graph.Config {
	c := graph.Config{Resolvers: &Resolver{d}}
	c.Directives.HasScope = hasScope
	return c
}

// hasScope refuses the field unless the caller's token carries the scope.
func hasScope(ctx context.Context, _ any, next graphql.Resolver, scope string) (any, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil, errs.New(errs.Unauthenticated, "missing bearer token")
	}
	if err := p.Require(auth.Scope(scope)); err != nil {
		return nil, err
	}
	return next(ctx)
}

// principal returns the caller; the directive has already checked it exists.
func principal(ctx context.Context) auth.Principal {
	p, _ := auth.FromContext(ctx)
	return p
}

// ws returns the caller's workspace.
func ws(ctx context.Context) auth.Workspace { return principal(ctx).Workspace }

// actor returns the token's subject, recorded as who caused a change.
func actor(ctx context.Context) string { return principal(ctx).Subject }
