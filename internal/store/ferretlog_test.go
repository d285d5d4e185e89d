package store

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

func TestFerretLogPassesErrorsOrEverythingAtDebug(t *testing.T) {
	tests := []struct {
		app  slog.Level
		rec  slog.Level
		want bool
	}{
		{slog.LevelInfo, slog.LevelDebug, false},
		{slog.LevelInfo, slog.LevelInfo, false},
		{slog.LevelInfo, slog.LevelWarn, false},
		{slog.LevelInfo, slog.LevelError, true},
		{slog.LevelWarn, slog.LevelWarn, false},
		{slog.LevelError + 4, slog.LevelError, false},
		{slog.LevelDebug, slog.LevelDebug, true},
		{slog.LevelDebug, slog.LevelWarn, true},
	}
	for _, tt := range tests {
		app := slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: tt.app})
		if got := (ferretLog{app}).Enabled(context.Background(), tt.rec); got != tt.want {
			t.Errorf("app at %v, record at %v: Enabled = %v, want %v", tt.app, tt.rec, got, tt.want)
		}
	}
}

// countingHandler counts the records that reach it.
type countingHandler struct {
	slog.Handler
	n *int
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	*h.n++
	return h.Handler.Handle(ctx, r)
}

func TestFerretLogDropsBeforeHandling(t *testing.T) {
	n := 0
	log := slog.New(ferretLog{countingHandler{slog.NewTextHandler(io.Discard, nil), &n}})
	log.Warn("dump", "body", slog.AnyValue(t)) // never formatted
	log.Error("kept")
	if n != 1 {
		t.Fatalf("%d records reached the app handler, want 1 (the error)", n)
	}
}
