package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// sseKeepAlive is how often an idle event stream gets a comment line.
const sseKeepAlive = 15 * time.Second

// stream answers the request that opens a reservation's event stream. It
// writes the operations' events until the client leaves, the reservation
// ends (a token expired: the operations get no "complete", so that clients
// reconnect, as after a websocket's close), or the server shuts down;
// then the reservation and its operations end.
func (t *sseSingle) stream(w http.ResponseWriter, r *http.Request, p auth.Principal, res *sseReservation) {
	if e := res.open(); e != nil {
		writeKindError(w, e)
		return
	}
	defer res.end()
	ctx, cancel := withExpiry(r.Context(), p)
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // proxies: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	ping := time.NewTicker(sseKeepAlive)
	defer ping.Stop()
	// A first comment, since some browsers wait for a body before they
	// report the stream open.
	for msg := []byte(":\n\n"); msg != nil; msg = res.next(ctx, ping.C) {
		if _, err := w.Write(msg); err != nil || rc.Flush() != nil {
			return
		}
	}
}

// next returns the stream's next message, a keep-alive at each tick, or
// nil when the stream is to end.
func (r *sseReservation) next(ctx context.Context, tick <-chan time.Time) []byte {
	select {
	case b := <-r.out:
		return b
	case <-tick:
		return []byte(": ping\n\n")
	case <-r.drained:
		select {
		case b := <-r.out:
			return b
		default:
			return nil
		}
	case <-ctx.Done():
		return nil
	case <-r.ctx.Done():
		return nil
	}
}

// errTokenExpired is the cause of a context ended by its token's expiry.
var errTokenExpired = errors.New("token expired")

// withExpiry ends ctx when the principal's token expires.
func withExpiry(ctx context.Context, p auth.Principal) (context.Context, context.CancelFunc) {
	if p.ExpiresAt.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadlineCause(ctx, p.ExpiresAt, errTokenExpired)
}

// start answers a POST that carries an operation: 202 once the operation
// is valid and running, its results then going to the stream. What the
// executor refuses before running it (a syntax error, validation, the
// operation limits) is answered 400 with the errors, as the protocol asks.
func (t *sseSingle) start(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, p auth.Principal, res *sseReservation) {
	params, id, e := readOperation(r)
	if e != nil {
		writeKindError(w, e)
		return
	}
	ctx, cancel := res.opContext(r.Context(), p)
	if e := res.add(id, cancel); e != nil {
		cancel()
		writeKindError(w, e)
		return
	}
	oc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		res.done(id)
		writeJSON(w, http.StatusBadRequest, exec.DispatchError(graphql.WithOperationContext(ctx, oc), opErr))
		return
	}
	responses, dctx := exec.DispatchOperation(ctx, oc)
	go t.run(ctx, dctx, res, id, responses)
	w.WriteHeader(http.StatusAccepted)
}

// readOperation decodes a GraphQL request and its extensions.operationId.
// A body that does not decode is refused without being quoted.
func readOperation(r *http.Request) (*graphql.RawParams, string, *errs.Error) {
	params := &graphql.RawParams{}
	start := graphql.Now()
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		return nil, "", errs.New(errs.BadInput, `the body is not a GraphQL request: send {"query", "variables", "extensions": {"operationId"}}`)
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	id, _ := params.Extensions["operationId"].(string)
	switch {
	case id == "":
		return nil, "", errs.New(errs.BadInput, "extensions.operationId is missing: an event stream needs it to address the results")
	case len(id) > sseMaxOpID:
		return nil, "", errs.Newf(errs.BadInput, "extensions.operationId is longer than %d bytes", sseMaxOpID)
	}
	return params, id, nil
}

// opContext is an operation's context: the values of the request that
// started it, not its end; it ends with the reservation, a DELETE, or the
// expiry of the token that started it.
func (r *sseReservation) opContext(req context.Context, p auth.Principal) (context.Context, context.CancelFunc) {
	ctx, cancel := withExpiry(context.WithoutCancel(req), p)
	stop := context.AfterFunc(r.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// run sends an operation's results to the stream, then its "complete";
// when the token that started it expires, it ends the whole stream
// instead, as a websocket is closed. It reads them with the executor's context dctx, to their end even once
// the operation's context ctx is done, which is how gqlgen's operation
// middleware learns that a subscription ended. It sends with ctx: dctx of
// a query ends as soon as its result is made.
func (t *sseSingle) run(ctx, dctx context.Context, res *sseReservation, id string, responses graphql.ResponseHandler) {
	defer res.done(id)
	defer func() {
		if p := recover(); p != nil {
			t.log.ErrorContext(ctx, "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			res.send(res.ctx, t.next(id, &graphql.Response{Errors: gqlerror.List{internalGQLError()}}))
			res.send(res.ctx, completeEvent(id))
		}
	}()
	for resp := responses(dctx); resp != nil; resp = responses(dctx) {
		res.send(ctx, t.next(id, resp))
	}
	if errors.Is(context.Cause(ctx), errTokenExpired) {
		res.end()
		return
	}
	res.send(res.ctx, completeEvent(id))
}

// next formats a "next" event of the single connection mode.
func (t *sseSingle) next(id string, resp *graphql.Response) []byte {
	b, err := json.Marshal(struct {
		ID      string            `json:"id"`
		Payload *graphql.Response `json:"payload"`
	}{id, resp})
	if err != nil { // gqlgen's responses always encode; never lose the id
		t.log.Error("event stream result not encodable", "err", err)
		return t.next(id, &graphql.Response{Errors: gqlerror.List{internalGQLError()}})
	}
	return fmt.Appendf(nil, "event: next\ndata: %s\n\n", b)
}

// completeEvent formats a "complete" event of the single connection mode.
func completeEvent(id string) []byte {
	b, _ := json.Marshal(struct {
		ID string `json:"id"`
	}{id}) // a string always encodes
	return fmt.Appendf(nil, "event: complete\ndata: %s\n\n", b)
}

func internalGQLError() *gqlerror.Error {
	return &gqlerror.Error{Message: "internal error", Extensions: withCode(nil, errs.Internal)}
}
