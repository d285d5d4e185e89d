package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

const (
	createSegmentQ = `mutation($in: SegmentInput!) { createSegment(input: $in) { id name status } }`
	updateSegmentQ = `mutation($id: ID!, $in: SegmentInput!) { updateSegment(id: $id, input: $in) { id status } }`
	segmentQ       = `query($id: ID!) { segment(id: $id) { id status size } }`
	membersQ       = `query($id: ID!, $after: String) { segmentMembers(segmentId: $id, first: 100, after: $after) {
		edges { node { id } } pageInfo { hasNextPage endCursor } } }`
	trackAppliedQ = `mutation($ev: [EventInput!]!) { trackEvents(events: $ev) { accepted errors { code message } } }`
)

// order is an order_completed event input.
func order(msg, idType, idValue, channel string, revenue float64, at time.Time) map[string]any {
	return map[string]any{"messageId": msg, "type": "order_completed", "channel": channel,
		"identities": ids(idType, idValue), "properties": map[string]any{"revenue": revenue},
		"timestamp": at.UTC().Format(time.RFC3339)}
}

// createSegment creates a segment and returns its id.
func createSegment(t *testing.T, s *Server, tok, name string, rule map[string]any) string {
	t.Helper()
	d := s.MustDo(t, tok, createSegmentQ, map[string]any{"in": map[string]any{"name": name, "rule": rule}})
	return Str(d, "createSegment", "id")
}

// waitReady blocks until the segment's build is done (status READY).
func waitReady(t *testing.T, s *Server, tok, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		if Str(s.MustDo(t, tok, segmentQ, map[string]any{"id": id}), "segment", "status") == "READY" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("segment %s never became READY", id)
}

// members returns the segment's member ids, sorted.
func members(t *testing.T, s *Server, tok, id string) []string {
	t.Helper()
	var out []string
	var after any
	for {
		d := s.MustDo(t, tok, membersQ, map[string]any{"id": id, "after": after})
		for _, e := range Get(d, "segmentMembers", "edges").([]any) {
			out = append(out, Str(e, "node", "id"))
		}
		if Get(d, "segmentMembers", "pageInfo", "hasNextPage") != true {
			break
		}
		after = Str(d, "segmentMembers", "pageInfo", "endCursor")
	}
	slices.Sort(out)
	return out
}

// field is a FieldCondition input.
func field(path, op string, value any) map[string]any {
	return map[string]any{"path": path, "op": op, "value": value}
}

func mustTrack(t *testing.T, s *Server, tok string, evs ...map[string]any) {
	t.Helper()
	list := make([]any, len(evs))
	for i, e := range evs {
		list[i] = e
	}
	d := s.MustDo(t, tok, trackAppliedQ, map[string]any{"ev": list})
	if errs := Get(d, "trackEvents", "errors").([]any); len(errs) > 0 {
		t.Fatalf("trackEvents errors: %v", errs)
	}
}

func msgID(prefix string, i int) string { return fmt.Sprintf("%s-%d", prefix, i) }
