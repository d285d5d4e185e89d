// Package imports runs bulk imports of newline-delimited JSON: it spools an
// upload to disk, feeds its rows in chunks to event ingest or identity
// resolution, checkpoints each chunk, and resumes an interrupted job.
package imports

import (
	"context"
	"strconv"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/event"
	"github.com/cdp-dev/cdp/internal/identity"
)

// Kind is what an import's rows are.
type Kind string

// The kinds of import.
const (
	// Events rows are events, stored through event ingest.
	Events Kind = "EVENTS"
	// Profiles rows are identify inputs, upserted through identity resolution.
	Profiles Kind = "PROFILES"
)

// Status is where a job stands.
type Status string

// The statuses of a job.
const (
	// Running: rows are being read, or stored rows wait to be folded.
	Running Status = "RUNNING"
	// Done: every row was read, and every stored row folded.
	Done Status = "DONE"
	// Failed: the job stopped on an error; Job.Error says which.
	Failed Status = "FAILED"
)

// Limits of a job.
const (
	// ChunkRows is how many rows go to the domain service at once:
	// event.MaxAppend. (At 4,000 rather than 1,000, an import of new
	// customers ran about a tenth faster, in the same memory.)
	ChunkRows = event.MaxAppend
	// ChunkBytes ends a chunk of long rows early, so a chunk's parsed rows
	// stay within bounded memory. Chunks end where the file's content
	// says, so a resumed job cuts the same chunks.
	ChunkBytes = 16 << 20
	// MaxLine is the longest line read as a row; a longer line is rejected.
	MaxLine = 1 << 20
	// MaxRejections is how many rejected rows a job lists; it counts them all.
	MaxRejections = 1000
)

// Counts are a job's row counters.
type Counts struct {
	Read      int64 // rows read (blank lines are not rows)
	Stored    int64 // rows stored (events) or applied (profiles)
	Duplicate int64 // events whose messageId was already stored
	Folded    int64 // stored rows folded into their profiles
	Rejected  int64 // rows refused, listed (the first MaxRejections) in Rejections
}

// Rejection is a row that was refused: its line number (from 1) and why,
// without any of its values.
type Rejection struct {
	Line   int64
	Reason string
}

// Job is one import.
type Job struct {
	ID        string
	Workspace auth.Workspace
	Kind      Kind
	Status    Status
	Actor     string // the subject of the token that started it
	// Node names the process's spool directory: only a process with the
	// same node resumes the job.
	Node string
	// Offset and Line are how far the spool file has been processed, in
	// bytes and lines; Chunks is how many chunks that took.
	Offset int64
	Line   int64
	Chunks int
	Counts Counts
	// Rejections are the first MaxRejections rejected rows.
	Rejections []Rejection
	// Pending are the chunks whose stored events may not be folded yet, by
	// chunk number, with how many rows each stored.
	Pending    map[int]int64
	Error      string // why the job failed, safe to show
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

// Checkpoint is what processing one chunk changes on a job, written at once.
type Checkpoint struct {
	Chunk      int   // the chunk's number, from 1
	Offset     int64 // bytes processed after the chunk
	Line       int64 // lines processed after the chunk
	Add        Counts
	Rejections []Rejection // to append, already cut to the job's limit
	// Pending puts the chunk in Job.Pending with its Add.Stored rows: its
	// events may not be folded yet.
	Pending bool
	At      time.Time
}

// Store persists jobs. Every write is a single-document update.
type Store interface {
	// Create stores a new job.
	Create(ctx context.Context, j *Job) error
	// Get returns the workspace's job with the id, or nil when there is none.
	Get(ctx context.Context, ws auth.Workspace, id string) (*Job, error)
	// Checkpoint applies a chunk's changes if the job is running and has
	// processed exactly the chunks before it; it reports whether it did
	// (false: another worker got there first, or the job ended).
	Checkpoint(ctx context.Context, id string, c Checkpoint) (bool, error)
	// Folded counts a pending chunk's rows as folded and drops it from
	// Pending; a chunk no longer pending is left alone, so each counts once.
	Folded(ctx context.Context, id string, chunk int, rows int64, at time.Time) error
	// Finish ends a running job with the status (and, for Failed, the
	// reason); a job that already ended is left alone.
	Finish(ctx context.Context, id string, st Status, reason string, at time.Time) error
	// Running returns the running jobs of a node, of any workspace.
	Running(ctx context.Context, node string) ([]*Job, error)
}

// EventSink is what an events import needs of event ingest.
type EventSink interface {
	// Append validates and durably stores the events under the batch id (a
	// rerun of the batch or of a messageId reports duplicates), queues them
	// for folding and returns once they are stored. Item errors carry the
	// item's index.
	Append(ctx context.Context, ws auth.Workspace, actor, batch string, ins []event.Input) (event.Result, error)
	// Folded reports whether the batch's events are all folded.
	Folded(ctx context.Context, ws auth.Workspace, batch string) (bool, error)
}

// ProfileSink is what a profiles import needs of identity resolution.
type ProfileSink interface {
	// Upsert identifies each item; a failed item carries its error in its
	// Result and nothing of it is applied.
	Upsert(ctx context.Context, ws auth.Workspace, actor string, ins []identity.IdentifyInput) ([]identity.Result, error)
}

// Batch is the event batch id of a job's chunk: the same on every attempt,
// so a chunk processed again after a crash stores nothing twice.
func Batch(jobID string, chunk int) string { return jobID + "-" + strconv.Itoa(chunk) }
