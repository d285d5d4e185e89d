package imports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
	"github.com/cdp-dev/cdp/internal/event"
)

// scriptedSink answers Append from a script, one answer per call, and
// records the messageIds and batch of each call.
type scriptedSink struct {
	answers []func(ins []event.Input) (event.Result, error)
	calls   [][]string
	batches []string
}

func (f *scriptedSink) Append(_ context.Context, _ auth.Workspace, _, batch string, ins []event.Input) (event.Result, error) {
	var mids []string
	for _, in := range ins {
		mids = append(mids, in.MessageID)
	}
	f.calls, f.batches = append(f.calls, mids), append(f.batches, batch)
	return f.answers[len(f.calls)-1](ins)
}

func (f *scriptedSink) Folded(context.Context, auth.Workspace, string) (bool, error) {
	return true, nil
}

// fail answers with the given item errors by index; the other items are accepted.
func fail(byIndex map[int]*errs.Error) func([]event.Input) (event.Result, error) {
	return func(ins []event.Input) (event.Result, error) {
		res := event.Result{Accepted: len(ins) - len(byIndex)}
		for i := range len(ins) {
			if e, ok := byIndex[i]; ok {
				res.Errors = append(res.Errors, errs.AtIndex(e, i))
			}
		}
		return res, nil
	}
}

func whole(err error) func([]event.Input) (event.Result, error) {
	return func([]event.Input) (event.Result, error) { return event.Result{}, err }
}

// testChunk is chunk 3 of job "j": four rows on lines 2, 3, 5 and 6 (line 4 is blank).
func testChunk() *chunk {
	c := &chunk{no: 3}
	for i, text := range []string{"", `{"messageId":"a"}`, `{"messageId":"b"}`, "", `{"messageId":"c"}`, `{"messageId":"d"}`} {
		c.add(Events, line{no: int64(i + 1), text: []byte(text)})
	}
	return c
}

func TestDeliver(t *testing.T) {
	busy := errs.New(errs.Unavailable, "busy").WithRetryAfter(1)
	broken := errs.Wrap(errs.Internal, "internal error", errors.New("store down"))
	badEmail := errs.New(errs.BadInput, `invalid email "secret@@x": expected local@domain.tld`)
	tests := []struct {
		name      string
		answers   []func([]event.Input) (event.Result, error)
		calls     string // the messageIds of each call
		stored    int64
		rejected  string
		wantError bool
	}{
		{"all stored", []func([]event.Input) (event.Result, error){fail(nil)}, "[[a b c d]]", 4, "[]", false},
		{"a bad row is rejected at its line, without its value",
			[]func([]event.Input) (event.Result, error){fail(map[int]*errs.Error{2: badEmail})},
			"[[a b c d]]", 3, "[{5 invalid email: expected local@domain.tld}]", false},
		{"a busy row is sent again, alone", []func([]event.Input) (event.Result, error){fail(map[int]*errs.Error{1: busy}), fail(nil)},
			"[[a b c d] [b]]", 4, "[]", false},
		{"a row failing inside is retried, then rejected", []func([]event.Input) (event.Result, error){
			fail(map[int]*errs.Error{3: broken}), fail(map[int]*errs.Error{0: broken}), fail(map[int]*errs.Error{0: broken}),
			fail(map[int]*errs.Error{0: broken}), fail(map[int]*errs.Error{0: broken})},
			"[[a b c d] [d] [d] [d] [d]]", 3, "[{6 internal error}]", false},
		{"a call failing inside is retried whole", []func([]event.Input) (event.Result, error){whole(broken), fail(nil)},
			"[[a b c d] [a b c d]]", 4, "[]", false},
		{"a call refused as bad input fails the job", []func([]event.Input) (event.Result, error){whole(errs.New(errs.BadInput, "too many"))},
			"[[a b c d]]", 0, "[]", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &scriptedSink{answers: tt.answers}
			s := &Service{d: Deps{Events: sink, Logger: slog.New(slog.DiscardHandler)}, retryUnit: time.Microsecond}
			out, err := s.deliver(t.Context(), &Job{ID: "j", Kind: Events}, testChunk())
			if (err != nil) != tt.wantError {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantError)
			}
			if got := fmt.Sprint(sink.calls); got != tt.calls {
				t.Errorf("calls %s, want %s", got, tt.calls)
			}
			if got := fmt.Sprint(out.rejected); out.stored != tt.stored || got != tt.rejected {
				t.Errorf("stored %d, rejected %s; want %d, %s", out.stored, got, tt.stored, tt.rejected)
			}
			if slices.ContainsFunc(sink.batches, func(b string) bool { return b != "j-3" }) {
				t.Errorf("batches %v, want j-3 on every attempt", sink.batches)
			}
			if strings.Contains(fmt.Sprint(out.rejected), "secret") {
				t.Errorf("a reason quotes a value: %v", out.rejected)
			}
		})
	}
}
