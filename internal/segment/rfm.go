package segment

import (
	"context"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/rfm"
)

// DefaultRFMWindowDays is the RFM window of a workspace that sets none.
const DefaultRFMWindowDays = 365

// RFMSummary is a workspace's RFM state: its quintile boundaries and, per
// label, how many profiles carry it and their revenue in the window.
type RFMSummary struct {
	Boundaries rfm.Boundaries
	WindowDays int
	Scored     int64
	Labels     []rfm.LabelSummary
	At         time.Time // of the last recomputation; zero when never
}

// RecomputeRFM computes the workspace's quintile boundaries from every
// profile with orders in the window, stores them, scores every profile by
// them, and returns the summary once the scores are stored.
//
// The work runs on the service's context, once per workspace at a time: a
// caller whose ctx ends first (a client's deadline on a large workspace)
// leaves it running, and a caller arriving meanwhile (the client's retry,
// the periodic job) waits for the same run instead of starting another.
func (s *Service) RecomputeRFM(ctx context.Context, ws auth.Workspace) (RFMSummary, error) {
	ch := s.rfmRuns.DoChan(string(ws), func() (any, error) {
		return s.recomputeRFM(s.ctx, ws)
	})
	select {
	case r := <-ch:
		sum, _ := r.Val.(RFMSummary)
		return sum, r.Err
	case <-ctx.Done():
		return RFMSummary{}, errs.Newf(errs.Unavailable, "the RFM recomputation is still running: retry to wait for it").WithRetryAfter(5)
	}
}

// recomputeRFM is RecomputeRFM's work.
func (s *Service) recomputeRFM(ctx context.Context, ws auth.Workspace) (RFMSummary, error) {
	st, err := s.reload(ctx, ws)
	if err != nil {
		return RFMSummary{}, err
	}
	window := st.settings.RFMWindowDays
	if window <= 0 {
		window = DefaultRFMWindowDays
	}
	now := s.d.Now()
	var vs []rfm.Values
	err = s.eachPage(ctx, ws, func(ps []*profile.Profile) error {
		for _, p := range ps {
			if v, ok := rfmValues(&p.Computed.Orders, window, now); ok {
				vs = append(vs, v)
			}
		}
		return nil
	})
	if err != nil {
		return RFMSummary{}, err
	}
	state := &RFMState{Workspace: ws, Boundaries: rfm.Quintiles(vs), WindowDays: window, At: now.UTC().Truncate(time.Millisecond)}
	if err := s.d.Store.PutRFM(ctx, state); err != nil {
		return RFMSummary{}, err
	}
	if err := s.Rewrite(ctx, ws, false); err != nil {
		return RFMSummary{}, err
	}
	return s.RFMSummary(ctx, ws)
}

// RFMSummary returns the workspace's RFM state as profiles hold it now.
func (s *Service) RFMSummary(ctx context.Context, ws auth.Workspace) (RFMSummary, error) {
	st, err := s.state(ctx, ws)
	if err != nil {
		return RFMSummary{}, err
	}
	out := RFMSummary{WindowDays: DefaultRFMWindowDays}
	if st.rfm != nil {
		out.Boundaries, out.WindowDays, out.At = st.rfm.Boundaries, st.rfm.WindowDays, st.rfm.At
	}
	var scored []rfm.Scored
	err = s.eachPage(ctx, ws, func(ps []*profile.Profile) error {
		for _, p := range ps {
			if r := p.Computed.RFM; r != nil {
				scored = append(scored, rfm.Scored{Values: rfm.Values{RecencyDays: r.RecencyDays, Frequency: int(r.Frequency),
					Monetary: r.Monetary}, R: r.R, F: r.F, M: r.M, Label: r.Label})
			}
		}
		return nil
	})
	out.Scored, out.Labels = int64(len(scored)), rfm.Summarize(scored)
	return out, err
}

// recomputeAll recomputes the RFM quintiles of every workspace.
func (s *Service) recomputeAll(ctx context.Context) {
	wss, err := s.d.ProfileList.Workspaces(ctx)
	if err != nil {
		s.logError("RFM recomputation failed; retrying", err)
		return
	}
	for _, ws := range wss {
		if _, err := s.RecomputeRFM(ctx, ws); err != nil {
			s.logError("RFM recomputation failed; retrying", err)
		}
	}
}
