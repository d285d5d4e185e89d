package imports

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// Deps are what a Service needs.
type Deps struct {
	Store    Store
	Events   EventSink
	Profiles ProfileSink
	Dir      string // the spool directory
	MaxBytes int64  // the largest upload, compressed or not
	// Node names this process's spool directory across restarts; it
	// defaults to the host name and the directory's absolute path.
	Node   string
	NewID  func() string
	Now    func() time.Time // optional, defaults to time.Now
	Logger *slog.Logger
}

// Service accepts imports and runs their jobs in the background, one
// goroutine per job.
type Service struct {
	d      Deps
	ctx    context.Context // ends when the service is closed
	stop   context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	active map[string]chan struct{} // jobs with a worker in this process, closed when it returns
	closed bool
	// retryUnit is the unit of retry waits: a second, as retryAfter says.
	retryUnit time.Duration
}

// NewService returns a Service. Call Resume to restart the jobs an earlier
// run left, and Close to stop the workers.
func NewService(d Deps) (*Service, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Node == "" {
		var err error
		if d.Node, err = DefaultNode(d.Dir); err != nil {
			return nil, err
		}
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Service{d: d, ctx: ctx, stop: stop, active: map[string]chan struct{}{}, retryUnit: time.Second}, nil
}

// DefaultNode names a spool directory of this host: the host name and the
// directory's absolute path, which stay the same across restarts.
func DefaultNode(dir string) (string, error) {
	host, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("imports: host name: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("imports: %w", err)
	}
	return host + ":" + abs, nil
}

// Close stops the workers and waits for them to return. Their jobs stay
// running, with their spool files, and resume at the next start.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stop()
	s.wg.Wait()
}

// Get returns the workspace's job with the id, or nil when there is none.
// For a running events job it first records the chunks folded since the
// last look.
func (s *Service) Get(ctx context.Context, ws auth.Workspace, id string) (*Job, error) {
	j, err := s.d.Store.Get(ctx, ws, id)
	if err != nil || j == nil {
		return nil, err
	}
	if j.Status == Running && j.Kind == Events {
		if err := s.checkFolded(ctx, j); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// checkFolded asks event ingest about the job's pending chunks in order
// and records each folded one, until one is not folded yet: chunks fold
// in about the order they were stored. j is updated to match.
func (s *Service) checkFolded(ctx context.Context, j *Job) error {
	chunks := make([]int, 0, len(j.Pending))
	for c := range j.Pending {
		chunks = append(chunks, c)
	}
	slices.SortFunc(chunks, cmp.Compare)
	for _, c := range chunks {
		ok, err := s.d.Events.Folded(ctx, j.Workspace, Batch(j.ID, c))
		if err != nil || !ok {
			return err
		}
		if err := s.d.Store.Folded(ctx, j.ID, c, j.Pending[c], s.now()); err != nil {
			return err
		}
		j.Counts.Folded += j.Pending[c]
		delete(j.Pending, c)
	}
	return nil
}

// Resume restarts this node's running jobs from their checkpoints, fails
// those whose spool file is gone, and deletes spool files no job needs
// (uploads cut short, jobs finished). Call it once, before serving.
func (s *Service) Resume(ctx context.Context) (int, error) {
	if err := os.MkdirAll(s.d.Dir, 0o700); err != nil {
		return 0, fmt.Errorf("imports: %w", err)
	}
	jobs, err := s.d.Store.Running(ctx, s.d.Node)
	if err != nil {
		return 0, err
	}
	keep := map[string]bool{}
	for _, j := range jobs {
		if _, err := os.Stat(s.path(j.ID)); err != nil {
			s.d.Logger.ErrorContext(ctx, "import spool file missing", "job", j.ID, "err", err)
			if err := s.d.Store.Finish(ctx, j.ID, Failed, "the uploaded file was lost; import it again", s.now()); err != nil {
				return 0, err
			}
			continue
		}
		keep[filepath.Base(s.path(j.ID))] = true
		s.start(j)
	}
	return len(keep), s.sweep(keep)
}

// sweep deletes the spool directory's files that are not kept.
func (s *Service) sweep(keep map[string]bool) error {
	entries, err := os.ReadDir(s.d.Dir)
	if err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() && !keep[e.Name()] {
			if err := os.Remove(filepath.Join(s.d.Dir, e.Name())); err != nil {
				return fmt.Errorf("imports: %w", err)
			}
		}
	}
	return nil
}

// start runs the job's worker unless it already runs or the service is
// closed (the job then resumes at the next start).
func (s *Service) start(j *Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.active[j.ID]; ok || s.closed {
		return
	}
	s.active[j.ID] = make(chan struct{})
	s.wg.Add(1)
	go s.run(j)
}

func (s *Service) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.active[id])
	delete(s.active, id)
}

// Wait returns once the job's worker in this process has returned (at
// once when it has none), or when ctx ends.
func (s *Service) Wait(ctx context.Context, id string) error {
	s.mu.Lock()
	done, ok := s.active[id]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// path is the spool file of a job.
func (s *Service) path(id string) string { return filepath.Join(s.d.Dir, id+".ndjson") }

func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Millisecond) }

// ErrTooLarge is the answer to an upload over the size limit.
var ErrTooLarge = errs.New(errs.BadInput, "the import is larger than the server accepts (CDP_IMPORT_MAX_BYTES)")
