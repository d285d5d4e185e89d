package store

import (
	"context"
	"log/slog"
)

// ferretLog hands FerretDB's records to the app's handler: all of them when
// the app logs at DEBUG, else only ERROR and above. FerretDB logs every
// failed command (a duplicate key, say) at WARN with the whole wire message,
// and it asks Enabled before building that text, so answering false here
// saves the formatting as well as the noise.
type ferretLog struct{ next slog.Handler }

// Enabled asks the app's handler about DEBUG rather than caching the answer,
// so a level changed at run time (slog.LevelVar) takes effect.
func (h ferretLog) Enabled(ctx context.Context, l slog.Level) bool {
	if l < slog.LevelError && !h.next.Enabled(ctx, slog.LevelDebug) {
		return false
	}
	return h.next.Enabled(ctx, l)
}

func (h ferretLog) Handle(ctx context.Context, r slog.Record) error {
	return h.next.Handle(ctx, r)
}

func (h ferretLog) WithAttrs(a []slog.Attr) slog.Handler { return ferretLog{h.next.WithAttrs(a)} }

func (h ferretLog) WithGroup(n string) slog.Handler { return ferretLog{h.next.WithGroup(n)} }
