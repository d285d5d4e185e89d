package resolvers

import (
	"context"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/imports"
)

// mayImport refuses callers that can start no import at all: the scope a
// job needs depends on its kind, which importScope checks once it is read.
func mayImport(ctx context.Context) error {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return errs.New(errs.Unauthenticated, "missing bearer token")
	}
	if !p.Has(auth.ScopeEventsWrite) && !p.Has(auth.ScopeProfilesWrite) {
		return errs.New(errs.Forbidden, `missing scope "events:write" or "profiles:write"`)
	}
	return nil
}

// importScope is the scope that starts, and reads, an import of the kind.
func importScope(k imports.Kind) auth.Scope {
	if k == imports.Profiles {
		return auth.ScopeProfilesWrite
	}
	return auth.ScopeEventsWrite
}
