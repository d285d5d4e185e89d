// Package page implements opaque Relay cursors and page-size rules shared by
// every paginated list.
package page

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/cdp-dev/cdp/internal/errs"
)

// Default and Max bound the number of items a page may hold.
const (
	Default = 20
	Max     = 100
)

// Page is one page of a list.
type Page[T any] struct {
	Items   []T
	Cursors []string
	HasNext bool
	HasPrev bool
	Total   int64
}

// Size validates a requested page size; nil means Default.
func Size(first *int) (int, error) {
	if first == nil {
		return Default, nil
	}
	if *first < 0 || *first > Max {
		return 0, errs.Newf(errs.BadInput, "first must be between 0 and %d", Max)
	}
	return *first, nil
}

const sep = "\x1f"

// Encode makes an opaque cursor from its parts.
func Encode(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, sep)))
}

// Decode reads a cursor made by Encode with n parts; an empty cursor returns
// nil. A malformed cursor is a BadInput error.
func Decode(cursor string, n int) ([]string, error) {
	if cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	parts := strings.Split(string(b), sep)
	if err != nil || len(parts) != n {
		return nil, errs.New(errs.BadInput, "invalid cursor")
	}
	return parts, nil
}

// Of builds a page from up to n+1 items fetched after a cursor (hasPrev):
// the extra item only tells that a next page exists.
func Of[T any](items []T, n int, hasPrev bool, cursor func(T) string) Page[T] {
	p := Page[T]{HasPrev: hasPrev}
	if len(items) > n {
		items, p.HasNext = items[:n], true
	}
	p.Items = items
	for _, it := range items {
		p.Cursors = append(p.Cursors, cursor(it))
	}
	return p
}

// At encodes a (time, id) position, for lists ordered by time then id.
func At(t time.Time, id string) string { return Encode(t.Format(time.RFC3339Nano), id) }

// DecodeAt reads a cursor made by At; an empty cursor returns ok false.
func DecodeAt(cursor string) (t time.Time, id string, ok bool, err error) {
	parts, err := Decode(cursor, 2)
	if err != nil || parts == nil {
		return t, "", false, err
	}
	if t, err = time.Parse(time.RFC3339Nano, parts[0]); err != nil {
		return t, "", false, errs.New(errs.BadInput, "invalid cursor")
	}
	return t, parts[1], true, nil
}
