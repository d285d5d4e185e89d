package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// The reservation token travels in this header or query parameter
// (TOKEN_HEADER_KEY and TOKEN_QUERY_KEY of graphql-sse).
const (
	sseTokenHeader = "X-GraphQL-Event-Stream-Token"
	sseTokenParam  = "token"
	sseMaxOpID     = 128 // bytes of an operationId
)

// sseSingle is the "single connection mode" of the GraphQL over SSE
// protocol (graphql-sse's PROTOCOL.md), which gqlgen's transport.SSE
// lacks: PUT reserves a stream and answers 201 with its token; a GET (or
// POST) accepting text/event-stream with the token opens it; a POST with
// the token and extensions.operationId runs an operation, answered 202,
// whose results arrive on the stream as "next" and "complete" events
// carrying the id; DELETE with the token and ?operationId= stops one.
// Requests are authenticated as any other, and a reservation serves only
// the token subject that made it. Operations run through gqlgen's
// executor, so limits, scopes and error codes apply as on POST.
type sseSingle struct {
	hub *sseHub
	log *slog.Logger
}

var _ graphql.Transport = (*sseSingle)(nil)

// Supports claims PUT and DELETE, which no other transport takes, and
// every request that carries a reservation token.
func (t *sseSingle) Supports(r *http.Request) bool {
	return r.Method == http.MethodPut || r.Method == http.MethodDelete || streamToken(r) != ""
}

// streamToken returns the request's reservation token, or "".
func streamToken(r *http.Request) string {
	if tok := r.Header.Get(sseTokenHeader); tok != "" {
		return tok
	}
	return r.URL.Query().Get(sseTokenParam)
}

// Do answers one request of the single connection mode.
func (t *sseSingle) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		writeError(w, http.StatusUnauthorized, errs.New(errs.Unauthenticated, "missing bearer token"))
		return
	}
	if r.Method == http.MethodPut {
		t.reserve(w, p)
		return
	}
	res, e := t.hub.lookup(streamToken(r), p)
	if e != nil {
		writeKindError(w, e)
		return
	}
	switch {
	case acceptsEventStream(r) && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		t.stream(w, r, p, res)
	case r.Method == http.MethodPost:
		t.start(w, r, exec, p, res)
	case r.Method == http.MethodDelete:
		t.stop(w, r, res)
	default:
		w.Header().Set("Allow", "PUT, POST, DELETE")
		writeError(w, http.StatusMethodNotAllowed, errs.New(errs.BadInput,
			"with an event stream token, GET opens the stream (Accept: text/event-stream); send operations with POST"))
	}
}

func acceptsEventStream(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// reserve answers PUT: 201 with the new reservation's token.
func (t *sseSingle) reserve(w http.ResponseWriter, p auth.Principal) {
	res, e := t.hub.reserve(p)
	if e != nil {
		writeKindError(w, e)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(res.token))
}

// stop answers DELETE ?operationId=: the operation ends (200), whether
// or not it was still running.
func (t *sseSingle) stop(w http.ResponseWriter, r *http.Request, res *sseReservation) {
	id := r.URL.Query().Get("operationId")
	if id == "" {
		writeError(w, http.StatusBadRequest, errs.New(errs.BadInput, "operationId is missing from the query string"))
		return
	}
	res.stop(id)
	w.WriteHeader(http.StatusOK)
}

// writeKindError answers with the HTTP status of the error's kind.
func writeKindError(w http.ResponseWriter, e *errs.Error) {
	status := map[errs.Kind]int{
		errs.BadInput: http.StatusBadRequest, errs.Forbidden: http.StatusForbidden, errs.NotFound: http.StatusNotFound,
		errs.Conflict: http.StatusConflict, errs.RateLimited: http.StatusTooManyRequests, errs.Unavailable: http.StatusServiceUnavailable,
	}[e.Kind]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	writeError(w, status, e)
}

// writeJSON answers with a GraphQL response body.
func writeJSON(w http.ResponseWriter, status int, resp *graphql.Response) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}
