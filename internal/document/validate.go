// Package document validates and merges the free-form JSON documents clients
// send: traits and event properties.
package document

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cdp-dev/cdp/internal/errs"
)

// MaxDepth is the deepest nesting Validate accepts. The top-level object is
// depth 1; every nested object or array adds one level.
const MaxDepth = 20

// MaxBytes is the largest JSON encoding of a document Validate accepts.
const MaxBytes = 64 << 10

// maxShown is the maximum number of characters of a key or path quoted in an
// error message.
const maxShown = 64

// Validate checks a free-form JSON object: no key may start with "$" or
// contain "." (or be empty, contain a NUL or be invalid UTF-8), nesting
// deeper than MaxDepth (the top-level object is depth 1; arrays count as a
// level too) is refused, and the JSON encoding (without HTML escaping) may
// not exceed MaxBytes.
//
// Values must be what encoding/json produces (map[string]any, []any,
// string, float64, json.Number, bool, nil) or int, int64 or time.Time. Any
// other Go type, a NaN or infinite float and a malformed json.Number are
// refused. field labels the document in messages ("traits", "properties").
// All failures are errs.BadInput and name the offending path.
func Validate(field string, doc map[string]any) error {
	if err := validateObject(field, doc, "", 1); err != nil {
		return err
	}
	var n countWriter
	enc := json.NewEncoder(&n)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return errs.Newf(errs.BadInput, "%s: cannot be encoded as JSON", field)
	}
	if size := int(n) - 1; size > MaxBytes { // Encode appends a newline
		return errs.Newf(errs.BadInput, "%s: document is too large: %d bytes, max %d", field, size, MaxBytes)
	}
	return nil
}

func validateObject(field string, m map[string]any, path string, depth int) error {
	if depth > MaxDepth {
		return tooDeep(field, path)
	}
	for k, v := range m {
		if err := checkKey(field, k, path); err != nil {
			return err
		}
		if err := validateValue(field, v, join(path, k), depth); err != nil {
			return err
		}
	}
	return nil
}

// validateValue checks v, found at path inside a container at depth.
func validateValue(field string, v any, path string, depth int) error {
	switch x := v.(type) {
	case nil, string, bool, int, int64, time.Time:
		return nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return errs.Newf(errs.BadInput, "%s: value at %q is not a finite number", field, Clip(path))
		}
	case json.Number:
		if !validNumber(string(x)) {
			return errs.Newf(errs.BadInput, "%s: value at %q is not a valid number", field, Clip(path))
		}
	case map[string]any:
		return validateObject(field, x, path, depth+1)
	case []any:
		if depth+1 > MaxDepth {
			return tooDeep(field, path)
		}
		for i, e := range x {
			if err := validateValue(field, e, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
	default:
		return errs.Newf(errs.BadInput, "%s: value at %q has unsupported type %T", field, Clip(path), v)
	}
	return nil
}

func checkKey(field, k, path string) error {
	where := ""
	if path != "" {
		where = " at " + strconv.Quote(Clip(path))
	}
	switch {
	case k == "":
		return errs.Newf(errs.BadInput, "%s: empty key%s is not allowed", field, where)
	case strings.HasPrefix(k, "$") || strings.Contains(k, "."):
		return errs.Newf(errs.BadInput,
			`%s: key %q%s is not allowed: keys may not start with "$" or contain "."`, field, Clip(k), where)
	case strings.ContainsRune(k, 0):
		return errs.Newf(errs.BadInput, "%s: key %q%s is not allowed: keys may not contain NUL", field, Clip(k), where)
	case !utf8.ValidString(k):
		return errs.Newf(errs.BadInput, "%s: key %q%s is not valid UTF-8", field, Clip(k), where)
	}
	return nil
}

func tooDeep(field, path string) error {
	return errs.Newf(errs.BadInput, "%s: nesting at %q is deeper than the maximum of %d", field, Clip(path), MaxDepth)
}

// validNumber reports whether s is a JSON number literal.
func validNumber(s string) bool {
	return s != "" && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) && json.Valid([]byte(s))
}

// join appends key k to a dotted path.
func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// countWriter counts the bytes written to it.
type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
