package demo

import (
	"context"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// Batch sizes: upsertProfiles and trackEvents take up to 1,000 items, but
// a profile item costs far more than an event (about 160 profiles a second
// on the embedded store), so profile calls stay short enough to show
// progress and never near a proxy's timeout.
const (
	profileBatch = 250
	eventBatch   = 500
)

const (
	upsertQ = `mutation($in: [IdentifyInput!]!) {
  upsertProfiles(inputs: $in) { created mergedProfileIds error { index code message } }
}`
	trackQ = `mutation($ev: [EventInput!]!) {
  trackEvents(events: $ev, wait: STORED) { accepted duplicates errors { index code message } }
}`
)

type itemError struct {
	Index         int
	Code, Message string
}

// upsertTally counts what upsertProfiles did.
type upsertTally struct{ created, merged atomic.Int64 }

// upsert sends the inputs in batches from a few concurrent calls. The
// inputs of one pass never share identifiers across customers, so their
// order across calls does not matter.
func (c *client) upsert(ctx context.Context, ins []ProfileInput, workers int, t *upsertTally, done func(int)) error {
	return inBatches(ctx, len(ins), profileBatch, workers, done, func(ctx context.Context, lo, hi int) error {
		var out struct {
			UpsertProfiles []struct {
				Created          bool
				MergedProfileIDs []string `json:"mergedProfileIds"`
				Error            *itemError
			}
		}
		if err := c.do(ctx, upsertQ, map[string]any{"in": ins[lo:hi]}, &out); err != nil {
			return fmt.Errorf("upsertProfiles: %w", err)
		}
		for _, p := range out.UpsertProfiles {
			if p.Error != nil {
				return fmt.Errorf("upsertProfiles item %d: %s (%s)", lo+p.Error.Index, p.Error.Message, p.Error.Code)
			}
			if p.Created {
				t.created.Add(1)
			}
			t.merged.Add(int64(len(p.MergedProfileIDs)))
		}
		return nil
	})
}

// trackTally counts what trackEvents did.
type trackTally struct{ accepted, duplicates atomic.Int64 }

// track sends the events in batches of 500 with wait: STORED.
func (c *client) track(ctx context.Context, evs []Event, workers int, t *trackTally, done func(int)) error {
	return inBatches(ctx, len(evs), eventBatch, workers, done, func(ctx context.Context, lo, hi int) error {
		var out struct {
			TrackEvents struct {
				Accepted, Duplicates int
				Errors               []itemError
			}
		}
		if err := c.do(ctx, trackQ, map[string]any{"ev": evs[lo:hi]}, &out); err != nil {
			return fmt.Errorf("trackEvents: %w", err)
		}
		if e := out.TrackEvents.Errors; len(e) > 0 {
			return fmt.Errorf("trackEvents item %d: %s (%s)", lo+e[0].Index, e[0].Message, e[0].Code)
		}
		t.accepted.Add(int64(out.TrackEvents.Accepted))
		t.duplicates.Add(int64(out.TrackEvents.Duplicates))
		return nil
	})
}

// inBatches calls send for [lo, hi) slices of n items, size at a time,
// from up to workers goroutines, calls done with the number of items sent
// so far after each, and returns the first error.
func inBatches(ctx context.Context, n, size, workers int, done func(int), send func(ctx context.Context, lo, hi int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var sent atomic.Int64
	for lo := 0; lo < n; lo += size {
		hi := min(n, lo+size)
		g.Go(func() error {
			if err := send(ctx, lo, hi); err != nil {
				return err
			}
			done(int(sent.Add(int64(hi - lo))))
			return nil
		})
	}
	return g.Wait()
}
