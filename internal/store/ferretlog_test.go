package store

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
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
		app := slog.NewTextHandler(&syncBuffer{}, &slog.HandlerOptions{Level: tt.app})
		if got := (ferretLog{next: app}).Enabled(context.Background(), tt.rec); got != tt.want {
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
	log := slog.New(ferretLog{next: countingHandler{slog.NewTextHandler(&syncBuffer{}, nil), &n}})
	log.Warn("dump", "body", slog.AnyValue(t)) // never formatted
	log.Error("kept")
	if n != 1 {
		t.Fatalf("%d records reached the app handler, want 1 (the error)", n)
	}
}

// TestFerretDBWireDumpsStayOutAtInfo makes FerretDB log a failed command,
// which it does at WARN with the whole wire message.
func TestFerretDBWireDumpsStayOutAtInfo(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var out syncBuffer
		log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: level}))
		coll := connect(t, startIn(t, t.TempDir(), log).URI()).Database("d").Collection("c")
		ctx := context.Background()
		if _, err := coll.InsertOne(ctx, bson.M{"_id": 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := coll.InsertOne(ctx, bson.M{"_id": 1}); err == nil {
			t.Fatal("duplicate _id inserted")
		}
		dumped := strings.Contains(out.String(), "Response message")
		if dumped != (level == slog.LevelDebug) {
			t.Errorf("app at %v: wire dump logged = %v\n%s", level, dumped, out.String())
		}
	}
}

// TestFerretLogKeepsAttrsLazyAndDropsArgs: attributes reach the app's
// handler only with a record it handles, in order with groups, and SQL
// arguments (documents) never do.
func TestFerretLogKeepsAttrsLazyAndDropsArgs(t *testing.T) {
	var out syncBuffer
	log := slog.New(ferretLog{next: slog.NewTextHandler(&out, nil)})
	stmt := log.With("component", "ferretdb").WithGroup("q").With("sql", "INSERT", "args", "secret@example.com")
	stmt.Warn("dropped")
	stmt.Error("failed")
	got := out.String()
	if !strings.Contains(got, `msg=failed component=ferretdb q.sql=INSERT`) {
		t.Errorf("record = %q; want its attributes", got)
	}
	if strings.Contains(got, "secret") || strings.Contains(got, "dropped") {
		t.Errorf("record = %q; want no SQL arguments and no WARN", got)
	}
}
