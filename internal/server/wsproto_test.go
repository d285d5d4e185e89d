package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cdp-dev/cdp/internal/config"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// dialRaw opens a graphql-transport-ws websocket and sends nothing.
func dialRaw(t *testing.T, ctx context.Context, s *Server) *WS {
	t.Helper()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return &WS{Conn: c}
}

// closeCode reads until the server closes and returns its close code.
func closeCode(t *testing.T, ctx context.Context, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

func sendFrame(ctx context.Context, c *websocket.Conn, msg string) error {
	return c.Write(ctx, websocket.MessageText, []byte(msg))
}

// TestWebsocketProtocolCloseCodes probes the graphql-transport-ws rules
// that gqlgen alone does not keep, with raw frames as a broken or hostile
// client would send them.
func TestWebsocketProtocolCloseCodes(t *testing.T) {
	s := Start(t)
	tok := Token(t, "ws")
	init := `{"type":"connection_init","payload":{"Authorization":"Bearer ` + tok + `"}}`
	sub := func(id string) string {
		b, _ := json.Marshal(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": subQ}})
		return string(b)
	}
	noID := `{"type":"subscribe","payload":{"query":"subscription { profileUpdated { id } }"}}`
	tests := []struct {
		name   string
		frames []string
		want   websocket.StatusCode
	}{
		{"subscribe before connection_init", []string{sub("1")}, 4401},
		{"second connection_init", []string{init, init}, 4429},
		{"unknown message type", []string{init, `{"type":"hello"}`}, 4400},
		{"not JSON", []string{init, `{"type":`}, 4400},
		{"subscribe without an id", []string{init, noID}, 4400},
		{"duplicate subscription id", []string{init, sub("1"), sub("1")}, 4409},
		{"bad token", []string{`{"type":"connection_init","payload":{"Authorization":"Bearer nope"}}`}, 4403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			ws := dialRaw(t, ctx, s)
			for _, f := range tt.frames {
				_ = sendFrame(ctx, ws.Conn, f) // the server may close before the last
			}
			if got := closeCode(t, ctx, ws.Conn); got != tt.want {
				t.Errorf("closed with %d, want %d", got, tt.want)
			}
		})
	}
}

// TestWebsocketWithoutInitClosesWith4408 waits out the five seconds a
// client has to send connection_init.
func TestWebsocketWithoutInitClosesWith4408(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the init timeout")
	}
	s := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if got := closeCode(t, ctx, dialRaw(t, ctx, s).Conn); got != 4408 {
		t.Errorf("closed with %d, want 4408", got)
	}
}

// TestWebsocketLimits checks the caps: one subscription per connection and
// one connection per subject here. A second subscription gets an error
// message and the connection lives on; a second connection is closed 4429.
func TestWebsocketLimits(t *testing.T) {
	s := StartWith(t, Options{Config: func(c *config.Config) { c.Limits.WSSubscriptions, c.Limits.WSPerSubject = 1, 1 }})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok := Token(t, "ws")
	ws := s.DialWS(t, ctx, "graphql-transport-ws", tok)
	if m, err := ws.Read(ctx); err != nil || m.Type != "connection_ack" {
		t.Fatalf("ack: %v %v", m, err)
	}
	ws.Subscribe(ctx, "1", subQ, nil)
	waitSubscribed(t, s, ctx)
	ws.Subscribe(ctx, "2", subQ, nil)
	m, err := ws.Read(ctx)
	if err != nil || m.ID != "2" || !strings.Contains(string(m.Payload), "too many subscriptions") {
		t.Fatalf("second subscription: %+v %v", m, err)
	}
	second := s.DialWS(t, ctx, "graphql-transport-ws", tok)
	if got := closeCode(t, ctx, second.Conn); got != 4429 {
		t.Errorf("second connection closed with %d, want 4429", got)
	}
	ws.Send(ctx, WSMessage{ID: "1", Type: "complete"})
	for m.Type != "complete" || m.ID != "1" {
		if m, err = ws.Read(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ws.Subscribe(ctx, "1", subQ, nil) // the id and the place are free again
	waitSubscribed(t, s, ctx)
	s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "a@example.com")}})
	if m, err = ws.Read(ctx); err != nil || m.ID != "1" || m.Type != "next" {
		t.Fatalf("resubscribed: %+v %v", m, err)
	}
}

// TestWebsocketSubscribeIsRateLimited checks that each subscribe takes a
// rate-limit token: past the burst, an error message with RATE_LIMITED
// and retryAfter, and the connection stays open.
func TestWebsocketSubscribeIsRateLimited(t *testing.T) {
	s := StartWith(t, Options{Config: func(c *config.Config) { c.Limits.RateLimit, c.Limits.RateBurst = 0.001, 1 }})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws := s.DialWS(t, ctx, "graphql-transport-ws", Token(t, "ws"))
	if m, err := ws.Read(ctx); err != nil || m.Type != "connection_ack" {
		t.Fatalf("ack: %v %v", m, err)
	}
	ws.Subscribe(ctx, "1", subQ, nil)
	waitSubscribed(t, s, ctx)
	ws.Subscribe(ctx, "2", subQ, nil)
	m, err := ws.Read(ctx)
	if err != nil || m.ID != "2" || !strings.Contains(string(m.Payload), "RATE_LIMITED") || !strings.Contains(string(m.Payload), "retryAfter") {
		t.Fatalf("second subscribe: %+v %v", m, err)
	}
	ws.Send(ctx, WSMessage{ID: "1", Type: "complete"})
	if m, err = ws.Read(ctx); err != nil || m.Type != "complete" {
		t.Fatalf("the connection should live on: %+v %v", m, err)
	}
}
