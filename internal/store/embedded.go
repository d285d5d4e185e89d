package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is a FerretDB server (SQLite handler) running inside the process
// on a loopback port.
type Embedded struct {
	db     *ferretdb.FerretDB
	cancel context.CancelFunc
	done   chan struct{}
}

// StartEmbedded starts FerretDB with its data in dir. Its own logs below
// ERROR are dropped unless logger is enabled for DEBUG.
func StartEmbedded(ctx context.Context, dir string, logger *slog.Logger) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	if logger == nil {
		logger = slog.Default()
	}
	quiet := slog.New(ferretLog{logger.Handler()}).With("component", "ferretdb")
	db, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    quiet,
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(abs) + "/",
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Embedded{db: db, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = db.Run(runCtx)
	}()
	return e, nil
}

// URI is the MongoDB URI of the embedded server.
func (e *Embedded) URI() string { return e.db.MongoDBURI() }

// Stop shuts the server down and waits for it.
func (e *Embedded) Stop() {
	e.cancel()
	<-e.done
}
