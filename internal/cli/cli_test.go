package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"github.com/cdp-dev/cdp/internal/auth"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// started is a `cdp serve` running in the test process.
type started struct {
	url, token string
	stop       context.CancelFunc
	done       chan error
}

// startCDP runs `cdp` as a user would, on its own embedded store in dir.
func startCDP(t *testing.T, dir string) *started {
	t.Helper()
	env := map[string]string{"CDP_ADDR": "127.0.0.1:0", "CDP_DATA_DIR": dir, "CDP_LOG_LEVEL": "error"}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{stop: cancel, done: make(chan error, 1)}
	go func() {
		err := Run(ctx, nil, pw, func(k string) string { return env[k] })
		pw.Close()
		s.done <- err
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if _, url, ok := strings.Cut(line, "serving GraphQL on "); ok {
			s.url = url
		}
		if strings.Count(line, ".") == 2 && !strings.Contains(line, " ") {
			s.token = line
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if s.url == "" || s.token == "" {
		t.Fatalf("cdp did not print its URL and token: %v", <-s.done)
	}
	return s
}

func (s *started) post(t *testing.T, query string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url, strings.NewReader(`{"query":`+quote(query)+`}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out["errors"] != nil {
		t.Fatalf("response %v, err %v", out, err)
	}
	return out["data"].(map[string]any)
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestServeShutdownAndRestartKeepData(t *testing.T) {
	dir := t.TempDir()
	s := startCDP(t, dir)
	s.post(t, `mutation { identify(input: {identities: [{type: "email", value: "keep@example.com"}], traits: {plan: "pro"}}) { created } }`)

	// An open subscription must be completed cleanly on shutdown.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	_ = wsjson.Write(ctx, c, map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + s.token}})
	_ = wsjson.Write(ctx, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": "subscription { profileUpdated { id } }"}})
	var ack map[string]any
	if err := wsjson.Read(ctx, c, &ack); err != nil || ack["type"] != "connection_ack" {
		t.Fatalf("ack %v %v", ack, err)
	}
	// A change proves the subscription is live before the shutdown.
	var next map[string]any
	for next["type"] != "next" {
		s.post(t, `mutation { identify(input: {identities: [{type: "email", value: "keep@example.com"}]}) { created } }`)
		if err := wsjson.Read(ctx, c, &next); err != nil {
			t.Fatal(err)
		}
	}
	s.stop() // what SIGINT does
	var complete map[string]any
	for complete["type"] != "complete" {
		complete = nil
		if err := wsjson.Read(ctx, c, &complete); err != nil {
			t.Fatalf("subscription ended without complete: %v", err)
		}
	}
	if err := <-s.done; err != nil {
		t.Fatalf("serve returned %v", err)
	}

	s2 := startCDP(t, dir)
	defer func() { s2.stop(); <-s2.done }()
	if s2.token != s.token && !strings.HasPrefix(s2.token, "ey") {
		t.Fatalf("bad token %q", s2.token)
	}
	d := s2.post(t, `{ profileByIdentity(type: "email", value: "keep@example.com") { traits } }`)
	if got := d["profileByIdentity"].(map[string]any)["traits"].(map[string]any)["plan"]; got != "pro" {
		t.Fatalf("after restart traits.plan = %v", got)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get(strings.TrimSuffix(s2.url, "/graphql") + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
}

func TestTokenCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CDP_DATA_DIR": dir}
	var out strings.Builder
	err := Run(context.Background(), []string{"token", "--workspace", "acme"}, &out, func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "no development secret") {
		t.Fatalf("token with no server secret in the data dir: %v, want a clear refusal", err)
	}
	if _, err := auth.DevSecret(dir); err != nil { // what the server does on its first start
		t.Fatal(err)
	}
	err = Run(context.Background(), []string{"token", "--workspace", "acme", "--scope", "me", "--identity", "line_uid:U123", "--ttl", "1h"},
		&out, func(k string) string { return env[k] })
	if err != nil || strings.Count(strings.TrimSpace(out.String()), ".") != 2 {
		t.Fatalf("token: %q %v", out.String(), err)
	}
	if err := Run(context.Background(), []string{"token", "--workspace", "a/b"}, io.Discard, func(k string) string { return env[k] }); err == nil {
		t.Fatal("a bad workspace was accepted")
	}
}
