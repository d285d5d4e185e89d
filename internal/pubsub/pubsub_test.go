package pubsub_test

import (
	"context"
	"testing"

	"github.com/cdp-dev/cdp/internal/pubsub"
)

func TestSlowSubscriberIsDropped(t *testing.T) {
	bus := pubsub.New()
	ch, err := bus.Subscribe(context.Background(), "t")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= pubsub.Buffer; i++ {
		bus.Publish("t", i) // must never block
	}
	n := 0
	for range ch {
		n++
	}
	if n != pubsub.Buffer {
		t.Fatalf("got %d buffered messages before close, want %d", n, pubsub.Buffer)
	}
}

func TestCancelUnsubscribes(t *testing.T) {
	bus := pubsub.New()
	ctx, cancel := context.WithCancel(context.Background())
	ch, _ := bus.Subscribe(ctx, "t")
	cancel()
	for range ch {
	}
	bus.Publish("t", 1) // no panic on a dropped subscriber
	bus.Close()
	if _, err := bus.Subscribe(context.Background(), "t"); err == nil {
		t.Fatal("subscribe after close succeeded")
	}
}
