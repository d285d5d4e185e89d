package auth

import (
	"encoding/json"
	"fmt"
)

// UnmarshalJSON decodes a token payload. It refuses exp, nbf and iat given
// as anything but JSON numbers (RFC 7519 NumericDate): jwt/v5 alone would
// read "exp": "1893553445" as a date.
func (c *Claims) UnmarshalJSON(b []byte) error {
	var times struct {
		Exp json.RawMessage `json:"exp"`
		Nbf json.RawMessage `json:"nbf"`
		Iat json.RawMessage `json:"iat"`
	}
	if err := json.Unmarshal(b, &times); err != nil {
		return err
	}
	for _, t := range []struct {
		name string
		raw  json.RawMessage
	}{{"exp", times.Exp}, {"nbf", times.Nbf}, {"iat", times.Iat}} {
		if len(t.raw) > 0 && string(t.raw) != "null" && !isNumber(t.raw) {
			return fmt.Errorf("%s claim must be a number", t.name)
		}
	}
	type plain Claims // without this method
	return json.Unmarshal(b, (*plain)(c))
}

// isNumber reports whether raw, a valid JSON value, is a number.
func isNumber(raw json.RawMessage) bool {
	return raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')
}
