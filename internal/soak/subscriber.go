package soak

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// subscriptionQ is what every subscriber asks for.
const subscriptionQ = `subscription { profileUpdated { id computed { eventCount } } }`

// message is one graphql-transport-ws message.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// subscriber is one websocket holding a profileUpdated subscription.
type subscriber struct {
	conn     *websocket.Conn
	received int  // "next" messages
	ended    bool // the server ended the subscription before the client did
	closing  atomic.Bool
}

// subscribe opens a graphql-transport-ws connection, waits for the ack and
// subscribes to profileUpdated.
func subscribe(ctx context.Context, srv *server) (*subscriber, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(srv.url, "http")
	c, _, err := websocket.Dial(dctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"},
		HTTPClient: srv.client})
	if err != nil {
		return nil, err
	}
	init, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + srv.token})
	if err := wsjson.Write(dctx, c, message{Type: "connection_init", Payload: init}); err != nil {
		c.CloseNow()
		return nil, err
	}
	var ack message
	if err := wsjson.Read(dctx, c, &ack); err != nil || ack.Type != "connection_ack" {
		c.CloseNow()
		return nil, errors.Join(errors.New("no connection_ack"), err)
	}
	sub, _ := json.Marshal(map[string]string{"query": subscriptionQ})
	if err := wsjson.Write(dctx, c, message{ID: "1", Type: "subscribe", Payload: sub}); err != nil {
		c.CloseNow()
		return nil, err
	}
	return &subscriber{conn: c}, nil
}

// read counts the subscription's messages until the connection closes.
func (s *subscriber) read(ctx context.Context) {
	for {
		var m message
		if err := wsjson.Read(ctx, s.conn, &m); err != nil {
			return
		}
		switch m.Type {
		case "next":
			s.received++
		case "ping":
			_ = wsjson.Write(ctx, s.conn, message{Type: "pong"})
		case "complete", "error":
			s.ended = s.ended || !s.closing.Load()
		}
	}
}

// close ends the subscription and the connection, as a client leaving does.
func (s *subscriber) close() {
	s.closing.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = wsjson.Write(ctx, s.conn, message{ID: "1", Type: "complete"})
	_ = s.conn.Close(websocket.StatusNormalClosure, "soak over")
}
