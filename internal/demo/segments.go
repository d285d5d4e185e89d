package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/cdp-dev/cdp/internal/rfm"
)

// SegmentDef is a segment seed-demo creates: a SegmentInput, with its rule
// a ConditionInput as JSON.
type SegmentDef struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Rule        map[string]any `json:"rule"`
}

// Segments are the segments seed-demo creates, one per kind of rule.
func Segments() []SegmentDef {
	return []SegmentDef{
		{"RFM Champions", "Bought recently, often, and spend the most.",
			computed("rfm.label", "EQ", rfm.Champions)},
		{"At Risk", "Used to buy well, not for a while: win them back.",
			computed("rfm.label", "IN", []string{rfm.AtRisk, rfm.CantLoseThem})},
		{"Omnichannel buyers", "Ordered both online and in store.",
			computed("channelMix", "EQ", "OMNICHANNEL")},
		{"LINE friends who never bought online", "Follow the LINE account; bought in store or not at all.",
			all(map[string]any{"identity": map[string]any{"type": "line_uid", "exists": true}},
				not(computed("channelMix", "IN", []string{"ONLINE_ONLY", "OMNICHANNEL"})))},
		{"Abandoned cart (last 7 days)", "Started a checkout in the last 7 days and did not order since.",
			all(event("checkout_started", 7), not(event("order_completed", 7)))},
	}
}

func computed(path, op string, value any) map[string]any {
	return map[string]any{"computed": map[string]any{"path": path, "op": op, "value": value}}
}

func event(typ string, withinDays int) map[string]any {
	return map[string]any{"event": map[string]any{"type": typ, "withinDays": withinDays}}
}

func all(cs ...map[string]any) map[string]any { return map[string]any{"all": cs} }

func not(c map[string]any) map[string]any { return map[string]any{"not": c} }

const (
	segmentsQ      = `{ segments { name } }`
	createSegmentQ = `mutation($in: SegmentInput!) { createSegment(input: $in) { id name size status } }`
	recomputeRfmQ  = `mutation { recomputeRfm { __typename } }`
	profilesQ      = `{ profiles(first: 1) { totalCount } }`
)

// errUnsupported marks a feature the server does not have yet.
var errUnsupported = errors.New("not supported by this server yet")

// errTimedOut marks an operation that ran past the server's time limit.
var errTimedOut = errors.New("the server's CDP_OPERATION_TIMEOUT passed")

// SegmentResult is a segment as the server created it.
type SegmentResult struct {
	ID, Name, Status string
	Size             int
	Existed          bool `json:"-"` // the workspace had it before this run
}

// createSegments creates the demo segments the workspace does not have
// by name yet; those it has (from an earlier run) are reported as Existed. When the server has no segments it returns errUnsupported.
func (c *client) createSegments(ctx context.Context) ([]SegmentResult, error) {
	have, err := c.segmentNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []SegmentResult
	for _, s := range Segments() {
		if have[s.Name] {
			out = append(out, SegmentResult{Name: s.Name, Existed: true})
			continue
		}
		var res struct{ CreateSegment SegmentResult }
		err := c.do(ctx, createSegmentQ, map[string]any{"in": s}, &res)
		var ge *GraphQLError
		switch {
		case missingField(err, "createSegment") || missingField(err, "SegmentInput"):
			return out, fmt.Errorf("createSegment: %w (%v)", errUnsupported, err)
		case errors.As(err, &ge) && ge.Code == "CONFLICT":
			out = append(out, SegmentResult{Name: s.Name, Existed: true})
		case err != nil:
			return out, fmt.Errorf("createSegment %q: %w", s.Name, err)
		default:
			out = append(out, res.CreateSegment)
		}
	}
	return out, nil
}

// segmentNames are the names of the workspace's segments.
func (c *client) segmentNames(ctx context.Context) (map[string]bool, error) {
	var out struct{ Segments []struct{ Name string } }
	err := c.do(ctx, segmentsQ, nil, &out)
	if missingField(err, "segments") {
		return nil, fmt.Errorf("segments: %w (%v)", errUnsupported, err)
	}
	have := map[string]bool{}
	for _, s := range out.Segments {
		have[s.Name] = true
	}
	return have, err
}

// recomputeRfm asks the server to recompute the RFM quintiles and scores.
func (c *client) recomputeRfm(ctx context.Context) error {
	err := c.do(ctx, recomputeRfmQ, nil, nil)
	var ge *GraphQLError
	switch {
	case missingField(err, "recomputeRfm"):
		return fmt.Errorf("recomputeRfm: %w (%v)", errUnsupported, err)
	case errors.As(err, &ge) && ge.Code == "UNAVAILABLE":
		return fmt.Errorf("recomputeRfm: %w (%v); the server recomputes every CDP_RFM_INTERVAL, "+
			"or serve with a longer timeout and run it again", errTimedOut, err)
	}
	return err
}

// profileCountOr is the workspace's number of profiles, or def when it
// cannot be read (a token without profiles:read).
func (c *client) profileCountOr(ctx context.Context, def int) int {
	var out struct{ Profiles struct{ TotalCount int } }
	if err := c.do(ctx, profilesQ, nil, &out); err != nil {
		return def
	}
	return out.Profiles.TotalCount
}
