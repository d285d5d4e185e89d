package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/cdp-dev/cdp/internal/profile"
	"github.com/cdp-dev/cdp/internal/store"
)

// Heartbeats let replicas sharing a MongoDB tell a live lease holder from a
// dead one: each beats every beatEvery, and one silent for beatLost has died.
const (
	beatEvery = 5 * time.Second
	beatLost  = 15 * time.Second
)

// newInstance names this process in the leases it takes.
func newInstance() string { return fmt.Sprintf("%d-%s", os.Getpid(), newID()) }

// liveness returns how the profile service learns whether another instance
// still runs, and starts this instance's heartbeat until ctx ends. The
// embedded store belongs to one process and needs neither.
func liveness(ctx context.Context, st *store.Store, instance string, log *slog.Logger) (profile.Liveness, error) {
	if st.Private() {
		return nil, nil
	}
	if err := st.Beat(ctx, instance); err != nil {
		return nil, err
	}
	go func() {
		t := time.NewTicker(beatEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := st.Beat(ctx, instance); err != nil && ctx.Err() == nil {
					log.WarnContext(ctx, "heartbeat", "err", err)
				}
			}
		}
	}()
	return func(ctx context.Context, other string) (bool, error) { return st.Alive(ctx, other, beatLost) }, nil
}
