package document

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cdp-dev/cdp/internal/errs"
)

// Text checks a short free-form string a client labels data with, such as
// the source of an identify call or of a consent change: valid UTF-8, no
// control characters, at most maxBytes. Errors name field, never the text.
func Text(field, s string, maxBytes int) error {
	switch {
	case len(s) > maxBytes:
		return errs.Newf(errs.BadInput, "%s is longer than %d bytes", field, maxBytes).WithField(field)
	case !utf8.ValidString(s):
		return errs.Newf(errs.BadInput, "%s is not valid UTF-8", field).WithField(field)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return errs.Newf(errs.BadInput, "%s contains control characters", field).WithField(field)
	}
	return nil
}
