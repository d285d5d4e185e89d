package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cdp-dev/cdp/internal/errs"
)

// presenter maps every error to a GraphQL error with a stable
// extensions.code. Internal errors are logged once, with the request id, and
// reach the client as "internal error" only.
func presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var ge *gqlerror.Error
		if e, ok := errs.As(err); ok {
			return present(ctx, log, err, e)
		}
		if errors.As(err, &ge) {
			if _, has := ge.Extensions["code"]; has {
				return ge
			}
			if e, ok := errs.As(ge.Err); ok {
				return present(ctx, log, err, e)
			}
			if ge.Err == nil { // produced by gqlgen itself: input coercion and similar
				ge.Extensions = withCode(ge.Extensions, errs.BadInput)
				return ge
			}
		}
		return present(ctx, log, err, errs.Wrap(errs.Internal, "internal error", err))
	}
}

// errOperationTimeout is the cause of an operation's context when it ran
// past CDP_OPERATION_TIMEOUT.
var errOperationTimeout = errors.New("operation timed out")

// timeoutError is what the client of a timed-out operation is told.
var timeoutError = errs.New(errs.Unavailable, "the operation ran past the server's time limit (CDP_OPERATION_TIMEOUT): ask for less at a time")

func present(ctx context.Context, log *slog.Logger, err error, e *errs.Error) *gqlerror.Error {
	out := gqlerror.WrapPath(graphql.GetPath(ctx), err)
	if e.Kind == errs.Internal && errors.Is(context.Cause(ctx), errOperationTimeout) {
		log.WarnContext(ctx, "operation timed out", "err", err)
		e = timeoutError
	}
	out.Message = e.Error()
	if e.Kind == errs.Internal {
		if !errors.Is(err, context.Canceled) {
			log.ErrorContext(ctx, "internal error", "err", err)
		}
		out.Message = "internal error"
	}
	out.Extensions = withCode(nil, e.Kind)
	if e.Index >= 0 {
		out.Extensions["index"] = e.Index
	}
	if e.Field != "" {
		out.Extensions["field"] = e.Field
	}
	if e.RetryAfter > 0 {
		out.Extensions["retryAfter"] = e.RetryAfter
	}
	return out
}

func withCode(ext map[string]any, k errs.Kind) map[string]any {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["code"] = k.Code()
	return ext
}

// recoverer turns a panic into an internal error, logging its stack.
func recoverer(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errs.New(errs.Internal, "internal error")
	}
}
