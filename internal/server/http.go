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

// maxBody caps a request body: a 1,000-item batch of 64 KiB documents fits.
const maxBody = 64 << 20

type requestIDKey struct{}

// RequestID returns the id of the request being served, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestInfo collects what the request log line needs from deeper layers.
type requestInfo struct {
	mu        sync.Mutex
	operation string
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return ri
}

func (ri *requestInfo) setOperation(name string) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	if ri.operation == "" {
		ri.operation = name
	}
}

func (ri *requestInfo) op() string {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	return ri.operation
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

// observe gives each request an id, logs one line when it ends and records
// its metrics.
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
		a.metrics.observe(r.URL.Path, ri.op(), sw.status, d)
		a.log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Duration("duration", d),
			slog.String("operation", ri.op()))
	})
}

// authenticate verifies the bearer token before the handler runs and caps
// the request body at limit bytes. Websocket upgrades authenticate in
// connection_init instead, since browsers cannot set headers on them.
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
