package demo

import (
	"context"
	"time"
)

// Bounds of the waits that follow the loading, and the polling interval.
const (
	foldWait    = 3 * time.Minute
	segmentWait = time.Minute // they go on building in the background
	pollEvery   = time.Second
)

// waitForFold polls ingestStatus until no stored event waits to be folded
// into its profile, so that recomputeRfm sees every order. It gives up
// (false) after foldWait, or at once without the admin scope.
func (c *client) waitForFold(ctx context.Context, logf func(string, ...any)) bool {
	deadline, last := time.Now().Add(foldWait), -1
	for {
		var out struct{ IngestStatus struct{ Backlog int } }
		err := c.do(ctx, `{ ingestStatus { backlog } }`, nil, &out)
		switch {
		case err != nil:
			logf("not waiting for the fold: %v", err)
			return false
		case out.IngestStatus.Backlog == 0:
			return true
		case time.Now().After(deadline):
			logf("the fold still has %d events to apply; going on", out.IngestStatus.Backlog)
			return false
		}
		if n := out.IngestStatus.Backlog; n != last {
			logf("waiting for the fold: %d events to apply", n)
			last = n
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(pollEvery):
		}
	}
}

// waitForSegments polls the segments until none of made is still being
// built (or segmentWait passed) and returns made with their sizes then.
func (c *client) waitForSegments(ctx context.Context, made []SegmentResult, logf func(string, ...any)) []SegmentResult {
	deadline, last := time.Now().Add(segmentWait), -1
	for {
		var out struct{ Segments []SegmentResult }
		if err := c.do(ctx, `{ segments { id name size status } }`, nil, &out); err != nil {
			logf("not waiting for the segments: %v", err)
			return made
		}
		building := 0
		for i, m := range made {
			for _, s := range out.Segments {
				if s.Name == m.Name {
					made[i].ID, made[i].Size, made[i].Status = s.ID, s.Size, s.Status
				}
			}
			if made[i].Status == "BUILDING" {
				building++
			}
		}
		if building == 0 || time.Now().After(deadline) {
			return made
		}
		if building != last {
			logf("segments still being built over the existing profiles: %d", building)
			last = building
		}
		select {
		case <-ctx.Done():
			return made
		case <-time.After(pollEvery):
		}
	}
}
