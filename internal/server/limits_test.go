package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/config"
	. "github.com/cdp-dev/cdp/internal/server/servertest"
)

// raw is an HTTP answer as the client sees it.
type raw struct {
	status int
	header http.Header
	body   []byte
}

// errorCode returns the first error's extensions.code of a GraphQL body.
func (r raw) errorCode(t *testing.T) string {
	t.Helper()
	var b struct{ Errors []Error }
	if err := json.Unmarshal(r.body, &b); err != nil || len(b.Errors) == 0 {
		t.Fatalf("status %d, not a GraphQL error body: %.300s", r.status, r.body)
	}
	return b.Errors[0].Code()
}

// do sends a request to the server's /graphql with a token.
func do(t *testing.T, method, u, token string, body []byte, header ...string) raw {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return raw{resp.StatusCode, resp.Header, b}
}

func queryBody(q string) []byte {
	b, _ := json.Marshal(map[string]any{"query": q})
	return b
}

// TestOperationLimitsRefuseWithBadUserInput checks each shape limit: the
// operation is refused with BAD_USER_INPUT and a message naming the limit.
func TestOperationLimitsRefuseWithBadUserInput(t *testing.T) {
	s := StartWith(t, Options{Config: func(c *config.Config) {
		c.Limits.MaxDepth, c.Limits.MaxAliases, c.Limits.MaxRootFields, c.Limits.MaxComplexity = 4, 2, 3, 500
	}})
	tok := Token(t, "ws")
	tests := []struct{ name, query, want string }{
		{"depth", `{ profiles { edges { node { events { edges { node { type } } } } } } }`, "levels deep, the limit is 4"},
		{"depth through a fragment", `query { profiles { ...E } } fragment E on ProfileConnection { edges { node { id traits } cursor } pageInfo { hasNextPage } }`, ""},
		{"aliases", `{ a: workspace { id } b: workspace { id } c: workspace { id } }`, "3 aliases, the limit is 2"},
		{"root fields", `{ workspace { id } identityRules { type } profiles { totalCount } ingestStatus { backlog } }`, "4 top-level fields, the limit is 3"},
		{"complexity", `{ profiles(first: 100) { edges { node { id traits createdAt updatedAt } } } }`, "complexity 601, the limit is 500"},
		{"complexity within", `{ profiles(first: 50) { edges { node { id traits createdAt updatedAt } } } }`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.Do(t, tok, tt.query, nil)
			if tt.want == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("within the limits, refused: %+v", r.Errors)
				}
				return
			}
			if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tt.want) {
				t.Fatalf("got %+v, want BAD_USER_INPUT %q", r.Errors, tt.want)
			}
		})
	}
}

// TestIntrospectionInProductionIsRefused checks that production answers an
// introspection query with BAD_USER_INPUT, and logs nothing at ERROR,
// while __typename still works.
func TestIntrospectionInProductionIsRefused(t *testing.T) {
	logs := logLines{ch: make(chan map[string]any, 100)}
	s := StartWith(t, Options{Logger: jsonLogger(logs), Config: func(c *config.Config) { c.Env = "production" }})
	tok := Token(t, "ws")
	for _, q := range []string{`{ __schema { types { name } } }`, `{ __type(name: "Profile") { name } }`,
		`query { ...F } fragment F on Query { __schema { queryType { name } } }`} {
		r := s.Do(t, tok, q, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "introspection is disabled") {
			t.Errorf("%s: got %+v, want BAD_USER_INPUT", q, r.Errors)
		}
	}
	if d := s.MustDo(t, tok, `{ __typename }`, nil); d["__typename"] != "Query" {
		t.Errorf("__typename: %v", d)
	}
	for len(logs.ch) > 0 {
		if m := <-logs.ch; m["level"] == "ERROR" {
			t.Errorf("logged at ERROR: %v", m)
		}
	}
}

// TestBodiesAreCheckedAndNeverEchoed checks malformed, batched and
// oversized bodies: each a clear BAD_USER_INPUT, the body never quoted.
func TestBodiesAreCheckedAndNeverEchoed(t *testing.T) {
	s := Start(t)
	tok := Token(t, "ws")
	secret := "alice.secret@example.com"
	malformed := append([]byte(`{"query": "{ workspace { id } }", "variables": {"email": "`+secret), bytes.Repeat([]byte("x"), 5<<20)...)
	tests := []struct {
		name   string
		body   []byte
		status int
		want   string
	}{
		{"5 MiB malformed", malformed, http.StatusRequestEntityTooLarge, "larger than 1048576 bytes"},
		{"malformed", []byte(`{"query": "` + secret + `", `), http.StatusBadRequest, "not valid JSON"},
		{"batch", []byte(`[{"query": "{ workspace { id } }"}, {"query": "{ workspace { id } }"}]`), http.StatusBadRequest, "batched operations"},
		{"not an object", []byte(`"` + secret + `"`), http.StatusBadRequest, "must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, http.MethodPost, s.URL, tok, tt.body)
			if r.status != tt.status || r.errorCode(t) != "BAD_USER_INPUT" || !bytes.Contains(r.body, []byte(tt.want)) {
				t.Errorf("got %d %s, want %d %q", r.status, r.body, tt.status, tt.want)
			}
			if bytes.Contains(r.body, []byte(secret)) {
				t.Errorf("the body was echoed: %s", r.body)
			}
		})
	}
}

// TestMutationOverGETIs405 checks the GraphQL-over-HTTP rule: a mutation
// sent with GET is refused with 405 and Allow: POST; a query works.
func TestMutationOverGETIs405(t *testing.T) {
	s := Start(t)
	tok := Token(t, "ws")
	r := do(t, http.MethodGet, s.URL+"?query="+url.QueryEscape(`mutation { setIdentityRules(rules: []) { type } }`), tok, nil)
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" || r.errorCode(t) != "BAD_USER_INPUT" {
		t.Errorf("mutation over GET: %d Allow=%q %s", r.status, r.header.Get("Allow"), r.body)
	}
	r = do(t, http.MethodGet, s.URL+"?query="+url.QueryEscape(`{ workspace { id } }`), tok, nil)
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"id":"ws"`)) {
		t.Errorf("query over GET: %d %s", r.status, r.body)
	}
}

// TestAutomaticPersistedQueries checks APQ: a hash alone is unknown at
// first, then runs once the query was sent with it.
func TestAutomaticPersistedQueries(t *testing.T) {
	s := Start(t)
	tok := Token(t, "ws")
	q := `{ workspace { id } }`
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + sha256Hex(q) + `"}}`
	r := do(t, http.MethodGet, s.URL+"?extensions="+url.QueryEscape(ext), tok, nil)
	if !bytes.Contains(r.body, []byte("PersistedQueryNotFound")) {
		t.Fatalf("unknown hash: %d %s", r.status, r.body)
	}
	body, _ := json.Marshal(map[string]any{"query": q, "extensions": json.RawMessage(ext)})
	if r = do(t, http.MethodPost, s.URL, tok, body); r.status != http.StatusOK {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	r = do(t, http.MethodGet, s.URL+"?extensions="+url.QueryEscape(ext), tok, nil)
	if !bytes.Contains(r.body, []byte(`"id":"ws"`)) {
		t.Errorf("by hash: %d %s", r.status, r.body)
	}
}

// TestOperationTimeoutIsUnavailableNotInternal runs an operation whose
// deadline has passed before it starts: the store call fails, and the
// client gets UNAVAILABLE naming the limit, with nothing logged at ERROR.
func TestOperationTimeoutIsUnavailableNotInternal(t *testing.T) {
	logs := logLines{ch: make(chan map[string]any, 100)}
	s := StartWith(t, Options{Logger: jsonLogger(logs), Config: func(c *config.Config) { c.Limits.OperationTimeout = time.Nanosecond }})
	r := s.Do(t, Token(t, "ws"), `{ profiles { totalCount } }`, nil)
	if len(r.Errors) == 0 || r.Errors[0].Code() != "UNAVAILABLE" || !strings.Contains(r.Errors[0].Message, "time limit") {
		t.Fatalf("got %+v, want UNAVAILABLE", r.Errors)
	}
	for len(logs.ch) > 0 {
		if m := <-logs.ch; m["level"] == "ERROR" {
			t.Errorf("logged at ERROR: %v", m)
		}
	}
}
