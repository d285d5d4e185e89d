package config

import (
	"fmt"
	"io"
	"strings"
)

// Setting describes one environment variable the server reads.
type Setting struct {
	Name    string
	Default string // used when the variable is unset or blank; "" means unset
	Allowed string // what a value may be, as the error for a wrong one says
	Meaning string
}

// Settings lists every environment variable of `cdp serve`, in the order
// the README's configuration table and `cdp serve -h` show them.
var Settings = []Setting{
	{"CDP_ADDR", "127.0.0.1:8080", "host:port with a port from 0 to 65535 (0 picks a free one; an empty host listens on every interface)",
		"the address the API listens on"},
	{"MONGODB_URI", "", "a mongodb:// or mongodb+srv:// URI of MongoDB 6 or later",
		"the MongoDB deployment; unset starts the embedded store in CDP_DATA_DIR"},
	{"CDP_DATABASE", "cdp", `a MongoDB database name: 1 to 63 bytes, none of / \ . space " $ * < > : | ?`,
		"the database that holds every collection"},
	{"CDP_STORE_TIMEOUT", "3s", "a positive duration such as 3s (a serverSelectionTimeoutMS in MONGODB_URI wins)",
		"how long an operation waits for an unreachable store before it fails with UNAVAILABLE"},
	{"CDP_DATA_DIR", "./data", "a directory path (created when missing)",
		"the embedded store's files, socket and lock, and the generated development secret"},
	{"CDP_ENV", "development", "development or production",
		"production requires CDP_JWT_SECRET or CDP_JWKS_URL and turns off introspection, schema suggestions and the printed token"},
	{"CDP_JWT_SECRET", "", "at least 32 bytes",
		"the HS256 secret tokens are signed with; unset in development: generated once in CDP_DATA_DIR"},
	{"CDP_JWKS_URL", "", "an http:// or https:// URL with a host (https only in production)",
		"where to fetch the RS256/ES256 keys of your identity provider, instead of a secret"},
	{"CDP_JWT_ISSUER", "", "any text",
		"the iss every token must carry; unset: not checked"},
	{"CDP_DEFAULT_REGION", "US", "a region known to phone number metadata, as an ISO 3166 alpha-2 code such as TH, US or GB",
		"the phone region of workspaces that set none (updateWorkspace sets one per workspace)"},
	{"CDP_ALLOWED_ORIGINS", "", "comma-separated host patterns such as app.example.com or *.example.com, or scheme://host patterns (path.Match syntax, no path)",
		"browser origins, besides the API's own host, that may open websockets"},
	{"CDP_LOG_FORMAT", "auto", "auto, text or json",
		"auto: text on a terminal, JSON otherwise"},
	{"CDP_LOG_LEVEL", "info", "debug, info, warn or error",
		"the least severe log level written; debug adds the embedded store's own logs"},
	{"CDP_SHUTDOWN_TIMEOUT", "15s", "a positive duration such as 15s or 1m",
		"how long SIGINT or SIGTERM waits for requests in flight"},
	{"CDP_INGEST_BACKLOG", "0", "0, or a positive number of events",
		"events stored and not yet folded before trackEvents waits; 0: about 30 s of folding, at least 20,000 events"},
	{"CDP_INGEST_WAIT", "5s", "a positive duration such as 5s",
		"how long trackEvents waits for room in a full backlog before it answers UNAVAILABLE with retryAfter"},
	{"CDP_SEGMENT_SWEEP", "1m", "a positive duration such as 1m",
		"how often profiles whose segment time windows lapsed are evaluated again"},
	{"CDP_RFM_INTERVAL", "1h", "a positive duration such as 1h",
		"how often every workspace's RFM quintiles are recomputed and profiles scored again"},
	{"CDP_IMPORT_DIR", "", "a directory path (created when missing); unset: <CDP_DATA_DIR>/imports",
		"where bulk import uploads are kept until their job is done; one process's own"},
	{"CDP_IMPORT_MAX_BYTES", "10737418240", "a positive number of bytes (the default is 10 GiB)",
		"the largest bulk import, as sent and uncompressed"},
	{"CDP_CORS_ORIGINS", "", "comma-separated origins such as https://dash.example.com, with at most one * in the host (https://*.example.com), or *",
		"browser origins that may call /graphql (CORS); unset: no CORS headers, so only the API's own origin"},
	{"CDP_HSTS", "false", "true or false",
		"send Strict-Transport-Security on every response (set it when TLS ends in a proxy in front of cdp; sent anyway over direct TLS)"},
	{"CDP_MAX_BODY_BYTES", "1048576", "a number of bytes, at least 1024 (the default is 1 MiB)",
		"the largest /graphql request body; bulk imports have their own limit, CDP_IMPORT_MAX_BYTES"},
	{"CDP_MAX_DEPTH", "15", "a whole number, at least 2",
		"how deeply an operation's selections may nest"},
	{"CDP_MAX_COMPLEXITY", "5000", "a whole number, at least 10",
		"the cost an operation may have: one per field, a connection's fields times its first"},
	{"CDP_MAX_ALIASES", "30", "a whole number, 0 or more",
		"how many aliased fields an operation may have"},
	{"CDP_MAX_ROOT_FIELDS", "20", "a whole number, at least 1",
		"how many top-level fields an operation may select"},
	{"CDP_OPERATION_TIMEOUT", "30s", "a positive duration such as 30s",
		"how long a query or mutation may run before it is cancelled (subscriptions run on)"},
	{"CDP_WS_PER_SUBJECT", "20", "a whole number, at least 1",
		"how many websockets, and as many SSE single connection reservations, one token subject (sub claim, per workspace) may hold open"},
	{"CDP_WS_SUBSCRIPTIONS", "50", "a whole number, at least 1",
		"how many subscriptions one websocket, or operations one SSE single connection stream, may run at once"},
	{"CDP_RATE_LIMIT", "50", "a number of requests per second, 0 or more (0 turns it off)",
		"the sustained request rate of one token subject (per workspace); past it RATE_LIMITED with retryAfter"},
	{"CDP_RATE_BURST", "100", "a whole number, at least 1",
		"how many requests one token subject may send at once above its rate"},
	{"CDP_WORKSPACE_RATE_LIMIT", "200", "a number of requests per second, 0 or more (0 turns it off)",
		"the sustained request rate of a whole workspace, all its subjects together"},
	{"CDP_WORKSPACE_RATE_BURST", "400", "a whole number, at least 1",
		"how many requests a workspace may send at once above its rate"},
}

// setting returns the description of the named variable.
func setting(name string) Setting {
	for _, s := range Settings {
		if s.Name == name {
			return s
		}
	}
	panic("config: undescribed setting " + name)
}

// Unknown returns the names of CDP_ variables in environ (KEY=value
// entries, as os.Environ returns them) that no setting reads: usually a
// misspelling. The variables of other commands (CDP_URL, CDP_TOKEN) are
// known too.
func Unknown(environ []string) []string {
	known := map[string]bool{"CDP_URL": true, "CDP_TOKEN": true}
	for _, s := range Settings {
		known[s.Name] = true
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "CDP_") && !known[name] {
			out = append(out, name)
		}
	}
	return out
}

// Describe writes the settings as a list for `cdp serve -h`.
func Describe(w io.Writer) {
	for _, s := range Settings {
		def := s.Default
		if def == "" {
			def = "unset"
		}
		fmt.Fprintf(w, "  %s (default %s)\n      %s.\n      Allowed: %s.\n", s.Name, def, s.Meaning, s.Allowed)
	}
}
