package document

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
)

// nest returns an object nested levels deep in total (the outer object is
// level 1).
func nest(levels int) map[string]any {
	doc := map[string]any{"leaf": true}
	for i := 1; i < levels; i++ {
		doc = map[string]any{"a": doc}
	}
	return doc
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		doc     map[string]any
		wantMsg string // "" means valid
	}{
		{"nil", nil, ""},
		{"empty", map[string]any{}, ""},
		{"scalars", map[string]any{
			"s": "x", "f": 1.5, "n": json.Number("12"), "i": 3, "i64": int64(4),
			"b": true, "null": nil, "t": time.Now(), "key$mid": 1,
		}, ""},
		{"nested", map[string]any{"a": map[string]any{"b": []any{1.0, map[string]any{"c": "d"}}}}, ""},
		{"depth 20 ok", nest(20), ""},
		{"depth 21 refused", nest(21), "deeper than the maximum of 20"},
		{"arrays count as depth", map[string]any{"a": nest(19)["a"], "x": []any{nest(19)}}, "deeper"},
		{"dollar key top", map[string]any{"$where": 1},
			`traits: key "$where" is not allowed: keys may not start with "$" or contain "."`},
		{"dollar key nested", map[string]any{"a": map[string]any{"b": map[string]any{"$where": 1}}},
			`traits: key "$where" at "a.b" is not allowed: keys may not start with "$" or contain "."`},
		{"dollar key in array of objects", map[string]any{"items": []any{map[string]any{"ok": 1}, map[string]any{"$gt": 1}}},
			`key "$gt" at "items[1]" is not allowed`},
		{"dotted key", map[string]any{"a.b": 1}, `key "a.b" is not allowed`},
		{"empty key", map[string]any{"a": map[string]any{"": 1}}, `empty key at "a"`},
		{"nul key", map[string]any{"a\x00b": 1}, "NUL"},
		{"invalid utf8 key", map[string]any{"a\xff": 1}, "UTF-8"},
		{"unsupported type", map[string]any{"a": map[string]string{"b": "c"}}, `value at "a" has unsupported type map[string]string`},
		{"unsupported in array", map[string]any{"a": []any{struct{}{}}}, `value at "a[0]" has unsupported type`},
		{"typed slice", map[string]any{"a": []string{"x"}}, "unsupported type []string"},
		{"nan", map[string]any{"a": math.NaN()}, "not a finite number"},
		{"bad json number", map[string]any{"a": json.Number("abc")}, "not a valid number"},
		{"size at limit", sized(MaxBytes), ""},
		{"size over limit", sized(MaxBytes + 1), "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate("traits", tc.doc)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want error containing %q", tc.wantMsg)
			}
			if k := errs.KindOf(err); k != errs.BadInput {
				t.Errorf("kind = %v, want BadInput", k)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
		})
	}
}

// sized returns a document whose JSON encoding is exactly n bytes. HTML
// characters count once, as they are not escaped.
func sized(n int) map[string]any {
	const overhead = len(`{"k":""}`)
	return map[string]any{"k": strings.Repeat("<", n-overhead)}
}

func TestValidateClipsKey(t *testing.T) {
	err := Validate("properties", map[string]any{"$" + strings.Repeat("k", 500): 1})
	if err == nil {
		t.Fatal("want error")
	}
	if strings.Contains(err.Error(), strings.Repeat("k", 64)) {
		t.Errorf("error quotes more than 64 chars of the key: %q", err)
	}
	if !strings.HasPrefix(err.Error(), "properties: ") {
		t.Errorf("error %q does not name the field", err)
	}
}
