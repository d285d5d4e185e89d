package pubsub_test

import (
	"context"
	"fmt"

	"github.com/cdp-dev/cdp/internal/pubsub"
)

func ExampleBus() {
	bus := pubsub.New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, _ := bus.Subscribe(ctx, "profiles/acme")
	bus.Publish("profiles/acme", "p1 changed")
	bus.Publish("profiles/other", "not delivered")
	fmt.Println(<-ch)
	bus.Close()
	_, open := <-ch
	fmt.Println(open)
	// Output:
	// p1 changed
	// false
}
