package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// liveSamples is how many trackEvents calls live_segment times.
const liveSamples = 200

// wsConn is a graphql-transport-ws connection with one subscription.
type wsConn struct {
	c *websocket.Conn
}

// subscribe opens a websocket to the product, authenticates and starts the
// subscription.
func (c *client) subscribe(ctx context.Context, query string, vars map[string]any) (*wsConn, error) {
	url := "ws" + strings.TrimPrefix(c.url, "http")
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	conn.SetReadLimit(1 << 20)
	w := &wsConn{c: conn}
	if err := w.send(ctx, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + c.token}}); err != nil {
		return nil, err
	}
	if m, err := w.read(ctx); err != nil || m.Type != "connection_ack" {
		conn.CloseNow()
		return nil, fmt.Errorf("connection_init: %s %v", m.Type, err)
	}
	err = w.send(ctx, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
	return w, err
}

type wsMessage struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

func (w *wsConn) send(ctx context.Context, m any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return w.c.Write(ctx, websocket.MessageText, b)
}

func (w *wsConn) read(ctx context.Context) (wsMessage, error) {
	var m wsMessage
	_, b, err := w.c.Read(ctx)
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

// liveSegment: the time from sending a trackEvents call to receiving, on a
// websocket subscribed to segmentMembershipChanged, the message of the
// customer it makes enter a segment; one call at a time, each customer's
// first "live_ping" event.
func (e *env) liveSegment(ctx context.Context, sp *space, prefix string) ([]Scenario, error) {
	ids, err := defineSegments(ctx, sp.c, "live_segment", []map[string]any{{"event": map[string]any{"type": "live_ping"}}})
	if err != nil {
		return nil, err
	}
	w, err := sp.c.subscribe(ctx, `subscription($id: ID) { segmentMembershipChanged(segmentId: $id) { profileId entered } }`,
		map[string]any{"id": ids[0]})
	if err != nil {
		return nil, err
	}
	defer w.c.CloseNow()
	time.Sleep(100 * time.Millisecond) // the subscription starts after the subscribe message is read
	n := min(liveSamples, e.o.Customers)
	ds := make([]time.Duration, 0, n)
	tag := time.Now().UnixNano()
	for i := range n {
		ev := eventInput(fmt.Sprintf("live-%d-%d", tag, i), email(prefix, i), i)
		ev["type"] = "live_ping"
		start := time.Now()
		if err := sp.c.track(ctx, []any{ev}); err != nil {
			return nil, err
		}
		for {
			m, err := w.read(ctx)
			if err != nil {
				return nil, fmt.Errorf("read the membership message: %w", err)
			}
			if m.Type == "next" && strings.Contains(string(m.Payload), `"entered":true`) {
				break
			}
			if m.Type == "error" || m.Type == "complete" {
				return nil, fmt.Errorf("subscription ended: %s %s", m.Type, m.Payload)
			}
		}
		ds = append(ds, time.Since(start))
	}
	note := fmt.Sprintf("trackEvents (APPLIED) sent to segmentMembershipChanged received, %d calls one at a time", n)
	return []Scenario{figure("live_segment_p50", "ms", percentile(ds, 0.5), note),
		figure("live_segment_p99", "ms", percentile(ds, 0.99), note)}, nil
}
