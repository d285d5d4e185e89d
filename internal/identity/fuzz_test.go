package identity

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize checks that Normalize never panics, that what it returns is
// well formed, and that normalizing a normalized identifier changes nothing.
func FuzzNormalize(f *testing.F) {
	f.Fuzz(func(t *testing.T, typ, value, region string) {
		id, err := Normalize(typ, value, region)
		if err != nil {
			if strings.Contains(err.Error(), value) && len(value) > maxShownValue {
				t.Fatalf("error repeats the whole value: %q", err)
			}
			return
		}
		if id.Type != strings.TrimSpace(typ) || id.Value == "" || len(id.Value) > MaxValueLen || !utf8.ValidString(id.Value) {
			t.Fatalf("Normalize(%q, %q, %q) = %+v: not well formed", typ, value, region, id)
		}
		again, err := Normalize(id.Type, id.Value, region)
		if err != nil || again != id {
			t.Fatalf("Normalize(%q, %q, %q) = %+v, normalized again = %+v, %v; want the same", typ, value, region, id, again, err)
		}
	})
}

// maxShownValue is how much of a value an error may quote (document.Clip
// keeps 64 characters).
const maxShownValue = 64 * utf8.UTFMax
