package server

import (
	"context"
	"log/slog"
)

// requestIDs is a slog handler that adds the request id, when the context
// carries one, to every record logged with a context, so each line a
// request causes can be found by the id its response carried.
type requestIDs struct{ slog.Handler }

// withRequestIDs wraps a logger's handler with requestIDs.
func withRequestIDs(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(requestIDs); ok {
		return l
	}
	return slog.New(requestIDs{l.Handler()})
}

// Handle adds request_id, then passes the record on.
func (h requestIDs) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapping.
func (h requestIDs) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDs{h.Handler.WithAttrs(as)}
}

// WithGroup keeps the wrapping.
func (h requestIDs) WithGroup(name string) slog.Handler { return requestIDs{h.Handler.WithGroup(name)} }
