package servertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// WSMessage is one graphql-transport-ws message.
type WSMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// WS is a raw graphql-transport-ws (or graphql-ws) client connection.
type WS struct {
	Conn *websocket.Conn
	t    testing.TB
}

// DialWS opens a websocket with the given subprotocol and sends
// connection_init with the token; it does not wait for the ack.
func (s *Server) DialWS(t testing.TB, ctx context.Context, subprotocol, token string) *WS {
	t.Helper()
	url := "ws" + strings.TrimPrefix(s.URL, "http")
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{subprotocol}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	ws := &WS{Conn: c, t: t}
	ws.Send(ctx, WSMessage{Type: "connection_init", Payload: mustJSON(map[string]any{"Authorization": "Bearer " + token})})
	return ws
}

// Send writes a message.
func (w *WS) Send(ctx context.Context, m WSMessage) {
	w.t.Helper()
	if err := wsjson.Write(ctx, w.Conn, m); err != nil {
		w.t.Fatalf("ws write: %v", err)
	}
}

// Read returns the next message that is not a keep-alive or ping. An error
// means the connection closed.
func (w *WS) Read(ctx context.Context) (WSMessage, error) {
	for {
		var m WSMessage
		if err := wsjson.Read(ctx, w.Conn, &m); err != nil {
			return m, err
		}
		if m.Type != "ka" && m.Type != "ping" && m.Type != "pong" {
			return m, nil
		}
	}
}

// Subscribe sends a subscribe (graphql-transport-ws) message.
func (w *WS) Subscribe(ctx context.Context, id, query string, vars map[string]any) {
	w.Send(ctx, WSMessage{ID: id, Type: "subscribe", Payload: mustJSON(map[string]any{"query": query, "variables": vars})})
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// SSE opens a GraphQL-over-SSE subscription (distinct connections mode) and
// returns a reader of its "next" event payloads, closed when the stream ends.
func (s *Server) SSE(t testing.TB, ctx context.Context, token, query string) <-chan string {
	t.Helper()
	body := mustJSON(map[string]any{"query": query})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("sse: %v", err)
	}
	out := make(chan string, 16)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "event: complete":
				out <- "complete"
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "next":
				out <- strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

// Expect fails unless the next message on msgs holds every want.
func Expect(t testing.TB, ctx context.Context, msgs <-chan string, want ...string) {
	t.Helper()
	select {
	case m := <-msgs:
		for _, w := range want {
			if !strings.Contains(m, w) {
				t.Fatalf("message %s lacks %s", m, w)
			}
		}
	case <-ctx.Done():
		t.Fatalf("no message with %v", want)
	}
}
