package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The embedded store's SQLite runs without automatic checkpoints
// (wal_autocheckpoint=0, see embedded.go). FerretDB reads the document it
// updates while the update commits, so under a steady stream of updates
// the log is never fully checkpointed when a commit starts, and never
// reused; once it passed SQLite's 1,000 pages, every commit ran a
// checkpoint of its own, with two fsyncs, on the writer's time. That made a
// profile write cost three times what it costs now. The checkpointer runs
// them instead, in the background: every second a passive one (it copies
// what no reader still needs, never blocks anyone); a restarting one once
// the log passes 256 MiB, so that writers start over at its beginning
// (see truncatePages); and a truncating one once the log is idle, which
// gives its space on disk back.

const (
	checkpointEvery = time.Second
	checkpointBusy  = 100 // ms a forced truncation waits for readers
	truncateMust    = 4   // times truncatePages past which it is forced
)

// truncatePages is the length of the log, in pages, past which writers are
// made to start over at its beginning: 256 MiB of 4 KiB pages. Under load
// the log is rarely reused (some reader nearly always holds a snapshot in
// it), so it grows by what is written, about 16 MiB/s at the embedded
// store's full write speed. A restart holds writers back while it copies
// the last pages and flushes the log and the database (80 ms under load,
// measured), and must wait until no reader uses the log: waiting 100 ms
// and failing anyway was measured under load, which held every write back
// that long. So it is tried without waiting, every second, and it succeeds
// in the first quiet moment. Each try is a stall of the fold: at 128 MiB
// they came every 8 s under full load and were the fold's p99 lag
// (180-260 ms against 30-50 ms without one); 256 MiB halves how often.
// It restarts rather than truncates: truncating a 128 MiB log held writers
// back 135-140 ms, and the writes after it, which grow the file again, ran
// at half speed for a second; a restart overwrites the file in place. The
// file keeps its size until the log is idle for a second, when it is
// truncated. Only a log past 1 GiB is truncated under load, with a wait.
const truncatePages = 65536

// checkpointer checkpoints the logs of the databases in one embedded
// store's directory: every database there, whoever wrote it.
type checkpointer struct {
	dir      string
	truncate int // pages
	log      *slog.Logger
	last     map[string]walState // what each log was at its last checkpoint
	stop     chan struct{}
	done     chan struct{}
}

// walState tells whether a log changed since it was last checkpointed.
type walState struct {
	size int64
	mod  time.Time
}

func startCheckpointer(dir string, log *slog.Logger) *checkpointer {
	c := &checkpointer{dir: dir, truncate: truncatePages, log: log, last: map[string]walState{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.all()
	}
}

// all checkpoints every log of the directory that changed since the last
// time, and forgets the logs that are gone.
func (c *checkpointer) all() {
	logs, err := filepath.Glob(filepath.Join(c.dir, "*.sqlite-wal"))
	if err != nil {
		return // only a malformed pattern fails
	}
	seen := make(map[string]bool, len(logs))
	for _, wal := range logs {
		seen[wal] = true
		if err := c.checkpoint(wal); err != nil {
			c.log.Warn("checkpoint of the embedded store failed; retried in a second", "file", filepath.Base(wal), "err", err)
		}
	}
	for wal := range c.last {
		if !seen[wal] {
			delete(c.last, wal)
		}
	}
}

// close stops the checkpointer and waits for it.
func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
}

// checkpoint checkpoints the database of one log if the log changed since
// the last time. A database that is gone by then (a test's, dropped) is
// left alone.
func (c *checkpointer) checkpoint(wal string) error {
	fi, err := os.Stat(wal)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	now := walState{size: fi.Size(), mod: fi.ModTime()}
	idle := c.last[wal] == now
	if idle && now.size == 0 {
		return nil
	}
	path := strings.TrimSuffix(wal, "-wal")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	// mode=rw: never create a database that was dropped meanwhile.
	db, err := openSide(path, "mode=rw&_pragma=busy_timeout(0)")
	if err != nil {
		return err
	}
	defer db.Close()
	if idle { // nobody wrote for a second: give its space back
		return c.truncateIdle(db, wal)
	}
	long, err := c.checkpointLog(db)
	if err != nil || long {
		return err // a log still too long is tried again next time, changed or not
	}
	if fi, err := os.Stat(wal); err == nil {
		now = walState{size: fi.Size(), mod: fi.ModTime()}
	}
	c.last[wal] = now
	return nil
}

// checkpointLog runs the checkpoints a changed log needs, on one
// connection, and reports whether the log is still longer than it should.
func (c *checkpointer) checkpointLog(db *sql.DB) (long bool, err error) {
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	_, frames, err := walCheckpoint(ctx, conn, "PASSIVE")
	if err != nil || frames < c.truncate {
		return false, err
	}
	// Without waiting: it fails at once while readers use the log.
	if busy, _, err := walCheckpoint(ctx, conn, "RESTART"); err != nil || !busy {
		return false, err
	}
	if frames < c.truncate*truncateMust {
		return true, nil
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, checkpointBusy)); err != nil {
		return true, err
	}
	_, _, err = walCheckpoint(ctx, conn, "TRUNCATE")
	return true, err
}

// truncateIdle truncates the log of a database nobody wrote to since the
// last checkpoint, without waiting: a reader still in it keeps it for the
// next second.
func (c *checkpointer) truncateIdle(db *sql.DB, wal string) error {
	busy, _, err := walCheckpoint(context.Background(), db, "TRUNCATE")
	if err != nil || busy {
		return err
	}
	if fi, err := os.Stat(wal); err == nil {
		c.last[wal] = walState{size: fi.Size(), mod: fi.ModTime()}
	}
	return nil
}

// walCheckpoint runs one checkpoint of mode (PASSIVE, RESTART, TRUNCATE)
// and reports whether it gave up on a busy log, and the log's length in
// pages.
func walCheckpoint(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, mode string) (busy bool, frames int, err error) {
	var b, copied int
	err = q.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&b, &frames, &copied)
	return b != 0, frames, err
}
