package relay

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/cenkalti/backoff/v5"

	"github.com/cdp-dev/cdp/internal/profile"
)

// recorder records what the relay publishes, one line per hook call.
type recorder struct{ got []string }

func (r *recorder) stored(_ context.Context, p *profile.Profile, before []string) {
	r.got = append(r.got, fmt.Sprintf("stored %s %v->%v", p.ID, before, p.Segments))
}

func (r *recorder) changed(_ context.Context, p *profile.Profile, reason string) {
	r.got = append(r.got, fmt.Sprintf("changed %s %s", p.ID, reason))
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestRelay(src Source) (*Relay, *recorder) {
	rec := &recorder{}
	return New(Deps{Source: src, Stored: rec.stored, Changed: rec.changed, Logger: quiet(), Pace: &backoff.ZeroBackOff{}}), rec
}

func prof(id string, version int64, segs ...string) *profile.Profile {
	return &profile.Profile{ID: id, Workspace: "acme", Version: version, Segments: segs}
}

// TestHandle checks what one change publishes, after the changes the
// relay saw before it.
func TestHandle(t *testing.T) {
	tests := []struct {
		name  string
		prior []Change // seen first; what they publish is not checked
		c     Change
		want  []string
	}{
		{"own write", nil, Change{Insert: true, After: prof("p", 1, "a"), Writer: "me", Reason: "created"}, nil},
		{"insert", nil, Change{Insert: true, After: prof("p", 1, "a", "b"), Writer: "B", Reason: "created"},
			[]string{"stored p []->[a b]", "changed p created"}},
		{"pre-image", nil, Change{Before: prof("p", 3, "a", "b"), After: prof("p", 4, "b", "c"), Writer: "B", Reason: "event"},
			[]string{"stored p [a b]->[b c]", "changed p event"}},
		{"bulk write tells no profile change", nil, Change{Before: prof("p", 3, "a"), After: prof("p", 4), Writer: "B"},
			[]string{"stored p [a]->[]"}},
		{"previous version seen, own write", []Change{{Insert: true, After: prof("p", 1, "a"), Writer: "me"}},
			Change{After: prof("p", 2), Writer: "B", Reason: "identify"}, []string{"stored p [a]->[]", "changed p identify"}},
		{"previous version seen, other write", []Change{{Insert: true, After: prof("p", 1, "a"), Writer: "C"}},
			Change{After: prof("p", 2, "a", "b"), Writer: "B"}, []string{"stored p [a]->[a b]"}},
		{"previous version unknown", []Change{{Insert: true, After: prof("p", 1, "a"), Writer: "me"}},
			Change{After: prof("p", 3), Writer: "B", Reason: "event"}, []string{"changed p event"}},
		{"delete", nil, Change{Before: prof("p", 5, "a")}, []string{"stored p [a]->[]"}},
		{"delete of a profile never seen", nil, Change{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rec := newTestRelay(&fakeSource{writer: "me"})
			for _, c := range tt.prior {
				r.handle(context.Background(), c)
			}
			rec.got = nil
			if tt.c.Before != nil || tt.c.After != nil {
				r.handle(context.Background(), tt.c)
			}
			if !slices.Equal(rec.got, tt.want) {
				t.Errorf("got %q, want %q", rec.got, tt.want)
			}
		})
	}
}

// TestRemembersAcrossProfiles: the memory of a profile's segments is per
// profile and per workspace.
func TestRemembersAcrossProfiles(t *testing.T) {
	r, rec := newTestRelay(&fakeSource{writer: "me"})
	other := prof("p", 1, "z")
	other.Workspace = "globex"
	for _, c := range []Change{
		{Insert: true, After: prof("p", 1, "a"), Writer: "me"},
		{Insert: true, After: prof("q", 1, "b"), Writer: "me"},
		{Insert: true, After: other, Writer: "me"},
		{After: prof("p", 2, "c"), Writer: "B"},
	} {
		r.handle(context.Background(), c)
	}
	if want := []string{"stored p [a]->[c]"}; !slices.Equal(rec.got, want) {
		t.Errorf("got %q, want %q", rec.got, want)
	}
}
