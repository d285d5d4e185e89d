package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// graphql-transport-ws close codes (PROTOCOL.md of graphql-ws).
const (
	closeBadRequest      = 4400
	closeUnauthorized    = 4401
	closeForbidden       = 4403
	closeInitTimeout     = 4408
	closeDuplicateID     = 4409
	closeTooManyInits    = 4429
	transportWS          = "graphql-transport-ws"
	closeReasonMaxLength = 120
)

// wsProtocol puts the rules of graphql-transport-ws that gqlgen does not
// enforce in front of its websocket transport, by reading each client
// frame before gqlgen does: subscribe before connection_init closes 4401, a
// second connection_init 4429, an unknown message or a subscribe without
// an id 4400, a subscription id already running 4409, and no
// connection_init within initTimeout 4408 (on both subprotocols; the older
// graphql-ws is otherwise passed through untouched).
type wsProtocol struct {
	inner       transport.WebsocketImplementation
	initTimeout time.Duration
}

// Accept accepts the websocket through the wrapped implementation.
func (p wsProtocol) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := p.inner.Accept(w, r, o)
	if err != nil {
		return c, err
	}
	pc := &protoConn{WebsocketConn: c, strict: c.Subprotocol() == transportWS, active: map[string]bool{}}
	pc.initTimer = time.AfterFunc(p.initTimeout, func() { pc.violate(closeInitTimeout, "Connection initialisation timeout") })
	return pc, nil
}

// protoConn checks the frames of one connection. It forwards the optional
// read limit and read deadline of the connection it wraps.
type protoConn struct {
	transport.WebsocketConn
	strict    bool // graphql-transport-ws: the rules apply
	initTimer *time.Timer

	mu     sync.Mutex
	inited bool
	active map[string]bool // subscription ids running
	closed bool
}

// wsFrame is the part of a message the rules look at.
type wsFrame struct {
	ID   *string `json:"id"`
	Type string  `json:"type"`
}

// NextReader returns the next client frame, or closes the connection with
// the protocol's code when the frame breaks a rule.
func (c *protoConn) NextReader() (int, io.Reader, error) {
	typ, r, err := c.WebsocketConn.NextReader()
	if err != nil {
		return typ, r, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return typ, nil, err
	}
	var f wsFrame
	if json.Unmarshal(data, &f) != nil {
		f = wsFrame{Type: "\x00invalid"}
	}
	if code, reason := c.check(f); code != 0 {
		c.violate(code, reason)
		return typ, nil, transport.ErrWebsocketClosed
	}
	return typ, bytes.NewReader(data), nil
}

// check applies the rules to a client frame: a close code and reason when
// it breaks one, 0 otherwise.
func (c *protoConn) check(f wsFrame) (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.Type == "connection_init" {
		if c.inited {
			return closeTooManyInits, "Too many initialisation requests"
		}
		c.inited = true
		c.initTimer.Stop()
		return 0, ""
	}
	if !c.strict {
		return 0, ""
	}
	switch f.Type {
	case "ping", "pong":
	case "subscribe":
		switch {
		case !c.inited:
			return closeUnauthorized, "Unauthorized"
		case f.ID == nil || *f.ID == "":
			return closeBadRequest, "Subscribe message without an id"
		case c.active[*f.ID]:
			return closeDuplicateID, truncate("Subscriber for "+*f.ID+" already exists", closeReasonMaxLength)
		}
		c.active[*f.ID] = true
	case "complete":
		if f.ID != nil {
			delete(c.active, *f.ID)
		}
	default:
		return closeBadRequest, "Invalid message received"
	}
	return 0, ""
}

// WriteJSON writes a server message, noting the subscriptions it ends.
func (c *protoConn) WriteJSON(v any) error {
	if !c.strict {
		return c.WebsocketConn.WriteJSON(v)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var f wsFrame
	if json.Unmarshal(data, &f) == nil && f.ID != nil && (f.Type == "complete" || f.Type == "error") {
		c.mu.Lock()
		delete(c.active, *f.ID)
		c.mu.Unlock()
	}
	return c.WebsocketConn.WriteJSON(json.RawMessage(data))
}

// violate closes the connection with code, once.
func (c *protoConn) violate(code int, reason string) {
	c.mu.Lock()
	done := c.closed
	c.closed = true
	c.mu.Unlock()
	if !done {
		_ = c.WebsocketConn.WriteClose(code, reason)
	}
}

// WriteClose closes the connection unless a rule closed it already.
func (c *protoConn) WriteClose(code int, reason string) error {
	c.initTimer.Stop()
	c.violate(code, reason)
	return nil
}

// SetReadLimit forwards the transport's message size limit.
func (c *protoConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

// SetReadDeadline forwards the transport's pong deadline.
func (c *protoConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Close stops the initialisation timer and closes the connection.
func (c *protoConn) Close() error {
	c.initTimer.Stop()
	return c.WebsocketConn.Close()
}
