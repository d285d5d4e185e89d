package servertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// StreamTokenHeader carries a graphql-sse reservation token.
const StreamTokenHeader = "X-GraphQL-Event-Stream-Token"

// HTTPResult is a plain HTTP answer.
type HTTPResult struct {
	Status int
	Header http.Header
	Body   []byte
}

// Code returns the first GraphQL error's extensions.code of the body, or "".
func (r HTTPResult) Code() string {
	var b struct{ Errors []Error }
	if json.Unmarshal(r.Body, &b) != nil || len(b.Errors) == 0 {
		return ""
	}
	return b.Errors[0].Code()
}

// Send makes a request to the GraphQL endpoint with a bearer token ("" sends
// none), a body (nil sends none) and header name/value pairs.
func (s *Server) Send(t testing.TB, method, token string, body []byte, header ...string) HTTPResult {
	t.Helper()
	return s.send(t, method, s.URL, token, body, header...)
}

func (s *Server) send(t testing.TB, method, u, token string, body []byte, header ...string) HTTPResult {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return HTTPResult{resp.StatusCode, resp.Header, b}
}

// Reserve makes a graphql-sse single connection reservation (PUT) and
// returns its token.
func (s *Server) Reserve(t testing.TB, token string) string {
	t.Helper()
	r := s.Send(t, http.MethodPut, token, nil)
	if r.Status != http.StatusCreated || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || len(r.Body) == 0 {
		t.Fatalf("reserve: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	return string(r.Body)
}

// StreamEvent is one event of a single connection stream.
type StreamEvent struct {
	Event   string          // "next" or "complete"
	ID      string          // the operation's id
	Payload json.RawMessage // the result, for "next"
}

// OpenStream opens the event stream of a reservation (GET) and returns its
// events, closed when the stream ends. It fails the test unless the
// stream opens with 200.
func (s *Server) OpenStream(t testing.TB, ctx context.Context, token, reservation string) <-chan StreamEvent {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(StreamTokenHeader, reservation)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("open stream: %v", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("open stream: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	out := make(chan StreamEvent, 16)
	go readStream(resp.Body, out)
	return out
}

func readStream(body io.ReadCloser, out chan<- StreamEvent) {
	defer close(out)
	defer body.Close()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			var d struct {
				ID      string          `json:"id"`
				Payload json.RawMessage `json:"payload"`
			}
			_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d)
			out <- StreamEvent{Event: event, ID: d.ID, Payload: d.Payload}
		}
	}
}

// StartOperation posts an operation with extensions.operationId on a
// reservation (empty id: none) and returns the answer.
func (s *Server) StartOperation(t testing.TB, token, reservation, id, query string, vars map[string]any) HTTPResult {
	t.Helper()
	req := map[string]any{"query": query, "variables": vars}
	if id != "" {
		req["extensions"] = map[string]any{"operationId": id}
	}
	return s.Send(t, http.MethodPost, token, mustJSON(req), StreamTokenHeader, reservation)
}

// StopOperation sends DELETE ?operationId= on a reservation.
func (s *Server) StopOperation(t testing.TB, token, reservation, id string) HTTPResult {
	t.Helper()
	return s.send(t, http.MethodDelete, s.URL+"?operationId="+url.QueryEscape(id), token, nil, StreamTokenHeader, reservation)
}
