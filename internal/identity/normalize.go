package identity

import (
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/cdp-dev/cdp/internal/document"
	"github.com/cdp-dev/cdp/internal/errs"
)

// Identifier is a normalized (type, value) pair.
type Identifier struct {
	Type  string
	Value string
}

// String returns the identifier as "type:value".
func (i Identifier) String() string { return i.Type + ":" + i.Value }

// MaxValueLen is the maximum length of an identifier value, in bytes, after
// trimming.
const MaxValueLen = 256

var builtinTypes = []string{
	"email", "phone", "line_uid", "whatsapp", "messenger_psid",
	"instagram_id", "crm_id", "member_id", "anonymous_id", "device_id",
}

// BuiltinTypes returns the built-in identity types. The slice is a fresh copy
// the caller may modify.
func BuiltinTypes() []string { return slices.Clone(builtinTypes) }

// ValidType reports whether t is a built-in type or matches
// ^[a-z][a-z0-9_]{0,31}$ (custom types).
func ValidType(t string) bool {
	return slices.Contains(builtinTypes, t) || document.ValidName(t)
}

// Normalize validates and normalizes one identifier. region is an ISO 3166
// alpha-2 default region for phone numbers without a leading + (may be ""
// meaning only international numbers are accepted).
//
// The type and value are trimmed of surrounding (Unicode) whitespace. Emails
// are lower-cased and must be a bare local@domain.tld address. Phone numbers
// are parsed with libphonenumber, must pass IsValidNumber (strict: numbers
// must fit the region's numbering plan, not merely have a plausible length)
// and are formatted as E.164. WhatsApp ids are normalized like phone numbers
// when they parse as a valid number and are otherwise kept as given. Every
// other type keeps its trimmed value verbatim, case included. All failures
// are errs.BadInput.
func Normalize(typ, value, region string) (Identifier, error) {
	typ = strings.TrimSpace(typ)
	if !ValidType(typ) {
		return Identifier{}, errs.Newf(errs.BadInput,
			"unknown identity type format %q: types match [a-z][a-z0-9_]{0,31}", document.Clip(typ))
	}
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return Identifier{}, errs.Newf(errs.BadInput, "identity value for %q is empty", typ)
	case len(v) > MaxValueLen:
		return Identifier{}, errs.Newf(errs.BadInput,
			"identity value for %q is too long: %d bytes, max %d", typ, len(v), MaxValueLen)
	case !utf8.ValidString(v):
		return Identifier{}, errs.Newf(errs.BadInput, "identity value for %q is not valid UTF-8", typ)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return Identifier{}, errs.Newf(errs.BadInput,
			"identity value for %q contains control characters", typ)
	}
	switch typ {
	case "email":
		e, err := normalizeEmail(v)
		if err != nil {
			return Identifier{}, err
		}
		v = e
	case "phone":
		p, err := normalizePhone(v, region)
		if err != nil {
			return Identifier{}, err
		}
		v = p
	case "whatsapp":
		if p, err := normalizePhone(v, region); err == nil {
			v = p
		}
	}
	return Identifier{Type: typ, Value: v}, nil
}

// normalizeEmail lower-cases v and requires it to be a bare addr-spec with a
// dotted domain.
func normalizeEmail(v string) (string, error) {
	v = strings.ToLower(v)
	bad := func(why string) error {
		return errs.Newf(errs.BadInput, "invalid email %q: %s", document.Clip(v), why)
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v {
		return "", bad("expected local@domain.tld")
	}
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || !validDomain(v[at+1:]) {
		return "", bad("expected local@domain.tld")
	}
	return v, nil
}

// validDomain reports whether d is a dotted host name with at least two
// labels of letters, digits and inner hyphens.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

// normalizePhone parses v with the default region and returns it in E.164.
func normalizePhone(v, region string) (string, error) {
	region = strings.ToUpper(strings.TrimSpace(region))
	n, err := phonenumbers.Parse(v, region)
	if err != nil {
		return "", errs.Newf(errs.BadInput, "invalid phone number %q: %v", document.Clip(v), err)
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", errs.Newf(errs.BadInput,
			"invalid phone number %q: not a valid number", document.Clip(v))
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}
