package identity

import (
	"strings"
	"testing"

	"github.com/cdp-dev/cdp/internal/errs"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, typ, value, region string
		want                     string // normalized value; "" means an error is expected
		wantMsg                  string // substring of the error message
	}{
		{"email lower-cased and trimmed", "email", "  Alice@Example.COM ", "", "alice@example.com", ""},
		{"email unicode space trimmed", "email", "\u00a0bob@example.org\u3000", "", "bob@example.org", ""},
		{"email plus tag", "email", "a.b+tag@mail.example.co.th", "", "a.b+tag@mail.example.co.th", ""},
		{"email bad", "email", "not-an-email", "", "", "invalid email"},
		{"email display name", "email", "Alice <alice@example.com>", "", "", "invalid email"},
		{"email no tld", "email", "alice@localhost", "", "", "invalid email"},
		{"email two ats", "email", "a@b@example.com", "", "", "invalid email"},
		{"phone international", "phone", "+66 81 234 5678", "", "+66812345678", ""},
		{"phone national TH", "phone", "081-234-5678", "TH", "+66812345678", ""},
		{"phone national region lower-case", "phone", "081-234-5678", "th", "+66812345678", ""},
		{"phone national US", "phone", "(415) 555-2671", "US", "+14155552671", ""},
		{"phone international ignores region", "phone", "+1 415 555 2671", "TH", "+14155552671", ""},
		{"phone no plus no region", "phone", "081-234-5678", "", "", "invalid phone number"},
		{"phone invalid number", "phone", "+66 12", "", "", "invalid phone number"},
		{"phone letters", "phone", "hello", "TH", "", "invalid phone number"},
		{"whatsapp like phone", "whatsapp", "+66 81 234 5678", "", "+66812345678", ""},
		{"whatsapp unparsable kept", "whatsapp", "wa-id-123", "", "wa-id-123", ""},
		{"line_uid case preserved", "line_uid", " U4af4980629ABCdef ", "", "U4af4980629ABCdef", ""},
		{"custom type", "loyalty_card", "LC-0001", "", "LC-0001", ""},
		{"type trimmed", " crm_id ", "C1", "", "C1", ""},
		{"empty", "email", "", "", "", `identity value for "email" is empty`},
		{"whitespace only", "line_uid", " \t\n\u00a0", "", "", `identity value for "line_uid" is empty`},
		{"overlong", "crm_id", strings.Repeat("x", MaxValueLen+1), "", "", "too long"},
		{"max length ok", "crm_id", strings.Repeat("x", MaxValueLen), "", strings.Repeat("x", MaxValueLen), ""},
		{"control char", "crm_id", "a\x00b", "", "", "control characters"},
		{"invalid utf8", "crm_id", "a\xffb", "", "", "not valid UTF-8"},
		{"type upper-case", "Email", "a@example.com", "", "", "unknown identity type format"},
		{"type leading digit", "1abc", "x", "", "", "unknown identity type format"},
		{"type hyphen", "a-b", "x", "", "", "unknown identity type format"},
		{"type 33 chars", "a" + strings.Repeat("b", 32), "x", "", "", "unknown identity type format"},
		{"type empty", "", "x", "", "", "unknown identity type format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.typ, tc.value, tc.region)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("Normalize(%q, %q, %q) = %v, want error", tc.typ, tc.value, tc.region, got)
				}
				if k := errs.KindOf(err); k != errs.BadInput {
					t.Errorf("kind = %v, want BadInput", k)
				}
				if !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("error %q does not contain %q", err, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%q, %q, %q): %v", tc.typ, tc.value, tc.region, err)
			}
			want := Identifier{Type: strings.TrimSpace(tc.typ), Value: tc.want}
			if got != want {
				t.Errorf("Normalize(%q, %q, %q) = %+v, want %+v", tc.typ, tc.value, tc.region, got, want)
			}
		})
	}
}

func TestErrorClipsBadValue(t *testing.T) {
	long := strings.Repeat("y", 200) + "@"
	_, err := Normalize("email", long, "")
	if err == nil {
		t.Fatal("want error")
	}
	if strings.Contains(err.Error(), strings.Repeat("y", 65)) {
		t.Errorf("error quotes more than 64 chars of the value: %q", err)
	}
	_, err = Normalize(strings.Repeat("T", 100), "x", "")
	if err == nil || strings.Contains(err.Error(), strings.Repeat("T", 65)) {
		t.Errorf("type error missing or not clipped: %v", err)
	}
}

func TestValidTypeAndBuiltins(t *testing.T) {
	bt := BuiltinTypes()
	if len(bt) != 10 {
		t.Fatalf("BuiltinTypes() has %d entries, want 10", len(bt))
	}
	for _, typ := range bt {
		if !ValidType(typ) {
			t.Errorf("ValidType(%q) = false for a built-in type", typ)
		}
	}
	bt[0] = "mutated"
	if BuiltinTypes()[0] != "email" {
		t.Error("BuiltinTypes returned a shared slice")
	}
	for typ, want := range map[string]bool{
		"loyalty_card": true, "a": true, "a" + strings.Repeat("b", 31): true,
		"a" + strings.Repeat("b", 32): false, "Email": false, "_x": false, "a b": false,
	} {
		if got := ValidType(typ); got != want {
			t.Errorf("ValidType(%q) = %v, want %v", typ, got, want)
		}
	}
}

func TestIdentifierString(t *testing.T) {
	if got := (Identifier{Type: "email", Value: "a@example.com"}).String(); got != "email:a@example.com" {
		t.Errorf("String() = %q", got)
	}
}
