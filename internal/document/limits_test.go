package document

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cdp-dev/cdp/internal/errs"
)

// keys returns an object with n keys spread over two levels.
func keys(n int) map[string]any {
	inner := map[string]any{}
	doc := map[string]any{"inner": inner}
	for i := 1; i < n; i++ {
		inner[fmt.Sprint("k", i)] = i
	}
	return doc
}

func TestValidateLimits(t *testing.T) {
	tests := []struct {
		name    string
		v       any
		wantMsg string
	}{
		{"key of 128 bytes", map[string]any{strings.Repeat("k", MaxKeyBytes): 1}, ""},
		{"key of 129 bytes", map[string]any{"a": map[string]any{strings.Repeat("k", MaxKeyBytes+1): 1}}, `at "a" is longer than 128 bytes`},
		{"keys at limit", keys(MaxKeys), ""},
		{"keys over limit", keys(MaxKeys + 1), "more than 1000 keys"},
		{"keys counted across array items", map[string]any{"a": []any{keys(600), keys(600)}}, "more than 1000 keys"},
		{"scalar value", "x", ""},
		{"array value", []any{1.0, "x", map[string]any{"ok": true}}, ""},
		{"array with dollar key", []any{map[string]any{"$gt": 1}}, `key "$gt" at "[0]"`},
		{"deep array value", func() any {
			var v any = 1.0
			for range MaxDepth + 1 {
				v = []any{v}
			}
			return v
		}(), "deeper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidateValue("rule.value", tc.v), tc.wantMsg)
		})
	}
}

func TestPath(t *testing.T) {
	tests := []struct{ path, wantMsg string }{
		{"a", ""},
		{"address.city", ""},
		{"", "empty key"},
		{"a..b", `empty key at "a"`},
		{"a.$where", `key "$where" at "a"`},
		{strings.Repeat("k", MaxKeyBytes+1), "longer than 128 bytes"},
		{strings.Repeat("a.", MaxDepth) + "a", "deeper than the maximum of 20"},
		{"a\x00b", "NUL"},
	}
	for _, tc := range tests {
		checkErr(t, Path("filter.traits", tc.path), tc.wantMsg)
	}
}

func TestText(t *testing.T) {
	tests := []struct{ s, wantMsg string }{
		{"", ""},
		{"line_oa", ""},
		{"ร้านค้า", ""},
		{strings.Repeat("s", 64), ""},
		{strings.Repeat("s", 65), "longer than 64 bytes"},
		{"a\x00b", "control characters"},
		{"a\nb", "control characters"},
		{"a\xffb", "not valid UTF-8"},
	}
	for _, tc := range tests {
		err := Text("source", tc.s, 64)
		checkErr(t, err, tc.wantMsg)
		if err != nil && strings.Contains(err.Error(), tc.s) {
			t.Errorf("Text error %q repeats the text", err)
		}
	}
}

func checkErr(t *testing.T, err error, wantMsg string) {
	t.Helper()
	switch {
	case wantMsg == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case wantMsg != "" && err == nil:
		t.Errorf("no error, want one containing %q", wantMsg)
	case err != nil && (errs.KindOf(err) != errs.BadInput || !strings.Contains(err.Error(), wantMsg)):
		t.Errorf("error %q (kind %v), want BAD_USER_INPUT containing %q", err, errs.KindOf(err), wantMsg)
	}
}
