package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// subQ watches profiles as they are after each change; changedQ adds why.
const (
	subQ     = `subscription { profileUpdated { id traits } }`
	changedQ = `subscription { profileChanged { reason profile { traits } } }`
)

func TestProfileUpdatedOverWebsocket(t *testing.T) {
	for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		t.Run(proto, func(t *testing.T) {
			s := Start(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			ws := s.DialWS(t, ctx, proto, Token(t, "acme"))
			if m, err := ws.Read(ctx); err != nil || m.Type != "connection_ack" {
				t.Fatalf("ack: %v %v", m, err)
			}
			start := "subscribe"
			if proto == "graphql-ws" {
				start = "start"
			}
			ws.Send(ctx, WSMessage{ID: "1", Type: start, Payload: json.RawMessage(`{"query":"` + subQ + `"}`)})
			// Another workspace's change must not arrive; ours must.
			waitSubscribed(t, s, ctx)
			s.MustDo(t, Token(t, "globex"), identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "g@example.com")}})
			s.MustDo(t, Token(t, "acme"), identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "a@example.com"), "traits": map[string]any{"name": "A"}}})
			for {
				m, err := ws.Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if m.Type != "next" && m.Type != "data" {
					t.Fatalf("unexpected %s %s", m.Type, m.Payload)
				}
				if strings.Contains(string(m.Payload), `"name":"A"`) {
					return
				}
				if !strings.Contains(string(m.Payload), `"traits":{}`) || strings.Contains(string(m.Payload), "g@example") {
					t.Fatalf("foreign or odd payload: %s", m.Payload)
				}
			}
		})
	}
}

// waitSubscribed blocks until the server holds a live subscription.
func waitSubscribed(t *testing.T, s *Server, ctx context.Context) {
	t.Helper()
	if err := s.App.WaitSubscribers(ctx, 1); err != nil {
		t.Fatal("subscription never became live")
	}
}

func TestWebsocketWithoutValidTokenIsRefused(t *testing.T) {
	s := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws := s.DialWS(t, ctx, "graphql-transport-ws", "not-a-token")
	_, err := ws.Read(ctx)
	if websocket.CloseStatus(err) == -1 {
		t.Fatalf("connection stayed open: %v", err)
	}
}

func TestProfileChangedOverSSE(t *testing.T) {
	s := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok := Token(t, "acme")
	events := s.SSE(t, ctx, tok, changedQ)
	waitSubscribed(t, s, ctx)
	s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "sse@example.com"), "traits": map[string]any{"via": "sse"}}})
	got := <-events
	if !strings.Contains(got, `"via":"sse"`) || !strings.Contains(got, `"reason":"identify"`) {
		t.Fatalf("sse event = %s", got)
	}
	s.App.CloseStreams()
	for e := range events {
		if e == "complete" {
			return
		}
	}
	t.Fatal("stream ended without complete")
}
