package config

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits bound what one caller may ask of the server: the size and shape of
// an operation, how long it may run, how many websockets and subscriptions
// it may hold and how often it may call. A rate of 0 turns its limiter off.
type Limits struct {
	MaxBody            int64         // CDP_MAX_BODY_BYTES: a /graphql request body
	MaxDepth           int           // CDP_MAX_DEPTH: selection nesting
	MaxComplexity      int           // CDP_MAX_COMPLEXITY: cost, connections weighed by first
	MaxAliases         int           // CDP_MAX_ALIASES: aliased fields per operation
	MaxRootFields      int           // CDP_MAX_ROOT_FIELDS: top-level fields per operation
	OperationTimeout   time.Duration // CDP_OPERATION_TIMEOUT: queries and mutations, not subscriptions
	WSPerSubject       int           // CDP_WS_PER_SUBJECT: open websockets, and SSE single connection reservations, per token subject
	WSSubscriptions    int           // CDP_WS_SUBSCRIPTIONS: live subscriptions per websocket, operations per SSE single connection stream
	RateLimit          float64       // CDP_RATE_LIMIT: requests per second per token subject
	RateBurst          int           // CDP_RATE_BURST
	WorkspaceRateLimit float64       // CDP_WORKSPACE_RATE_LIMIT: requests per second per workspace
	WorkspaceRateBurst int           // CDP_WORKSPACE_RATE_BURST
}

// loadLimits reads the operation and rate limits.
func loadLimits(r *reader) Limits {
	return Limits{
		MaxBody:            r.count("CDP_MAX_BODY_BYTES", 1024),
		MaxDepth:           int(r.count("CDP_MAX_DEPTH", 2)),
		MaxComplexity:      int(r.count("CDP_MAX_COMPLEXITY", 10)),
		MaxAliases:         int(r.count("CDP_MAX_ALIASES", 0)),
		MaxRootFields:      int(r.count("CDP_MAX_ROOT_FIELDS", 1)),
		OperationTimeout:   r.duration("CDP_OPERATION_TIMEOUT"),
		WSPerSubject:       int(r.count("CDP_WS_PER_SUBJECT", 1)),
		WSSubscriptions:    int(r.count("CDP_WS_SUBSCRIPTIONS", 1)),
		RateLimit:          r.rate("CDP_RATE_LIMIT"),
		RateBurst:          int(r.count("CDP_RATE_BURST", 1)),
		WorkspaceRateLimit: r.rate("CDP_WORKSPACE_RATE_LIMIT"),
		WorkspaceRateBurst: int(r.count("CDP_WORKSPACE_RATE_BURST", 1)),
	}
}

// rate accepts a number of requests per second, 0 (off) or more.
func (r *reader) rate(name string) float64 {
	v := r.raw(name)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e9 {
		r.fail(name, v)
	}
	return f
}

// boolean accepts true or false, in any case.
func (r *reader) boolean(name string) bool {
	return r.oneOf(name, "false", "true") == "true"
}

// corsOrigins splits the comma-separated browser origins: scheme://host
// with an optional port and at most one * in the host, or a lone *.
func (r *reader) corsOrigins(name string) []string {
	var out []string
	for _, o := range strings.Split(r.raw(name), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		u, err := url.Parse(strings.Replace(o, "*", "x", 1))
		if o != "*" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || strings.Count(o, "*") > 1) {
			r.fail(name, o)
			continue
		}
		out = append(out, strings.TrimSuffix(o, "/"))
	}
	return out
}
