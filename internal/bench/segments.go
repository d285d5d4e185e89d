package bench

import (
	"context"
	"fmt"
	"time"
)

// segmentCount is how many segments segment_cost defines.
const segmentCount = 50

// segmentRules returns n rules of mixed kinds: computed values, traits,
// identifiers, event counts with and without windows and property
// conditions, and their combinations.
func segmentRules(n int) []map[string]any {
	f := func(path, op string, v any) map[string]any { return map[string]any{"path": path, "op": op, "value": v} }
	ev := func(typ string, extra map[string]any) map[string]any {
		e := map[string]any{"type": typ}
		for k, v := range extra {
			e[k] = v
		}
		return map[string]any{"event": e}
	}
	out := make([]map[string]any, n)
	for i := range n {
		switch i % 10 {
		case 0:
			out[i] = map[string]any{"computed": f("revenue", "GTE", 100*i)}
		case 1:
			out[i] = map[string]any{"computed": f("channelMix", "IN", []any{"OMNICHANNEL", "OFFLINE_ONLY"})}
		case 2:
			out[i] = ev("order_completed", map[string]any{"withinDays": 30, "count": map[string]any{"op": "GTE", "value": 1 + i%3}})
		case 3:
			out[i] = ev("page_view", map[string]any{"where": []any{f("path", "STARTS_WITH", fmt.Sprintf("/p/%d", i%10))}})
		case 4:
			out[i] = map[string]any{"trait": f("seq", "BETWEEN", []any{i * 10, i*10 + 500})}
		case 5:
			out[i] = map[string]any{"identity": map[string]any{"type": "email", "exists": true}}
		case 6:
			out[i] = ev("page_view", map[string]any{"withinHours": 24, "count": map[string]any{"op": "GTE", "value": 5}})
		case 7:
			out[i] = map[string]any{"all": []any{map[string]any{"computed": f("orderCount", "GTE", 1)},
				map[string]any{"not": ev("order_completed", map[string]any{"channel": "pos"})}}}
		case 8:
			out[i] = map[string]any{"any": []any{map[string]any{"computed": f("rfm.label", "EQ", "Champions")},
				map[string]any{"computed": f("eventCount", "GT", 3+i)}}}
		default:
			out[i] = ev("order_completed", map[string]any{"where": []any{f("revenue", "GT", 50+i)}, "withinDays": 365})
		}
	}
	return out
}

const (
	createSegmentQ = `mutation($in: SegmentInput!) { createSegment(input: $in) { id } }`
	segmentStatusQ = `query($id: ID!) { segment(id: $id) { status } }`
)

// defineSegments creates the rules as segments named after what (names are
// unique in a workspace) and waits until every one is built; it returns
// their ids.
func defineSegments(ctx context.Context, c *client, what string, rules []map[string]any) ([]string, error) {
	ids := make([]string, len(rules))
	for i, r := range rules {
		var out struct {
			CreateSegment struct{ ID string } `json:"createSegment"`
		}
		in := map[string]any{"name": fmt.Sprintf("%s %d", what, i), "rule": r}
		if err := c.do(ctx, createSegmentQ, map[string]any{"in": in}, &out); err != nil {
			return nil, fmt.Errorf("create segment %d: %w", i, err)
		}
		ids[i] = out.CreateSegment.ID
	}
	for _, id := range ids {
		for {
			var out struct {
				Segment struct{ Status string } `json:"segment"`
			}
			if err := c.do(ctx, segmentStatusQ, map[string]any{"id": id}, &out); err != nil {
				return nil, err
			}
			if out.Segment.Status == "READY" {
				break
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return ids, nil
}

// mixedBatches is batchesVia with one event in five an order, on the web
// or in a store, so that computed values and tallies change.
func mixedBatches(prefix string, p plan, send func(context.Context, []any) error) job {
	tag := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
	return func(ctx context.Context, b int) error {
		evs := make([]any, 0, p.size)
		for k := range p.len(b) {
			e := eventInput(fmt.Sprintf("%s-%d-%d", tag, b, k), email(prefix, p.customer(b, k)), k)
			if k%5 == 0 {
				e["type"], e["channel"] = "order_completed", []string{"web", "pos"}[(b+k)%2]
				e["properties"] = map[string]any{"revenue": float64(10 + k)}
			}
			evs = append(evs, e)
		}
		return send(ctx, evs)
	}
}

// segmentCost: the ingest scenario's batches (one event in five an order)
// sent to a workspace with 50 segments of mixed kinds, against the same
// batches sent to one with none.
func (e *env) segmentCost(ctx context.Context) ([]Scenario, error) {
	var rows []Scenario
	const prefix = "c"
	with, err := e.open(ctx, "segments50")
	if err != nil {
		return nil, err
	}
	defer with.close()
	without, err := e.open(ctx, "segments0")
	if err != nil {
		return nil, err
	}
	defer without.close()
	for _, sp := range []*space{with, without} {
		if _, err := e.seedProfiles(ctx, sp, population(prefix, e.o.Customers)); err != nil {
			return nil, err
		}
	}
	if _, err := defineSegments(ctx, with.c, "segment_cost", segmentRules(segmentCount)); err != nil {
		return nil, err
	}
	if !e.o.Skip["segment_cost"] {
		p := newPlan(e.o.Events, e.o.Batch, e.o.Customers)
		r, err := e.throughput(ctx, p, e.o.Clients, mixedBatches(prefix, p, with.c.track), mixedBatches(prefix, p, without.c.track), nil)
		if err != nil {
			return nil, fmt.Errorf("segment_cost: %w", err)
		}
		rows = append(rows, withCmds(row("segment_cost", "events/s", r.product, r.baseline, ">= 0.8",
			fmt.Sprintf("the same trackEvents batches (1 event in 5 an order), %d clients, with no segment defined", e.o.Clients)), r.cmds))
	}
	if !e.o.Skip["live_segment"] {
		live, err := e.liveSegment(ctx, with, prefix)
		if err != nil {
			return nil, fmt.Errorf("live_segment: %w", err)
		}
		rows = append(rows, live...)
	}
	return rows, nil
}
