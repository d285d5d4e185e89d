package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

type requestIDKey struct{}

// RequestID returns the id of the request being served, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestInfo collects what the request log line needs from deeper layers:
// the GraphQL operation, known once it is parsed, and the workspace, known
// once the caller is authenticated. observe puts one in every request's
// context.
type requestInfo struct {
	mu        sync.Mutex
	graphql   bool // an operation ran
	operation string
	workspace string
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return ri
}

// setOperation records the request's first operation (a websocket carries
// several); name is "" for an anonymous one.
func (ri *requestInfo) setOperation(name string) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	if !ri.graphql {
		ri.graphql, ri.operation = true, name
	}
}

// setWorkspace records the authenticated caller's workspace.
func (ri *requestInfo) setWorkspace(ws string) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	ri.workspace = ws
}

// op returns the operation's name for logs and metrics: "" when no GraphQL
// operation ran, "anonymous" for one without a name.
func (ri *requestInfo) op() string {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	if ri.graphql && ri.operation == "" {
		return "anonymous"
	}
	return ri.operation
}

func (ri *requestInfo) ws() string {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	return ri.workspace
}

// noteWorkspace records the principal's workspace for the request log.
func noteWorkspace(ctx context.Context, p auth.Principal) {
	if ri := requestInfoFrom(ctx); ri != nil {
		ri.setWorkspace(string(p.Workspace))
	}
}

// statusWriter remembers the response status. It passes Flush and Hijack
// through so SSE and websockets keep working.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// observe gives each request an id, logs one line at INFO when it ends
// and records its metrics. A websocket is one request: its line is written
// when it closes and names its first operation.
func (a *App) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = uuid.NewString()
		}
		w.Header().Set("X-Request-Id", id)
		ri := &requestInfo{}
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey{}, id), requestInfoKey{}, ri)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		op := ri.op()
		a.metrics.observe(r.URL.Path, op, sw.status, d)
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Float64("duration_ms", durationMS(d))}
		if op != "" {
			attrs = append(attrs, slog.String("operation", op))
		}
		if ws := ri.ws(); ws != "" {
			attrs = append(attrs, slog.String("workspace", ws))
		}
		a.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
	})
}

// durationMS is d in milliseconds, to the microsecond.
func durationMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// authenticate verifies the bearer token before the handler runs, takes
// the caller's rate-limit tokens and caps the request body at limit bytes.
// Websocket upgrades authenticate in connection_init instead, since
// browsers cannot set headers on them.
func (a *App) authenticate(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		p, err := a.verifier.VerifyHeader(r.Context(), r.Header.Get("Authorization"))
		if err != nil {
			writeUnauthenticated(w, err)
			return
		}
		noteWorkspace(r.Context(), p)
		if e := a.rates.allow(p); e != nil {
			writeRateLimited(w, e)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

func writeUnauthenticated(w http.ResponseWriter, err error) {
	e, ok := errs.As(err)
	if !ok {
		e = errs.New(errs.Unauthenticated, "invalid token")
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="cdp"`)
	writeError(w, http.StatusUnauthorized, &errs.Error{Kind: errs.Unauthenticated, Msg: e.Error(), Index: -1})
}
