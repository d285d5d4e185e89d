package resolvers

import (
	"encoding/json"

	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/segment"
	"github.com/cdp-dev/cdp/model"
)

func toDomainRule(in *model.ConditionInput) *segment.Node {
	if in == nil {
		return nil
	}
	n := &segment.Node{Not: toDomainRule(in.Not), Trait: toDomainField(in.Trait), Computed: toDomainField(in.Computed)}
	if in.All != nil {
		n.All = toDomainNodes(in.All)
	}
	if in.Any != nil {
		n.Any = toDomainNodes(in.Any)
	}
	if e := in.Event; e != nil {
		n.Event = &segment.EventCond{Type: e.Type, Channel: deref(e.Channel), WithinDays: derefInt(e.WithinDays),
			WithinHours: derefInt(e.WithinHours)}
		for _, w := range e.Where {
			n.Event.Where = append(n.Event.Where, toDomainField(w))
		}
		if e.Count != nil {
			n.Event.Count = &segment.CountCond{Op: segment.Op(e.Count.Op), Value: e.Count.Value}
		}
	}
	if i := in.Identity; i != nil {
		n.Identity = &segment.IdentityCond{Type: i.Type, Exists: i.Exists}
	}
	if c := in.Consent; c != nil {
		n.Consent = &segment.ConsentCond{Channel: c.Channel, Granted: c.Granted}
	}
	return n
}

func toDomainNodes(in []*model.ConditionInput) []*segment.Node {
	out := make([]*segment.Node, len(in))
	for i, c := range in {
		out[i] = toDomainRule(c)
	}
	return out
}

func toDomainField(in *model.FieldCondition) *segment.Field {
	if in == nil {
		return nil
	}
	return &segment.Field{Path: in.Path, Op: segment.Op(in.Op), Value: in.Value}
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func toDomainSegmentInput(in model.SegmentInput) segment.Input {
	return segment.Input{Name: in.Name, Description: deref(in.Description), Rule: toDomainRule(in.Rule)}
}

func toModelSegment(s *segment.Segment) *model.Segment {
	if s == nil {
		return nil
	}
	var rule map[string]any
	if b, err := json.Marshal(s.Rule); err == nil {
		_ = json.Unmarshal(b, &rule)
	}
	return &model.Segment{ID: s.ID, Name: s.Name, Description: opt(s.Description), Rule: rule,
		Status: model.SegmentStatus(s.Status), CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func toModelSegments(ss []*segment.Segment) []*model.Segment {
	out := make([]*model.Segment, len(ss))
	for i, s := range ss {
		out[i] = toModelSegment(s)
	}
	return out
}

func toModelChange(c segment.Change) *model.SegmentMembershipChange {
	return &model.SegmentMembershipChange{SegmentID: c.SegmentID, ProfileID: c.ProfileID, Entered: c.Entered, At: c.At}
}

func toModelRFMSummary(s segment.RFMSummary) *model.RfmSummary {
	out := &model.RfmSummary{WindowDays: s.WindowDays, Scored: int(s.Scored),
		Boundaries: &model.RfmBoundaries{Recency: s.Boundaries.Recency[:], Frequency: s.Boundaries.Frequency[:],
			Monetary: s.Boundaries.Monetary[:]}}
	if !s.At.IsZero() {
		at := s.At
		out.RecomputedAt = &at
	}
	for _, l := range s.Labels {
		out.Labels = append(out.Labels, &model.RfmLabelSummary{Label: l.Label, Count: l.Count, Revenue: l.Revenue})
	}
	return out
}

func toModelComputed(c profile.Computed) *model.Computed {
	o := &c.Orders
	m := &model.Computed{FirstSeen: c.FirstSeen, LastSeen: c.LastSeen, EventCount: int(c.EventCount), Channels: c.Channels,
		OrderCount: int(o.Count), Revenue: o.Revenue, FirstOrderAt: o.First, LastOrderAt: o.Last,
		AverageOrderValue: o.AverageOrderValue(), OrderChannels: nonNilStrings(o.Channels), ChannelMix: model.ChannelMix(o.ChannelMix())}
	if r := c.RFM; r != nil {
		m.Rfm = &model.Rfm{RecencyDays: r.RecencyDays, Frequency: int(r.Frequency), Monetary: r.Monetary, R: r.R, F: r.F, M: r.M, Label: r.Label}
	}
	return m
}
