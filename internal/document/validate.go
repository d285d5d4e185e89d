// Package document validates and merges the free-form JSON documents clients
// send: traits and event properties.
package document

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
)

// Limits of a free-form document, checked by Validate and ValidateValue.
const (
	// MaxDepth is the deepest nesting accepted. The top-level object is
	// depth 1; every nested object or array adds one level.
	MaxDepth = 20
	// MaxBytes is the largest JSON encoding of a document.
	MaxBytes = 64 << 10
	// MaxKeys is the most keys a document may hold, counted in every
	// object at every level.
	MaxKeys = 1000
	// MaxKeyBytes is the longest key, in bytes.
	MaxKeyBytes = 128
)

// maxShown is the maximum number of characters of a key or path quoted in an
// error message.
const maxShown = 64

// Validate is the one sanitizer of free-form JSON objects (traits, event
// properties, import rows, filter and rule values): every such object a
// client sends passes it before it is used or stored.
//
// No key may start with "$" or contain "." (or be empty, longer than
// MaxKeyBytes, contain a NUL or be invalid UTF-8); nesting deeper than
// MaxDepth (the top-level object is depth 1; arrays count as a level too),
// more than MaxKeys keys in all and a JSON encoding (without HTML escaping)
// larger than MaxBytes are refused.
//
// Values must be what encoding/json produces (map[string]any, []any,
// string, float64, json.Number, bool, nil) or int, int64 or time.Time. Any
// other Go type, a NaN or infinite float and a malformed json.Number are
// refused. field labels the document in messages ("traits", "properties").
// All failures are errs.BadInput and name the offending path, never a
// value.
func Validate(field string, doc map[string]any) error {
	return ValidateValue(field, doc)
}

// ValidateValue is Validate for any JSON value, such as a filter or rule
// operand: a scalar, an array or an object, under the same limits.
func ValidateValue(field string, v any) error {
	w := walker{field: field}
	if err := w.value(v, "", 0); err != nil {
		return err
	}
	var n countWriter
	enc := json.NewEncoder(&n)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return errs.Newf(errs.BadInput, "%s: cannot be encoded as JSON", field)
	}
	if size := int(n) - 1; size > MaxBytes { // Encode appends a newline
		return errs.Newf(errs.BadInput, "%s: document is too large: %d bytes, max %d", field, size, MaxBytes)
	}
	return nil
}

// walker checks one document, counting its keys.
type walker struct {
	field string
	keys  int
}

// object checks m, found at path, at depth (the top level is depth 1).
func (w *walker) object(m map[string]any, path string, depth int) error {
	if depth > MaxDepth {
		return w.tooDeep(path)
	}
	if w.keys += len(m); w.keys > MaxKeys {
		return errs.Newf(errs.BadInput, "%s: more than %d keys", w.field, MaxKeys)
	}
	for k, v := range m {
		if err := checkKey(w.field, k, path); err != nil {
			return err
		}
		if err := w.value(v, join(path, k), depth); err != nil {
			return err
		}
	}
	return nil
}

// value checks v, found at path inside a container at depth (0 for a
// value at the top).
func (w *walker) value(v any, path string, depth int) error {
	switch x := v.(type) {
	case nil, string, bool, int, int64, time.Time:
		return nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return errs.Newf(errs.BadInput, "%s: value at %q is not a finite number", w.field, Clip(path))
		}
	case json.Number:
		if !validNumber(string(x)) {
			return errs.Newf(errs.BadInput, "%s: value at %q is not a valid number", w.field, Clip(path))
		}
	case map[string]any:
		return w.object(x, path, depth+1)
	case []any:
		return w.array(x, path, depth+1)
	default:
		return errs.Newf(errs.BadInput, "%s: value at %q has unsupported type %T", w.field, Clip(path), v)
	}
	return nil
}

// array checks a, found at path, at depth.
func (w *walker) array(a []any, path string, depth int) error {
	if depth > MaxDepth {
		return w.tooDeep(path)
	}
	for i, e := range a {
		if err := w.value(e, path+"["+strconv.Itoa(i)+"]", depth); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) tooDeep(path string) error {
	return errs.Newf(errs.BadInput, "%s: nesting at %q is deeper than the maximum of %d", w.field, Clip(path), MaxDepth)
}

// validNumber reports whether s is a JSON number literal.
func validNumber(s string) bool {
	return s != "" && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) && json.Valid([]byte(s))
}

// countWriter counts the bytes written to it.
type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
