package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// logLines receives a server's JSON log lines (slog writes one per Write).
type logLines struct{ ch chan map[string]any }

func (l logLines) Write(p []byte) (int, error) {
	var m map[string]any
	if err := json.Unmarshal(p, &m); err != nil {
		m = map[string]any{"unparsed": string(p)}
	}
	l.ch <- m
	return len(p), nil
}

// request returns the next "request" line that matches, failing the test
// when none comes; lines that do not match are returned in skipped.
func (l logLines) request(t *testing.T, match func(map[string]any) bool) (line map[string]any, skipped []map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		select {
		case m := <-l.ch:
			if m["msg"] == "request" && match(m) {
				return m, skipped
			}
			skipped = append(skipped, m)
		case <-ctx.Done():
			t.Fatalf("no matching request line; saw %v", skipped)
		}
	}
}

func byID(id string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["request_id"] == id }
}

// send makes a request with a request id and an optional token and body.
func send(t *testing.T, method, url, token, id, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("X-Request-Id", id)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func startLogged(t *testing.T) (*Server, logLines) {
	logs := logLines{ch: make(chan map[string]any, 1000)}
	return StartWith(t, Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))}), logs
}

// TestLogOneLinePerRequest checks the request line: one per request at
// INFO, with duration_ms as a number, the request id, the operation's name
// (anonymous when it has none) and, once authenticated, the workspace.
func TestLogOneLinePerRequest(t *testing.T) {
	s, logs := startLogged(t)
	tok := Token(t, "acme")
	base := strings.TrimSuffix(s.URL, "/graphql")
	tests := []struct {
		id, method, url, token, body string
		want                         map[string]any // nil: the field must be absent
	}{
		{"named", "POST", s.URL, tok, `{"query":"query Who { workspace { id } }"}`,
			map[string]any{"status": 200.0, "path": "/graphql", "operation": "Who", "workspace": "acme"}},
		{"named-by-param", "POST", s.URL, tok, `{"query":"query A { workspace { id } } query B { workspace { id } }","operationName":"B"}`,
			map[string]any{"operation": "B", "workspace": "acme"}},
		{"anonymous", "POST", s.URL, tok, `{"query":"{ workspace { id } }"}`,
			map[string]any{"status": 200.0, "operation": "anonymous", "workspace": "acme"}},
		{"no-token", "POST", s.URL, "", `{"query":"{ workspace { id } }"}`,
			map[string]any{"status": 401.0, "operation": nil, "workspace": nil}},
		{"health", "GET", base + "/healthz", "", "",
			map[string]any{"status": 200.0, "path": "/healthz", "method": "GET", "operation": nil, "workspace": nil}},
	}
	for _, tt := range tests {
		send(t, tt.method, tt.url, tt.token, tt.id, tt.body)
		line, skipped := logs.request(t, byID(tt.id))
		if len(skipped) > 0 {
			t.Errorf("%s: other lines before it: %v", tt.id, skipped)
		}
		if line["level"] != "INFO" {
			t.Errorf("%s: level %v, want INFO", tt.id, line["level"])
		}
		if d, ok := line["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("%s: duration_ms %#v, want a number of milliseconds", tt.id, line["duration_ms"])
		}
		if _, ok := line["duration"]; ok {
			t.Errorf("%s: a duration in nanoseconds is logged too: %v", tt.id, line)
		}
		for k, want := range tt.want {
			if got, ok := line[k]; want == nil && ok || want != nil && got != want {
				t.Errorf("%s: %s = %#v, want %#v (line %v)", tt.id, k, got, want, line)
			}
		}
	}
	// Nothing else was logged: one line per request.
	select {
	case m := <-logs.ch:
		t.Errorf("an extra line: %v", m)
	default:
	}
}

// TestLogWebsocketNamesWorkspaceAndOperation: a websocket authenticates in
// connection_init, after the request began; its line still names both.
func TestLogWebsocketNamesWorkspaceAndOperation(t *testing.T) {
	s, logs := startLogged(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws := s.DialWS(t, ctx, "graphql-transport-ws", Token(t, "globex"))
	if m, err := ws.Read(ctx); err != nil || m.Type != "connection_ack" {
		t.Fatalf("ack: %v %v", m, err)
	}
	ws.Send(ctx, WSMessage{ID: "1", Type: "subscribe", Payload: json.RawMessage(`{"query":"subscription Watch { profileUpdated { id } }"}`)})
	waitSubscribed(t, s, ctx)
	_ = ws.Conn.CloseNow()
	line, _ := logs.request(t, func(m map[string]any) bool { return m["path"] == "/graphql" })
	if line["operation"] != "Watch" || line["workspace"] != "globex" {
		t.Errorf("websocket line %v, want operation Watch and workspace globex", line)
	}
}

func TestLogRequestIDIsReturned(t *testing.T) {
	s, logs := startLogged(t)
	req, _ := http.NewRequest("POST", s.URL, bytes.NewReader([]byte(`{"query":"{ workspace { id } }"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+Token(t, "acme"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	if id == "" {
		t.Fatal("no X-Request-Id in the response")
	}
	logs.request(t, byID(id))
}
