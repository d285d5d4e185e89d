package imports

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
)

func TestParseEvent(t *testing.T) {
	in, err := parseEvent([]byte(`{"messageId":"m1","type":"order","channel":"pos","identities":[{"type":"email","value":"a@x.com"}],` +
		`"properties":{"total":59.9,"items":[1,2]},"timestamp":"2025-03-01T10:00:00+07:00"}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.MessageID != "m1" || in.Type != "order" || in.Channel != "pos" || len(in.Identities) != 1 || in.Identities[0].Value != "a@x.com" ||
		in.Properties["total"] != json.Number("59.9") || in.Timestamp == nil || !in.Timestamp.Equal(time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("parsed %+v", in)
	}
}

func TestParseProfile(t *testing.T) {
	in, err := parseProfile([]byte(`{"identities":[{"type":"crm_id","value":"C1"}],"traits":{"tier":"gold"},"source":"crm"}`))
	if err != nil || len(in.Identities) != 1 || in.Traits["tier"] != "gold" || in.Source != "crm" || in.Timestamp != nil {
		t.Errorf("parsed %+v, %v", in, err)
	}
	if _, err := parseProfile([]byte(`{"identities":[],"messageId":"m1"}`)); err == nil || err.Error() != `unknown field "messageId"` {
		t.Errorf("an events row as a profile: %v", err)
	}
}

// TestRowRejections: every reason says what is wrong and where, and never
// quotes a value of the row.
func TestRowRejections(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"messageId":"secret-1","type":`, "invalid JSON: the line ends inside the object"},
		{`{"messageId" "secret-1"}`, "invalid JSON at byte 14 of the line"},
		{`not json secret`, "a row must be a JSON object"},
		{`["secret"]`, "a row must be a JSON object"},
		{`{"messageId":"secret","colour":"red"}`, `unknown field "colour"`},
		{`{"identities":[{"type":"email","value":"secret@x.com","primary":true}]}`, `unknown field "primary"`},
		{`{"messageId":42}`, `field "messageId" must be a string, not a number`},
		{`{"identities":{"type":"email"}}`, `field "identities" must be an array, not an object`},
		{`{"properties":["secret"]}`, `field "properties" must be an object, not an array`},
		{`{"identities":[{"type":"email","value":7}]}`, `field "identities.value" must be a string, not a number`},
		{`{"timestamp":"yesterday secret"}`, "timestamp must be an RFC 3339 time"},
		{`{"messageId":"secret"} {"messageId":"secret"}`, "a row must be one JSON object: the line goes on after it"},
	}
	for _, tt := range tests {
		_, err := parseEvent([]byte(tt.line))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %q", tt.line, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the reason quotes a value: %v", tt.line, err)
		}
	}
}

func TestReasonHidesIdentifierValues(t *testing.T) {
	s := &Service{}
	tests := []struct{ msg, want string }{
		{`invalid email "ann@@x": expected local@domain.tld`, "invalid email: expected local@domain.tld"},
		{`invalid phone number "+66 \"8\" 12": not a valid number`, "invalid phone number: not a valid number"},
		{`properties: key "$set" is not allowed: keys may not start with "$" or contain "."`,
			`properties: key "$set" is not allowed: keys may not start with "$" or contain "."`},
	}
	for _, tt := range tests {
		if got := s.reason(t.Context(), nil, errs.New(errs.BadInput, tt.msg)); got != tt.want {
			t.Errorf("reason(%s) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}
