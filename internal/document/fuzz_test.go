package document

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzValidate feeds JSON objects to the sanitizer: it never panics, and
// what it accepts keeps every rule, checked here independently.
func FuzzValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var doc map[string]any
		if dec.Decode(&doc) != nil {
			return
		}
		if err := Validate("traits", doc); err != nil {
			if strings.Contains(err.Error(), "\x00") {
				t.Fatalf("error repeats a NUL: %q", err)
			}
			return
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doc); err != nil {
			t.Fatalf("accepted a document that does not encode: %v", err)
		}
		if n := buf.Len() - 1; n > MaxBytes {
			t.Fatalf("accepted %d bytes", n)
		}
		keys := 0
		checkAccepted(t, doc, 1, &keys)
	})
}

// checkAccepted walks an accepted value and fails on anything the rules
// forbid.
func checkAccepted(t *testing.T, v any, depth int, keys *int) {
	switch x := v.(type) {
	case map[string]any:
		*keys += len(x)
		if depth > MaxDepth || *keys > MaxKeys {
			t.Fatalf("accepted depth %d, %d keys", depth, *keys)
		}
		for k, e := range x {
			if k == "" || k[0] == '$' || strings.ContainsAny(k, ".\x00") || len(k) > MaxKeyBytes || !utf8.ValidString(k) {
				t.Fatalf("accepted key %q", k)
			}
			checkAccepted(t, e, depth+1, keys)
		}
	case []any:
		if depth > MaxDepth {
			t.Fatalf("accepted an array at depth %d", depth)
		}
		for _, e := range x {
			checkAccepted(t, e, depth+1, keys)
		}
	}
}
