package relay

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// run is one scripted Watch: the changes it delivers, then its error.
type run struct {
	changes []Change
	err     error
}

// fakeSource plays scripted Watch calls, then blocks until ctx ends.
type fakeSource struct {
	writer string
	preErr error
	runs   []run
	afters []string      // the token each Watch was called with
	idle   chan struct{} // closed when the script is played
}

func (f *fakeSource) Writer() string                      { return f.writer }
func (f *fakeSource) PreImages(ctx context.Context) error { return f.preErr }

func (f *fakeSource) Watch(ctx context.Context, after Token, fn func(Change) error) error {
	f.afters = append(f.afters, string(after))
	if len(f.runs) == 0 {
		close(f.idle)
		<-ctx.Done()
		return ctx.Err()
	}
	r := f.runs[0]
	f.runs = f.runs[1:]
	for _, c := range r.changes {
		if err := fn(c); err != nil {
			return err
		}
	}
	return r.err
}

var errNetwork = errors.New("connection reset")

// TestResume: a failed stream resumes from the last token it reached; one
// that lost its place starts again from now; Close stops a waiting stream.
func TestResume(t *testing.T) {
	src := &fakeSource{writer: "me", preErr: errors.New("not allowed"), idle: make(chan struct{}), runs: []run{
		{changes: []Change{{Token: Token("t0")}, {Token: Token("t1"), Insert: true, After: prof("p", 1, "a"), Writer: "B"}}, err: errNetwork},
		{changes: []Change{{Token: Token("t2")}}, err: errNetwork}, // opened, no change, token moved
		{err: errNetwork}, // could not open
		{err: ErrTokenLost},
		{changes: []Change{{Token: Token("t9")}, {Token: Token("t10"), After: prof("p", 2, "b"), Writer: "B", Reason: "event"}}, err: errNetwork},
	}}
	r, rec := newTestRelay(src)
	r.Start(context.Background())
	<-src.idle
	r.Close()
	if want := []string{"", "t1", "t2", "t2", "", "t10"}; !slices.Equal(src.afters, want) {
		t.Errorf("Watch resumed from %q, want %q", src.afters, want)
	}
	if want := []string{"stored p []->[a]", "stored p [a]->[b]", "changed p event"}; !slices.Equal(rec.got, want) {
		t.Errorf("published %q, want %q", rec.got, want)
	}
}

// TestUnsupported: on a MongoDB without change streams the relay stops for
// good, and Start and Close return.
func TestUnsupported(t *testing.T) {
	src := &fakeSource{runs: []run{{err: ErrUnsupported}}, idle: make(chan struct{})}
	r, _ := newTestRelay(src)
	r.Start(context.Background())
	r.Close()
	if len(src.afters) != 1 {
		t.Errorf("Watch called %d times, want once", len(src.afters))
	}
}

// TestCloseUnstarted: Close of a relay never started returns.
func TestCloseUnstarted(t *testing.T) {
	r, _ := newTestRelay(&fakeSource{})
	r.Close()
}
