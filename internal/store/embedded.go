package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is a FerretDB server (SQLite handler) running inside the process.
// It listens only on a Unix socket that its owner alone can reach (mode 0600
// in a 0700 directory) and holds a lock on its data directory until Stop.
type Embedded struct {
	db     *ferretdb.FerretDB
	dir    string // the data directory, absolute
	uri    string
	lock   *dirLock
	tmp    string // private directory of a socket that did not fit in the data dir
	cancel context.CancelFunc
	done   chan struct{}
	ckpt   *checkpointer
	stop   sync.Once
}

// StartEmbedded starts FerretDB with its data in dir, which it creates or
// makes private (0700). It fails with ErrDataDirInUse while another
// embedded store, in this process or another, runs on dir. FerretDB's own
// logs below ERROR are dropped unless logger is enabled for DEBUG.
func StartEmbedded(ctx context.Context, dir string, logger *slog.Logger) (*Embedded, error) {
	if logger == nil {
		logger = slog.Default()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := privateDir(abs, logger); err != nil {
		return nil, err
	}
	lock, err := lockDir(abs)
	if err != nil {
		return nil, err
	}
	e := &Embedded{lock: lock, dir: abs, done: make(chan struct{})}
	if err := e.start(ctx, abs, logger); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// start listens and runs the server; Stop undoes whatever it got to.
func (e *Embedded) start(ctx context.Context, dir string, logger *slog.Logger) error {
	sock, tmp, err := socketPlace(dir)
	if err != nil {
		return err
	}
	e.tmp = tmp
	db, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{Unix: sock},
		Logger:   slog.New(ferretLog{next: logger.Handler()}).With("component", "ferretdb"),
		Handler:  "sqlite",
		// Commits append to the log without a fsync, and checkpoints run
		// in the background: Sync and the checkpointer make up for both
		// (durable.go, checkpoint.go).
		SQLiteURL: "file:" + filepath.ToSlash(dir) + "/?_pragma=synchronous(normal)&_pragma=wal_autocheckpoint(0)",
	})
	if err != nil {
		return fmt.Errorf("start embedded store: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.db, e.uri, e.cancel = db, socketURI(sock), cancel
	go func() {
		defer close(e.done)
		_ = db.Run(runCtx)
	}()
	e.ckpt = startCheckpointer(dir, logger)
	// Linux checks the socket's mode on connect; the 0700 directory keeps
	// other users out where the mode is ignored.
	if err := os.Chmod(sock, 0o600); err != nil {
		return fmt.Errorf("restrict socket: %w", err)
	}
	return nil
}

// URI is the MongoDB URI of the embedded server: its socket path, escaped.
func (e *Embedded) URI() string { return e.uri }

// Stop shuts the server down, waits for it, and releases the data
// directory. Calling it again does nothing.
func (e *Embedded) Stop() {
	e.stop.Do(func() {
		if e.ckpt != nil {
			e.ckpt.close()
		}
		if e.cancel != nil {
			e.cancel()
			<-e.done
		}
		if e.tmp != "" {
			_ = os.RemoveAll(e.tmp)
		}
		e.lock.release()
	})
}
