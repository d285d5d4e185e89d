package server

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cdp-dev/cdp/internal/config"
	"github.com/cdp-dev/cdp/internal/errs"
)

// opLimits refuses operations too big to run before any resolver does:
// too deep, too many aliases or root fields, too costly, and, in
// production, any introspection. Each refusal is BAD_USER_INPUT.
type opLimits struct {
	lim           config.Limits
	introspection bool
	es            graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*opLimits)(nil)

// ExtensionName names the extension in gqlgen's stats.
func (*opLimits) ExtensionName() string { return "OperationLimits" }

// Validate keeps the schema, which the complexity calculation needs.
func (l *opLimits) Validate(es graphql.ExecutableSchema) error {
	l.es = es
	return nil
}

// MutateOperationContext measures the operation and refuses it past a limit.
func (l *opLimits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	// The walk gives up past a node budget: fragments can multiply fields
	// far beyond the document's size, and such a document is refused.
	s := shape{fragments: oc.Doc.Fragments, budget: 20 * l.lim.MaxComplexity}
	s.walk(oc.Operation.SelectionSet, 1)
	switch {
	case s.budget < 0:
		return refuse("operation expands to more than %d fields", 20*l.lim.MaxComplexity)
	case s.introspects && !l.introspection:
		return refuse("introspection is disabled on this server")
	case s.depth > l.lim.MaxDepth:
		return refuse("operation is nested %d levels deep, the limit is %d", s.depth, l.lim.MaxDepth)
	case s.aliases > l.lim.MaxAliases:
		return refuse("operation has %d aliases, the limit is %d", s.aliases, l.lim.MaxAliases)
	case s.roots > l.lim.MaxRootFields:
		return refuse("operation selects %d top-level fields, the limit is %d", s.roots, l.lim.MaxRootFields)
	}
	if c := complexity.Calculate(ctx, l.es, oc.Operation, oc.Variables); c > l.lim.MaxComplexity {
		return refuse("operation has complexity %d, the limit is %d (a connection costs its fields times first)", c, l.lim.MaxComplexity)
	}
	return nil
}

// refuse is a limit's GraphQL error.
func refuse(format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: withCode(nil, errs.BadInput)}
}

// shape measures a selection set with its fragments expanded.
type shape struct {
	fragments   ast.FragmentDefinitionList
	budget      int
	depth       int
	aliases     int
	roots       int
	introspects bool
}

func (s *shape) walk(set ast.SelectionSet, depth int) {
	for _, sel := range set {
		if s.budget--; s.budget < 0 {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			s.field(sel, depth)
		case *ast.InlineFragment:
			s.walk(sel.SelectionSet, depth)
		case *ast.FragmentSpread:
			if f := s.fragments.ForName(sel.Name); f != nil {
				s.walk(f.SelectionSet, depth)
			}
		}
	}
}

func (s *shape) field(f *ast.Field, depth int) {
	if depth == 1 {
		s.roots++
	}
	if f.Alias != "" && f.Alias != f.Name {
		s.aliases++
	}
	if f.Name == "__schema" || f.Name == "__type" {
		s.introspects = true
	}
	s.depth = max(s.depth, depth)
	s.walk(f.SelectionSet, depth+1)
}
