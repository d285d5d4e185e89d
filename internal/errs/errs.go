// Package errs defines the error kinds shared by every layer and their stable
// GraphQL codes.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error; each kind maps to one stable extensions.code.
// The list is append-only.
type Kind int

// The kinds. Internal is the zero value so an unclassified error never leaks
// as a client error.
const (
	Internal Kind = iota
	BadInput
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	RateLimited
	// Unavailable means the request could not be done now and may succeed
	// when retried after Error.RetryAfter seconds.
	Unavailable
)

var codes = map[Kind]string{
	Internal:        "INTERNAL",
	BadInput:        "BAD_USER_INPUT",
	Unauthenticated: "UNAUTHENTICATED",
	Forbidden:       "FORBIDDEN",
	NotFound:        "NOT_FOUND",
	Conflict:        "CONFLICT",
	RateLimited:     "RATE_LIMITED",
	Unavailable:     "UNAVAILABLE",
}

// Code returns the GraphQL extensions.code of the kind.
func (k Kind) Code() string { return codes[k] }

// String returns the code, so kinds print readably.
func (k Kind) String() string { return k.Code() }

// Error is a classified error with a message safe to show to clients.
type Error struct {
	Kind Kind
	Msg  string
	// Index is the position of the offending item in a batch, or -1.
	Index int
	// Field names the offending input field, when known.
	Field string
	// RetryAfter, when positive, is how many seconds a client should wait
	// before retrying (extensions.retryAfter).
	RetryAfter int
	Err        error
}

// Error returns the client-facing message.
func (e *Error) Error() string {
	if e.Msg == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind k with a client-facing message.
func New(k Kind, msg string) *Error { return &Error{Kind: k, Msg: msg, Index: -1} }

// Newf is New with formatting.
func Newf(k Kind, format string, args ...any) *Error {
	return New(k, fmt.Sprintf(format, args...))
}

// Wrap classifies err as kind k with a client-facing message, keeping the cause.
func Wrap(k Kind, msg string, err error) *Error {
	return &Error{Kind: k, Msg: msg, Index: -1, Err: err}
}

// AtIndex returns a copy of err marked with a batch position. Errors that are
// not *Error (nor classified, see RegisterClassifier) are wrapped as
// Internal.
func AtIndex(err error, i int) *Error {
	e, ok := As(err)
	if !ok {
		e = Wrap(Internal, "internal error", err)
	}
	c := *e
	c.Index = i
	return &c
}

// WithRetryAfter returns a copy of e telling clients to retry after secs seconds.
func (e *Error) WithRetryAfter(secs int) *Error {
	c := *e
	c.RetryAfter = secs
	return &c
}

// WithField returns a copy of e naming the offending field.
func (e *Error) WithField(f string) *Error {
	c := *e
	c.Field = f
	return &c
}

// Is reports whether target is an *Error of the same kind and message, so
// sentinels work with errors.Is.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Msg == e.Msg
}

// KindOf returns the kind of the first *Error in err's chain, or of its
// classification (see RegisterClassifier), or Internal.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return Internal
}

// As returns the first *Error in err's chain. An error without one is
// offered to the registered classifiers, and the first classification is
// returned.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	if err == nil {
		return nil, false
	}
	for _, c := range classifiers {
		if e := c(err); e != nil {
			return e, true
		}
	}
	return nil, false
}

// classifiers are set by RegisterClassifier during package initialization.
var classifiers []func(error) *Error

// RegisterClassifier adds a classifier of errors that carry no *Error, such
// as a database driver's: it returns the *Error (wrapping err) they stand
// for, or nil when it does not recognize err. The package that knows the
// errors registers it, from an init function only, so that one mapping
// serves every layer above it (e.g. the store maps an unreachable database
// to Unavailable).
func RegisterClassifier(c func(err error) *Error) { classifiers = append(classifiers, c) }
