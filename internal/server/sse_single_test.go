package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/config"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// nextEvent returns the stream's next event, failing when it ends first.
func nextEvent(t *testing.T, ctx context.Context, events <-chan StreamEvent) StreamEvent {
	t.Helper()
	select {
	case e, ok := <-events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return e
	case <-ctx.Done():
		t.Fatal("no event")
	}
	return StreamEvent{}
}

// TestSSESingleConnection runs graphql-sse's single connection mode: a
// reservation, its stream, a subscription that sees a write, a query on
// the same stream, and a stop.
func TestSSESingleConnection(t *testing.T) {
	s := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok := Token(t, "acme")
	res, events := subscribeSingle(t, ctx, s, tok)
	s.MustDo(t, tok, identifyQ, map[string]any{"in": map[string]any{"identities": ids("email", "one@example.com"), "traits": map[string]any{"via": "single"}}})
	if e := nextEvent(t, ctx, events); e.Event != "next" || e.ID != "sub" || !strings.Contains(string(e.Payload), `"via":"single"`) {
		t.Fatalf("subscription event = %+v %s", e, e.Payload)
	}

	if r := s.StartOperation(t, tok, res, "q", countQ, nil); r.Status != http.StatusAccepted {
		t.Fatalf("query: %d %s", r.Status, r.Body)
	}
	if e := nextEvent(t, ctx, events); e.Event != "next" || e.ID != "q" || !strings.Contains(string(e.Payload), `"totalCount":1`) {
		t.Fatalf("query result = %+v %s", e, e.Payload)
	}
	if e := nextEvent(t, ctx, events); e.Event != "complete" || e.ID != "q" {
		t.Fatalf("after the query's result: %+v", e)
	}

	if r := s.StopOperation(t, tok, res, "sub"); r.Status != http.StatusOK {
		t.Fatalf("stop: %d %s", r.Status, r.Body)
	}
	if e := nextEvent(t, ctx, events); e.Event != "complete" || e.ID != "sub" {
		t.Fatalf("after the stop: %+v", e)
	}
	// The id is free again once its operation ended.
	if r := s.StartOperation(t, tok, res, "sub", subQ, nil); r.Status != http.StatusAccepted {
		t.Fatalf("subscribe again: %d %s", r.Status, r.Body)
	}
}

// TestSSESingleConnectionRefusals: a reservation serves only the subject
// that made it, once; requests that break the protocol are refused with
// the protocol's statuses.
func TestSSESingleConnectionRefusals(t *testing.T) {
	s := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, other := Token(t, "acme"), Token(t, "globex")
	res := s.Reserve(t, tok)
	s.OpenStream(t, ctx, tok, res)
	token := []string{StreamTokenHeader, res}
	stream := append([]string{"Accept", "text/event-stream"}, token...)
	for name, c := range map[string]struct {
		got        HTTPResult
		status     int
		code       string
		bodyUnseen string
	}{
		"second stream":   {s.Send(t, http.MethodGet, tok, nil, stream...), http.StatusConflict, "CONFLICT", ""},
		"foreign stream":  {s.Send(t, http.MethodGet, other, nil, stream...), http.StatusForbidden, "FORBIDDEN", ""},
		"foreign start":   {s.StartOperation(t, other, res, "x", countQ, nil), http.StatusForbidden, "FORBIDDEN", ""},
		"foreign stop":    {s.StopOperation(t, other, res, "x"), http.StatusForbidden, "FORBIDDEN", ""},
		"unknown start":   {s.StartOperation(t, tok, "nope", "x", countQ, nil), http.StatusNotFound, "NOT_FOUND", ""},
		"unknown stream":  {s.Send(t, http.MethodGet, tok, nil, "Accept", "text/event-stream", StreamTokenHeader, "nope"), http.StatusNotFound, "NOT_FOUND", ""},
		"unknown stop":    {s.StopOperation(t, tok, "nope", "x"), http.StatusNotFound, "NOT_FOUND", ""},
		"no token":        {s.Send(t, http.MethodPut, "", nil), http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		"no operation id": {s.StartOperation(t, tok, res, "", countQ, nil), http.StatusBadRequest, "BAD_USER_INPUT", ""},
		"stop without id": {s.StopOperation(t, tok, res, ""), http.StatusBadRequest, "BAD_USER_INPUT", ""},
		"invalid":         {s.StartOperation(t, tok, res, "bad", `{ nosuchfield }`, nil), http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED", ""},
		"not a request": {s.Send(t, http.MethodPost, tok, []byte(`{"query": {"secret@example.com": 1}}`), token...),
			http.StatusBadRequest, "BAD_USER_INPUT", "secret@example.com"},
	} {
		if c.got.Status != c.status || c.got.Code() != c.code {
			t.Errorf("%s: %d %s, want %d %s", name, c.got.Status, c.got.Body, c.status, c.code)
		}
		if c.bodyUnseen != "" && strings.Contains(string(c.got.Body), c.bodyUnseen) {
			t.Errorf("%s: the answer quotes the request: %s", name, c.got.Body)
		}
	}
	// The reservation still serves its own subject.
	if r := s.StartOperation(t, tok, res, "q", countQ, nil); r.Status != http.StatusAccepted {
		t.Fatalf("own start after refusals: %d %s", r.Status, r.Body)
	}
}

// TestSSESingleConnectionLimits: the websocket caps bound reservations per
// token subject and operations per stream, and a stream that ends frees
// its place.
func TestSSESingleConnectionLimits(t *testing.T) {
	s := StartWith(t, Options{Config: func(c *config.Config) { c.Limits.WSPerSubject, c.Limits.WSSubscriptions = 1, 1 }})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A token that expires in seconds: its stream ends then, as a websocket's does.
	short, err := auth.Mint(Secret, auth.MintOptions{Workspace: "acme", Scopes: auth.AllScopes(), Subject: "test", TTL: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := s.Reserve(t, short)
	if r := s.Send(t, http.MethodPut, short, nil); r.Status != http.StatusTooManyRequests || r.Code() != "RATE_LIMITED" {
		t.Fatalf("second reservation: %d %s", r.Status, r.Body)
	}
	events := s.OpenStream(t, ctx, short, res)
	if r := s.StartOperation(t, short, res, "a", subQ, nil); r.Status != http.StatusAccepted {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	if r := s.StartOperation(t, short, res, "b", subQ, nil); r.Status != http.StatusBadRequest || r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("second operation: %d %s", r.Status, r.Body)
	}
	for e := range events { // the token expires: the stream ends, without "complete"
		t.Fatalf("event before the token expired: %+v", e)
	}
	s.Reserve(t, Token(t, "acme")) // the place is free again
}

// TestSSESingleConnectionShutdown: on shutdown each running operation gets
// "complete", then the stream ends.
func TestSSESingleConnectionShutdown(t *testing.T) {
	s := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok := Token(t, "acme")
	_, events := subscribeSingle(t, ctx, s, tok)
	s.App.CloseStreams()
	if e := nextEvent(t, ctx, events); e.Event != "complete" || e.ID != "sub" {
		t.Fatalf("on shutdown: %+v", e)
	}
	for e := range events {
		t.Fatalf("after complete: %+v", e)
	}
}

// subscribeSingle reserves a stream, opens it and starts the subscription
// subQ on it as "sub"; it returns once the subscription is live.
func subscribeSingle(t *testing.T, ctx context.Context, s *Server, tok string) (string, <-chan StreamEvent) {
	t.Helper()
	res := s.Reserve(t, tok)
	events := s.OpenStream(t, ctx, tok, res)
	if r := s.StartOperation(t, tok, res, "sub", subQ, nil); r.Status != http.StatusAccepted {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	waitSubscribed(t, s, ctx)
	return res, events
}
