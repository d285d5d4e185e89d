package profile_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/server/servertest"
)

func TestMain(m *testing.M) { servertest.Main(m) }

// TestLeaseOfADeadReplicaIsFinishedAtOnce: on a store several processes
// share, a lease whose owner stopped beating is finished by the next write
// instead of being waited out, and one of a live owner is waited for.
func TestLeaseOfADeadReplicaIsFinishedAtOnce(t *testing.T) {
	st := servertest.Store(t)
	ctx := context.Background()
	if err := st.Beat(ctx, "alive"); err != nil {
		t.Fatal(err)
	}
	live := func(ctx context.Context, instance string) (bool, error) { return st.Alive(ctx, instance, time.Minute) }
	svc := profile.NewService(profile.Deps{Store: st.Profiles(), Purgers: st.Purgers(), Instance: "me", Live: live})
	for _, owner := range []string{"dead", "alive"} {
		id := "p-" + owner
		if _, err := svc.Write(ctx, "acme", id, profile.Write{Create: true, Op: "op-" + owner}, func(p *profile.Profile) error {
			p.Lock = &profile.Lock{Op: "op-" + owner, Until: time.Now().Add(time.Hour), Owner: owner}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Update(ctx, "acme", id, false, "", func(p *profile.Profile) error { return nil })
		if owner == "dead" && err != nil {
			t.Errorf("a write behind a dead replica's lease: %v", err)
		}
		if owner == "alive" && !errors.Is(err, profile.ErrBusy) {
			t.Errorf("a write behind a live replica's lease: %v, want ErrBusy", err)
		}
	}
}
