package document

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
)

var nameRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// ValidName reports whether v is a name as the API allows them for channels,
// consent purposes and identifier types: [a-z][a-z0-9_]{0,31}.
func ValidName(v string) bool { return nameRe.MatchString(v) }

// Name normalizes a channel or purpose name: trimmed, lower-cased, and
// matching [a-z][a-z0-9_]{0,31}.
func Name(field, v string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if !ValidName(v) {
		return "", errs.Newf(errs.BadInput, "%s must match [a-z][a-z0-9_]{0,31}", field).WithField(field)
	}
	return v, nil
}

// MaxFuture is how far in the future a client timestamp may lie.
const MaxFuture = 24 * time.Hour

// Timestamp validates a client timestamp against now; nil means now. It is
// kept at the millisecond precision the store keeps.
func Timestamp(t *time.Time, now time.Time) (time.Time, error) {
	if t == nil {
		return now, nil
	}
	if t.After(now.Add(MaxFuture)) {
		return time.Time{}, errs.New(errs.BadInput, "timestamp is more than a day in the future").WithField("timestamp")
	}
	return t.UTC().Truncate(time.Millisecond), nil
}

// Clip returns at most the first maxShown characters of s, for quoting
// client input in an error without echoing all of it.
func Clip(s string) string {
	n := 0
	for i := range s {
		if n == maxShown {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// Number returns a JSON number (as decoded from a request, a variable or
// the store) as a float64.
func Number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
