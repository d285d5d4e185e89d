package imports

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
)

// errTakenOver stops a worker whose job another worker advanced or ended.
var errTakenOver = errors.New("imports: the job moved on without this worker")

// foldPoll is how often a worker that has read everything looks whether
// the job's last chunks are folded.
const foldPoll = 100 * time.Millisecond

// run processes a job to its end. When the service closes, the job stays
// running and resumes at the next start; a finished or failed job's spool
// file is deleted.
func (s *Service) run(j *Job) {
	defer s.wg.Done()
	defer s.forget(j.ID)
	ctx := s.ctx
	err := s.process(ctx, j)
	if ctx.Err() != nil || errors.Is(err, errTakenOver) {
		return
	}
	st, reason := Done, ""
	if err != nil {
		s.d.Logger.ErrorContext(ctx, "import failed", "job", j.ID, "err", err)
		st, reason = Failed, "internal error"
		if e, ok := errs.As(err); ok && e.Kind != errs.Internal {
			reason = e.Error()
		}
	}
	if err := s.d.Store.Finish(ctx, j.ID, st, reason, s.now()); err != nil {
		// Left running with its file: the next start finishes it.
		s.d.Logger.ErrorContext(ctx, "import not finished", "job", j.ID, "err", err)
		return
	}
	if err := os.Remove(s.path(j.ID)); err != nil {
		s.d.Logger.WarnContext(ctx, "import spool file not deleted", "job", j.ID, "err", err)
	}
}

// process reads the job's spool file from its checkpoint, chunk by chunk,
// then waits for the stored rows to be folded.
func (s *Service) process(ctx context.Context, j *Job) error {
	f, err := os.Open(s.path(j.ID))
	if err != nil {
		return fmt.Errorf("open spool: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(j.Offset, io.SeekStart); err != nil {
		return fmt.Errorf("seek spool: %w", err)
	}
	lr := newLineReader(f, MaxLine, j.Offset, j.Line)
	for {
		c, eof, err := s.readChunk(lr, j)
		if err != nil {
			return fmt.Errorf("read spool: %w", err)
		}
		if c.lines > 0 {
			if err := s.chunk(ctx, j, c); err != nil {
				return err
			}
		}
		if eof {
			return s.awaitFolded(ctx, j)
		}
	}
}

// chunk is up to ChunkRows rows of a spool file, parsed.
type chunk struct {
	no       int
	lines    int64                    // lines read, blank ones included
	rowLines []int64                  // the line number of each row sent
	events   []event.Input            // for an events job
	profiles []identity.IdentifyInput // for a profiles job
	rejected []Rejection
	read     int64 // rows read
	size     int   // bytes of the rows parsed
	offset   int64 // where the chunk ends
	line     int64 // the last line of the chunk
}

// readChunk reads lines until it has ChunkRows rows or ChunkBytes of them,
// or the file ends.
func (s *Service) readChunk(lr *lineReader, j *Job) (*chunk, bool, error) {
	c := &chunk{no: j.Chunks + 1}
	for c.read < ChunkRows && c.size < ChunkBytes {
		l, err := lr.next()
		if errors.Is(err, io.EOF) {
			return c, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		c.lines++
		c.offset, c.line = lr.offset, lr.line
		c.add(j.Kind, l)
	}
	return c, false, nil
}

// add parses a line into the chunk: a row to send, a rejection, or
// nothing for a blank line.
func (c *chunk) add(kind Kind, l line) {
	if !l.tooLong && len(bytes.TrimSpace(l.text)) == 0 {
		return
	}
	c.read++
	c.size += len(l.text)
	if l.tooLong {
		c.rejected = append(c.rejected, Rejection{Line: l.no, Reason: fmt.Sprintf("the line is longer than %d bytes", MaxLine)})
		return
	}
	var err error
	if kind == Events {
		var in event.Input
		if in, err = parseEvent(l.text); err == nil {
			c.events = append(c.events, in)
		}
	} else {
		var in identity.IdentifyInput
		if in, err = parseProfile(l.text); err == nil {
			c.profiles = append(c.profiles, in)
		}
	}
	if err != nil {
		c.rejected = append(c.rejected, Rejection{Line: l.no, Reason: err.Error()})
		return
	}
	c.rowLines = append(c.rowLines, l.no)
}

// chunk sends a chunk's rows and checkpoints the job after it in one
// write; j follows the checkpoint.
func (s *Service) chunk(ctx context.Context, j *Job, c *chunk) error {
	out, err := s.deliver(ctx, j, c)
	if err != nil {
		return err
	}
	rejected := append(c.rejected, out.rejected...)
	slices.SortFunc(rejected, func(a, b Rejection) int { return cmp.Compare(a.Line, b.Line) })
	cp := Checkpoint{Chunk: c.no, Offset: c.offset, Line: c.line, At: s.now(),
		Add:     Counts{Read: c.read, Stored: out.stored, Duplicate: out.duplicate, Rejected: int64(len(rejected))},
		Pending: j.Kind == Events && len(c.events) > 0}
	if j.Kind == Profiles {
		cp.Add.Folded = out.stored // identify applies rows as it stores them
	}
	cp.Rejections = rejected[:min(len(rejected), max(0, MaxRejections-len(j.Rejections)))]
	ok, err := s.d.Store.Checkpoint(ctx, j.ID, cp)
	if err != nil {
		return err
	}
	if !ok {
		return errTakenOver
	}
	j.apply(cp)
	return nil
}

// apply updates the job in memory as Store.Checkpoint did in the store.
func (j *Job) apply(cp Checkpoint) {
	j.Chunks, j.Offset, j.Line, j.UpdatedAt = cp.Chunk, cp.Offset, cp.Line, cp.At
	j.Counts.Read += cp.Add.Read
	j.Counts.Stored += cp.Add.Stored
	j.Counts.Duplicate += cp.Add.Duplicate
	j.Counts.Folded += cp.Add.Folded
	j.Counts.Rejected += cp.Add.Rejected
	j.Rejections = append(j.Rejections, cp.Rejections...)
	if cp.Pending {
		if j.Pending == nil {
			j.Pending = map[int]int64{}
		}
		j.Pending[cp.Chunk] = cp.Add.Stored
	}
}

// awaitFolded returns once every chunk of an events job is folded.
func (s *Service) awaitFolded(ctx context.Context, j *Job) error {
	for j.Kind == Events {
		fresh, err := s.d.Store.Get(ctx, j.Workspace, j.ID)
		if err != nil {
			return err
		}
		if fresh == nil || fresh.Status != Running {
			return errTakenOver
		}
		if err := s.checkFolded(ctx, fresh); err != nil {
			return err
		}
		if len(fresh.Pending) == 0 {
			return nil
		}
		if err := sleep(ctx, foldPoll); err != nil {
			return err
		}
	}
	return nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
