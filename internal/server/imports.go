package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/imports"
)

// importUpload takes a bulk import: newline-delimited JSON, gzipped or
// not, spooled to disk before it answers 202 with the job's id. The
// caller is authenticated already; the scope depends on the kind.
func (a *App) importUpload(kind imports.Kind, scope auth.Scope) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		if err := p.Require(scope); err != nil {
			writeError(w, http.StatusForbidden, err)
			return
		}
		j, err := a.imports.Submit(r.Context(), p.Workspace, p.Subject, kind, r.Body, r.Header.Get("Content-Encoding"))
		if err == nil {
			err = a.store.Sync(r.Context()) // the job the answer names is durable
		}
		if err != nil {
			a.importFailed(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]string{"jobId": j.ID})
	}
}

// importFailed answers a refused upload: 413 past the size limit, 400 for
// a bad body, 503 with Retry-After when the store is unreachable, 500
// (logged here, not shown) for the rest.
func (a *App) importFailed(w http.ResponseWriter, r *http.Request, err error) {
	var tooLarge *http.MaxBytesError
	switch e, ok := errs.As(err); {
	case errors.As(err, &tooLarge) || errors.Is(err, imports.ErrTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, imports.ErrTooLarge)
	case ok && e.Kind == errs.BadInput:
		writeError(w, http.StatusBadRequest, e)
	case ok && e.Kind == errs.Unavailable:
		w.Header().Set("Retry-After", strconv.Itoa(max(e.RetryAfter, 1)))
		writeError(w, http.StatusServiceUnavailable, e)
	default:
		a.log.ErrorContext(r.Context(), "import upload failed", "err", err)
		writeError(w, http.StatusInternalServerError, errs.New(errs.Internal, "internal error"))
	}
}

// writeError answers with a GraphQL-style error body: the message, its
// extensions.code and, when set, extensions.retryAfter.
func writeError(w http.ResponseWriter, status int, err error) {
	e, ok := errs.As(err)
	if !ok {
		e = errs.New(errs.Internal, "internal error")
	}
	ext := withCode(nil, e.Kind)
	if e.RetryAfter > 0 {
		ext["retryAfter"] = e.RetryAfter
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": e.Error(), "extensions": ext}}})
}
