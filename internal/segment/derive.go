package segment

import (
	"context"
	"slices"
	"time"

	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/rfm"
)

// Derive is the profile write hook: it scores RFM from the workspace's
// last quintiles and evaluates every segment of the workspace, from what
// the profile holds (no store read when the rules are cached).
func (s *Service) Derive(ctx context.Context, p *profile.Profile) {
	st, err := s.state(ctx, p.Workspace)
	if err != nil {
		// The rules could not be read: membership stays as it was, and the
		// next write or the sweep evaluates it again.
		s.logError("segment rules unavailable; membership not evaluated", err)
		return
	}
	s.derive(st, p, s.d.Now())
}

func (s *Service) derive(st *state, p *profile.Profile, now time.Time) {
	p.Computed.Prune(now)
	if p.MergedInto != "" || p.Erased || p.Erasing {
		p.Computed.RFM, p.Segments, p.Reevaluate = nil, nil, nil
		return
	}
	p.Computed.RFM = score(st, &p.Computed.Orders, now)
	for k := range p.Computed.Tallies { // conditions no segment uses any more
		if !slices.ContainsFunc(st.rules.Conditions, func(c profile.Condition) bool { return c.Key == k }) {
			delete(p.Computed.Tallies, k)
		}
	}
	if len(p.Computed.Tallies) == 0 {
		p.Computed.Tallies = nil
	}
	var in []string
	var next time.Time
	for _, seg := range st.segs {
		if seg.Rule == nil { // a stored rule that no longer decodes matches nobody
			continue
		}
		ok, changes := Eval(seg.Rule, p, now)
		if ok {
			in = append(in, seg.ID)
		}
		if !changes.IsZero() && (next.IsZero() || changes.Before(next)) {
			next = changes
		}
	}
	slices.Sort(in)
	p.Segments, p.Reevaluate = in, nil
	if !next.IsZero() {
		next = next.UTC().Truncate(time.Second).Add(time.Second)
		p.Reevaluate = &next
	}
}

// rfmValues are the profile's RFM inputs over the window, and whether it
// has any order in it.
func rfmValues(o *profile.Orders, windowDays int, now time.Time) (rfm.Values, bool) {
	n, revenue := o.Window(now, windowDays)
	if n <= 0 || o.Last == nil {
		return rfm.Values{}, false
	}
	days := int(now.Sub(*o.Last).Hours() / 24)
	return rfm.Values{RecencyDays: max(0, days), Frequency: int(n), Monetary: revenue}, true
}

// score returns the profile's RFM by the workspace's last quintiles, nil
// without orders in the window or before the first recomputation.
func score(st *state, o *profile.Orders, now time.Time) *profile.RFM {
	if st.rfm == nil {
		return nil
	}
	v, ok := rfmValues(o, st.rfm.WindowDays, now)
	if !ok {
		return nil
	}
	r, f, m := rfm.Score(v, st.rfm.Boundaries)
	return &profile.RFM{RecencyDays: v.RecencyDays, Frequency: int64(v.Frequency), Monetary: v.Monetary,
		R: r, F: f, M: m, Label: rfm.Label(r, f, m)}
}

// Stored is the hook told of every stored profile write: it publishes the
// segments the profile entered and left.
func (s *Service) Stored(_ context.Context, p *profile.Profile, before []string) {
	if s.d.Publish == nil || slices.Equal(before, p.Segments) {
		return
	}
	at := p.UpdatedAt
	for _, id := range before {
		if !slices.Contains(p.Segments, id) {
			s.d.Publish(Change{Workspace: p.Workspace, SegmentID: id, ProfileID: p.ID, Entered: false, At: at})
		}
	}
	for _, id := range p.Segments {
		if !slices.Contains(before, id) {
			s.d.Publish(Change{Workspace: p.Workspace, SegmentID: id, ProfileID: p.ID, Entered: true, At: at})
		}
	}
}
