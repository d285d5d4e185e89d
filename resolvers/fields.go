package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// requested reports whether the client selected the named field of what the
// current field returns, so costly parts (a count) are only computed when
// asked for.
func requested(ctx context.Context, name string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}
