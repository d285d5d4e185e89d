package document

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cdp-dev/cdp/internal/errs"
)

// checkKey checks one key of an object found at path.
func checkKey(field, k, path string) error {
	where := ""
	if path != "" {
		where = " at " + strconv.Quote(Clip(path))
	}
	switch {
	case k == "":
		return errs.Newf(errs.BadInput, "%s: empty key%s is not allowed", field, where)
	case strings.HasPrefix(k, "$") || strings.Contains(k, "."):
		return errs.Newf(errs.BadInput,
			`%s: key %q%s is not allowed: keys may not start with "$" or contain "."`, field, Clip(k), where)
	case strings.ContainsRune(k, 0):
		return errs.Newf(errs.BadInput, "%s: key %q%s is not allowed: keys may not contain NUL", field, Clip(k), where)
	case !utf8.ValidString(k):
		return errs.Newf(errs.BadInput, "%s: key %q%s is not valid UTF-8", field, Clip(k), where)
	case len(k) > MaxKeyBytes:
		return errs.Newf(errs.BadInput, "%s: key %q%s is longer than %d bytes", field, Clip(k), where, MaxKeyBytes)
	}
	return nil
}

// Path checks a dotted path into a document, such as a trait a filter
// names ("address.city"): every part must be a key Validate accepts, and
// the path at most MaxDepth parts.
func Path(field, path string) error {
	parts := strings.Split(path, ".")
	if len(parts) > MaxDepth {
		return errs.Newf(errs.BadInput, "%s: path %q is deeper than the maximum of %d", field, Clip(path), MaxDepth)
	}
	prefix := ""
	for _, p := range parts {
		if err := checkKey(field, p, prefix); err != nil {
			return err
		}
		prefix = join(prefix, p)
	}
	return nil
}

// join appends key k to a dotted path.
func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
