package imports

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/identity"
)

// outcome is what became of a chunk's rows.
type outcome struct {
	stored, duplicate int64
	rejected          []Rejection
}

// sent is the answer to one attempt: counts, and the failed items by their
// position in the attempt.
type sent struct {
	stored, duplicate int64
	failed            []*errs.Error
}

// Retries. A chunk is idempotent (its batch id and its rows' messageIds or
// identifiers), so an attempt that failed whole is sent again whole; after
// an attempt in which items failed for a passing reason, only those are.
const (
	// maxAttempts bounds attempts after internal errors (backing off 1s,
	// 2s, 4s, ...). A chunk still failing whole then fails the job; an
	// item still failing is rejected.
	maxAttempts = 5
	// maxWaits bounds attempts answered UNAVAILABLE: the fold backlog is
	// full, or a profile is being merged. They are retried when told.
	maxWaits = 600
)

// deliver sends a chunk's rows to the domain service, retrying what failed
// for a passing reason, and returns what became of them.
func (s *Service) deliver(ctx context.Context, j *Job, c *chunk) (outcome, error) {
	var out outcome
	idx := make([]int, len(c.rowLines))
	for i := range idx {
		idx[i] = i
	}
	for attempt := 1; len(idx) > 0; attempt++ {
		r, err := s.send(ctx, j, c, idx)
		if err != nil {
			wait, ok := s.retryable(err, attempt)
			if !ok {
				return out, fmt.Errorf("chunk %d: %w", c.no, err)
			}
			if err := sleep(ctx, wait); err != nil {
				return out, err
			}
			continue
		}
		out.stored, out.duplicate = out.stored+r.stored, out.duplicate+r.duplicate
		var again []int
		var wait time.Duration
		for _, e := range r.failed {
			if e.Index < 0 || e.Index >= len(idx) {
				return out, fmt.Errorf("chunk %d: an item error without a valid index: %w", c.no, e)
			}
			if w, ok := s.retryable(e, attempt); ok {
				again, wait = append(again, idx[e.Index]), max(wait, w)
				continue
			}
			out.rejected = append(out.rejected, Rejection{Line: c.rowLines[idx[e.Index]], Reason: s.reason(ctx, j, e)})
		}
		if idx = again; len(idx) > 0 {
			if err := sleep(ctx, wait); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// send is one attempt: the rows at idx go to event ingest or identity
// resolution.
func (s *Service) send(ctx context.Context, j *Job, c *chunk, idx []int) (sent, error) {
	if j.Kind == Events {
		res, err := s.d.Events.Append(ctx, j.Workspace, j.Actor, Batch(j.ID, c.no), pick(c.events, idx))
		return sent{stored: int64(res.Accepted), duplicate: int64(res.Duplicates), failed: res.Errors}, err
	}
	var out sent
	for lo := 0; lo < len(idx); lo += identity.MaxBatch { // a chunk may hold more than one call takes
		part := idx[lo:min(lo+identity.MaxBatch, len(idx))]
		rs, err := s.d.Profiles.Upsert(ctx, j.Workspace, j.Actor, pick(c.profiles, part))
		for i, r := range rs {
			if r.Err != nil {
				out.failed = append(out.failed, errs.AtIndex(r.Err, lo+i))
			} else {
				out.stored++
			}
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func pick[T any](all []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, k := range idx {
		out[i] = all[k]
	}
	return out
}

// retryable says whether an attempt that failed with err is worth another
// one, and after how long.
// An unreachable store is Unavailable even when a store operation's
// deadline is what noticed it, so that case is checked first.
func (s *Service) retryable(err error, attempt int) (time.Duration, bool) {
	if errors.Is(err, context.Canceled) {
		return 0, false
	}
	e, ok := errs.As(err)
	switch {
	case ok && e.Kind == errs.Unavailable:
		return time.Duration(max(e.RetryAfter, 1)) * s.retryUnit, attempt < maxWaits
	case errors.Is(err, context.DeadlineExceeded):
		return 0, false
	case !ok || e.Kind == errs.Internal:
		return s.retryUnit << min(attempt-1, 5), attempt < maxAttempts
	}
	return 0, false
}

// reason is a rejected item's reason: the domain's message without the
// identifier values some of them quote; an internal error is logged here
// and shown as such.
func (s *Service) reason(ctx context.Context, j *Job, e *errs.Error) string {
	if e.Kind == errs.Internal {
		s.d.Logger.ErrorContext(ctx, "import row failed", "job", j.ID, "err", e)
		return "internal error"
	}
	return quotedValue.ReplaceAllString(e.Error(), "$1")
}

// quotedValue matches the identifier value that identity resolution quotes
// in its messages about malformed emails and phone numbers.
var quotedValue = regexp.MustCompile(`^(invalid (?:email|phone number)) "(?:[^"\\]|\\.)*"`)
