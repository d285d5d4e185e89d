package event

import (
	"context"
	"errors"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// Group commit: concurrent calls hand their events to a writer, which
// stores whatever has arrived meanwhile with one mark and one InsertMany,
// then answers each call with its part. An idle writer writes a lone call's
// events at once, so waiting for company never adds latency.

type appendReq struct {
	evs  []*Event
	done chan committed
}

// committed is a call's part of a group commit.
type committed struct {
	dup     []bool
	pending *pending // the fold of the call's workspace's part
	err     error
}

var errClosed = errs.New(errs.Unavailable, "the server is shutting down").WithRetryAfter(1)

// commit stores the events through a group commit.
func (s *Service) commit(ctx context.Context, evs []*Event) committed {
	r := &appendReq{evs: evs, done: make(chan committed, 1)}
	select {
	case s.groups <- r:
	case <-s.quit:
		return committed{err: errClosed}
	case <-ctx.Done():
		return committed{err: ctx.Err()}
	}
	select { // the write goes on for the others if this caller leaves
	case c := <-r.done:
		return c
	case <-ctx.Done():
		return committed{err: ctx.Err()}
	}
}

// writer writes groups until the service closes.
func (s *Service) writer() {
	for {
		var first *appendReq
		select {
		case first = <-s.groups:
		case <-s.quit:
			return
		}
		reqs, n := []*appendReq{first}, len(first.evs)
	drain:
		for n < s.opts.GroupMax {
			select {
			case r := <-s.groups:
				reqs, n = append(reqs, r), n+len(r.evs)
			default:
				break drain
			}
		}
		s.writeGroup(reqs)
	}
}

// writeGroup stores the calls' events as one batch and answers each call.
func (s *Service) writeGroup(reqs []*appendReq) {
	ctx := s.ctx
	batch, now := s.newID(), s.identities.Now()
	var all []*Event
	var refs []BatchRef
	seen := map[auth.Workspace]bool{}
	for _, r := range reqs {
		for _, e := range r.evs {
			if !seen[e.Workspace] {
				seen[e.Workspace] = true
				refs = append(refs, BatchRef{Workspace: e.Workspace, Batch: batch, At: now})
			}
		}
		all = append(all, r.evs...)
	}
	dup, ps, err := s.write(ctx, refs, all)
	for _, r := range reqs {
		c := committed{err: err}
		if err == nil {
			c.dup, dup = dup[:len(r.evs)], dup[len(r.evs):]
			c.pending = ps[r.evs[0].Workspace]
		}
		r.done <- c
	}
}

// write marks the batches, stores the events under them and queues their
// fold; it returns which events were duplicates and the fold of each
// workspace's part. A batch whose events may be partly stored when it
// fails is queued to be folded from the store.
func (s *Service) write(ctx context.Context, refs []BatchRef, evs []*Event) ([]bool, map[auth.Workspace]*pending, error) {
	perWS := map[auth.Workspace]int{}
	for _, e := range evs {
		e.Batch = refs[0].Batch
		perWS[e.Workspace]++
	}
	for i := range refs {
		refs[i].Events = perWS[refs[i].Workspace]
	}
	defer s.fold.startWrite(refs)()
	if err := s.store.Mark(ctx, refs); err != nil {
		return nil, nil, err
	}
	dup, err := s.store.Insert(ctx, evs)
	if err != nil {
		for _, ref := range refs {
			s.fold.enqueue(&pending{ref: ref, load: true, at: ref.At})
		}
		if errors.Is(err, context.Canceled) {
			return nil, nil, errClosed
		}
		return nil, nil, err
	}
	ps := map[auth.Workspace]*pending{}
	for _, ref := range refs {
		ps[ref.Workspace] = &pending{ref: ref, at: ref.At}
	}
	for i, e := range evs {
		if !dup[i] && !e.folded {
			p := ps[e.Workspace]
			p.evs = append(p.evs, e)
		}
	}
	for ws, p := range ps {
		ps[ws] = s.fold.enqueue(p)
	}
	return dup, ps, nil
}
