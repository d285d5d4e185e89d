package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Durability on the embedded store. FerretDB runs SQLite in WAL mode; with
// synchronous=FULL (SQLite's default) every commit waits for an fsync of
// the log, and every profile write is a commit of its own (FerretDB
// commits each updated document separately). The embedded store therefore
// runs with synchronous=NORMAL: a commit only appends to the log, which
// stays consistent across a power loss (its frames are checksummed in a
// chain, so recovery keeps a prefix of the commits, never a torn one).
// What the product acknowledges it first makes durable with Sync: one
// fsync of the log covers every commit appended before it, so concurrent
// requests share it (group commit), and the writes nobody waits for (the
// fold's) cost no fsync of their own. After a power loss the store is as
// at some instant after the last Sync: everything acknowledged is there,
// and what follows is what a kill -9 at that instant would have left,
// which recovery already completes.
//
// A checkpoint copies the log into the database file and syncs both
// before the log is reused, so a commit the log no longer holds is durable
// in the database file.

// walFile makes one database's commits durable, in groups.
type walFile struct {
	path  string       // <dir>/<database>.sqlite-wal
	flush func() error // fsync, or a test's stand-in

	mu      sync.Mutex
	cond    *sync.Cond
	started uint64      // syncs started
	done    uint64      // of them, finished
	running bool        // one is under way
	waiting int         // callers waiting for one
	seen    os.FileInfo // the log file last synced: a new one syncs its directory too
	err     error       // sticky: a failed fsync may have dropped pages it could not write
}

// sync returns once a fsync that started after the call has finished: it
// covers every commit the caller made before calling. The caller runs the
// fsync when none is under way, and waits for the next one otherwise.
func (w *walFile) sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	want := w.started + 1 // one under way started before this call
	for w.done < want && w.err == nil {
		if w.running {
			w.waiting++
			w.cond.Wait()
			w.waiting--
			continue
		}
		w.running = true
		w.started++
		n := w.started
		w.mu.Unlock()
		err := w.flush()
		w.mu.Lock()
		w.running, w.done = false, n
		if err != nil {
			w.err = fmt.Errorf("make writes durable: %w", err)
		}
		w.cond.Broadcast()
	}
	return w.err
}

// fsync flushes the log file to disk. The log is opened afresh each time:
// SQLite deletes it when its last connection closes (after checkpointing
// it into the synced database file) and creates a new one on next use. No
// log means nothing is waiting in one.
func (w *walFile) fsync() error {
	f, err := os.OpenFile(w.path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	w.mu.Lock()
	known := w.seen != nil && os.SameFile(w.seen, fi)
	w.mu.Unlock()
	if known {
		return nil
	}
	if err := syncDir(filepath.Dir(w.path)); err != nil {
		return err
	}
	w.mu.Lock()
	w.seen = fi
	w.mu.Unlock()
	return nil
}

// syncDir makes a new file's entry in dir durable (where the system can).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // a directory cannot be synced there; NTFS journals entries
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// walFiles holds the walFile of each database of one embedded store.
type walFiles struct {
	dir string
	by  sync.Map // database name -> *walFile
}

func newWALFiles(dir string) *walFiles { return &walFiles{dir: dir} }

// get returns the database's walFile, creating it.
func (x *walFiles) get(database string) *walFile {
	if w, ok := x.by.Load(database); ok {
		return w.(*walFile)
	}
	w := &walFile{path: filepath.Join(x.dir, database+".sqlite-wal")}
	w.cond, w.flush = sync.NewCond(&w.mu), w.fsync
	got, _ := x.by.LoadOrStore(database, w)
	return got.(*walFile)
}

// Sync returns once every write this process made to the database before
// the call is durable: on the embedded store, once a fsync of its log
// that started after the call has finished, shared by the calls that
// arrive meanwhile (see above). Whatever the product acknowledges, it
// syncs first. On MongoDB it does nothing: the write concern made each
// write as durable as the deployment is configured to.
func (s *Store) Sync(ctx context.Context) error {
	if s.wals == nil {
		return nil
	}
	return s.wals.get(s.db.Name()).sync()
}

// SyncAlone makes the database's writes durable with a fsync of its own,
// shared with no other caller: what each commit cost with SQLite's
// synchronous=FULL. The bench's baselines use it as the price of a durable
// write without the product's group commit.
func (s *Store) SyncAlone(ctx context.Context) error {
	if s.wals == nil {
		return nil
	}
	w := s.wals.get(s.db.Name())
	if err := w.flush(); err != nil {
		return fmt.Errorf("make writes durable: %w", err)
	}
	return nil
}
