package store

import (
	"context"
	"log/slog"
	"slices"
)

// ferretLog hands FerretDB's records to the app's handler: all of them when
// the app logs at DEBUG, else only ERROR and above. FerretDB logs every
// failed command (a duplicate key, say) at WARN with the whole wire message,
// and it asks Enabled before building that text, so answering false here
// saves the formatting as well as the noise.
//
// FerretDB also derives a logger for every SQL statement it runs, with the
// statement's arguments (the documents, personal data) as attributes. The
// app's handlers format attributes when they are added, which cost a tenth
// of an import's CPU for records that are almost never written; so
// attributes and groups are kept as they come and applied only to a record
// that is handled, and the "args" attribute is dropped.
type ferretLog struct {
	next slog.Handler
	with []func(slog.Handler) slog.Handler // WithAttrs and WithGroup, in order
}

// Enabled asks the app's handler about DEBUG rather than caching the answer,
// so a level changed at run time (slog.LevelVar) takes effect.
func (h ferretLog) Enabled(ctx context.Context, l slog.Level) bool {
	if l < slog.LevelError && !h.next.Enabled(ctx, slog.LevelDebug) {
		return false
	}
	return h.next.Enabled(ctx, l)
}

func (h ferretLog) Handle(ctx context.Context, r slog.Record) error {
	next := h.next
	for _, w := range h.with {
		next = w(next)
	}
	return next.Handle(ctx, r)
}

func (h ferretLog) WithAttrs(as []slog.Attr) slog.Handler {
	as = slices.DeleteFunc(slices.Clone(as), func(a slog.Attr) bool { return a.Key == "args" })
	return h.then(func(n slog.Handler) slog.Handler { return n.WithAttrs(as) })
}

func (h ferretLog) WithGroup(g string) slog.Handler {
	return h.then(func(n slog.Handler) slog.Handler { return n.WithGroup(g) })
}

func (h ferretLog) then(w func(slog.Handler) slog.Handler) ferretLog {
	return ferretLog{next: h.next, with: append(slices.Clip(h.with), w)}
}
