package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/cdp-dev/cdp/internal/errs"
)

// bodyReadTimeout bounds how long a client may take to send a /graphql
// body; imports, websockets and SSE streams are not held to it.
const bodyReadTimeout = 30 * time.Second

// guard checks a /graphql request before gqlgen sees it. A body must be
// one JSON object within the size limit, and it is never echoed back:
// gqlgen's own message for an undecodable body quotes it, and bodies
// carry personal data. A mutation sent with GET gets 405 with Allow:
// POST. Plain requests get read and write deadlines; streams do not.
func (a *App) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !streaming(r) {
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
			_ = rc.SetWriteDeadline(time.Now().Add(a.cfg.Limits.OperationTimeout + bodyReadTimeout))
			// net/http keeps a write deadline for the connection's next
			// request, which may be a stream.
			defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
		}
		switch r.Method {
		case http.MethodGet:
			if mutationByGET(r) {
				w.Header().Set("Allow", http.MethodPost)
				writeError(w, http.StatusMethodNotAllowed, errs.New(errs.BadInput, "only queries may be sent with GET: send mutations and subscriptions with POST"))
				return
			}
		case http.MethodPost:
			if !a.checkBody(w, r) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// streaming reports whether the request opens a websocket or an SSE stream.
func streaming(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// checkBody reads a JSON body whole and puts it back, or refuses it.
func (a *App) checkBody(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return true // gqlgen answers unsupported media types itself
	}
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, errs.Newf(errs.BadInput,
			"request body is larger than %d bytes: send smaller batches, or use /import for bulk loads", tooLarge.Limit))
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, errs.New(errs.BadInput, "request body could not be read"))
		return false
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) > 0 && trimmed[0] == '[':
		writeError(w, http.StatusBadRequest, errs.New(errs.BadInput,
			"batched operations (a JSON array) are not supported: send one operation per request"))
		return false
	case len(trimmed) == 0 || trimmed[0] != '{':
		writeError(w, http.StatusBadRequest, errs.New(errs.BadInput, "request body must be a JSON object"))
		return false
	}
	if !json.Valid(body) {
		writeError(w, http.StatusBadRequest, errs.New(errs.BadInput, "request body is not valid JSON"))
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

// mutationByGET reports whether a GET request asks for an operation other
// than a query. A query that does not parse is left to gqlgen.
func mutationByGET(r *http.Request) bool {
	q := r.URL.Query()
	doc, err := parser.ParseQuery(&ast.Source{Input: q.Get("query")})
	if err != nil {
		return false
	}
	op := doc.Operations.ForName(q.Get("operationName"))
	return op != nil && op.Operation != ast.Query
}
