package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// reader reads variables with their defaults and collects one error per
// wrong value, so a start-up reports every mistake at once.
type reader struct {
	getenv func(string) string
	errs   []error
}

// raw returns the trimmed value, or the setting's default when blank.
func (r *reader) raw(name string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return setting(name).Default
}

// fail records that the value is not allowed, quoting it.
func (r *reader) fail(name, value string) {
	r.errs = append(r.errs, fmt.Errorf("%s=%q is not allowed: want %s", name, value, setting(name).Allowed))
}

// failHidden records that the value is not allowed without showing it
// (secrets, URIs with passwords).
func (r *reader) failHidden(name, why string) {
	r.errs = append(r.errs, fmt.Errorf("%s %s: want %s", name, why, setting(name).Allowed))
}

func (r *reader) addr(name string) string {
	v := r.raw(name)
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		r.fail(name, v)
	}
	return v
}

func (r *reader) mongoURI(name string) string {
	v := r.raw(name)
	if v == "" {
		return v
	}
	rest, ok := strings.CutPrefix(v, "mongodb://")
	if !ok {
		rest, ok = strings.CutPrefix(v, "mongodb+srv://")
	}
	if !ok || rest == "" || strings.HasPrefix(rest, "/") {
		r.failHidden(name, "is not a MongoDB connection string")
	}
	return v
}

func (r *reader) database(name string) string {
	v := r.raw(name)
	if len(v) > 63 || strings.ContainsAny(v, "/\\. \"$*<>:|?\x00") {
		r.fail(name, v)
	}
	return v
}

func (r *reader) path(name string) string { return r.raw(name) }

// oneOf accepts one of the allowed words, in any case.
func (r *reader) oneOf(name string, allowed ...string) string {
	v := strings.ToLower(r.raw(name))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, v)
	return allowed[0]
}

func (r *reader) secret(name string) string {
	v := r.raw(name)
	if v != "" && len(v) < 32 {
		r.failHidden(name, fmt.Sprintf("is %d bytes", len(v)))
	}
	return v
}

// region accepts the regions phone number parsing knows, in any case.
func (r *reader) region(name string) string {
	v := strings.ToUpper(r.raw(name))
	if !phonenumbers.GetSupportedRegions()[v] {
		r.fail(name, v)
	}
	return v
}

var levels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

func (r *reader) level(name string) slog.Level {
	v := strings.ToLower(r.raw(name))
	l, ok := levels[v]
	if !ok {
		r.fail(name, v)
	}
	return l
}

func (r *reader) duration(name string) time.Duration {
	v := r.raw(name)
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, v)
	}
	return d
}

// count accepts a whole number of at least least.
func (r *reader) count(name string, least int64) int64 {
	v := r.raw(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < least {
		r.fail(name, v)
	}
	return n
}

func (r *reader) jwksURL(name string, production bool) string {
	v := r.raw(name)
	if v == "" {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && (production || u.Scheme != "http")) {
		r.fail(name, v)
	}
	return v
}

// origins splits the comma-separated patterns. Each is matched with
// path.Match against an Origin's host, or its scheme://host when the
// pattern has a scheme, so a path can never match.
func (r *reader) origins(name string) []string {
	var out []string
	for _, o := range strings.Split(r.raw(name), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		_, host, hasScheme := strings.Cut(o, "://")
		if !hasScheme {
			host = o
		}
		if _, err := path.Match(o, ""); err != nil || host == "" || strings.Contains(host, "/") {
			r.fail(name, o)
			continue
		}
		out = append(out, o)
	}
	return out
}
