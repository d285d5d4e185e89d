package server

import (
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
	"github.com/cdp-dev/cdp/internal/errs"
)

// TestSSEReservationExpiresUnopened: a reservation no stream opens ends
// after openWait and frees its subject's place.
func TestSSEReservationExpiresUnopened(t *testing.T) {
	h := newSSEHub(1, 1)
	h.openWait = 0
	p := auth.Principal{Workspace: "acme", Subject: "s"}
	r, e := h.reserve(p)
	if e != nil {
		t.Fatal(e)
	}
	<-r.ctx.Done()
	if _, e := h.lookup(r.token, p); e == nil || e.Kind != errs.NotFound {
		t.Fatalf("lookup after expiry: %v, want NOT_FOUND", e)
	}
	if e := r.open(); e == nil || e.Kind != errs.NotFound {
		t.Fatalf("open after expiry: %v, want NOT_FOUND", e)
	}
	if _, e := h.reserve(p); e != nil {
		t.Fatalf("reserve after expiry: %v", e)
	}
}

// TestSSEHubShutdown: on close, an unopened reservation ends at once, an
// open one once its operations ended, and new ones are refused.
func TestSSEHubShutdown(t *testing.T) {
	h := newSSEHub(2, 1)
	p := auth.Principal{Workspace: "acme", Subject: "s"}
	idle, _ := h.reserve(p)
	open, _ := h.reserve(p)
	if e := open.open(); e != nil {
		t.Fatal(e)
	}
	if e := open.add("op", func() {}); e != nil {
		t.Fatal(e)
	}
	h.close()
	<-idle.ctx.Done()
	select {
	case <-open.drained:
		t.Fatal("drained while an operation runs")
	default:
	}
	if e := open.add("other", func() {}); e == nil || e.Kind != errs.Unavailable {
		t.Fatalf("add during shutdown: %v, want UNAVAILABLE", e)
	}
	open.done("op")
	<-open.drained
	if _, e := h.reserve(p); e == nil || e.Kind != errs.Unavailable {
		t.Fatalf("reserve after close: %v, want UNAVAILABLE", e)
	}
	if open.ctx.Err() != nil {
		t.Fatal("the open reservation ended before its stream wrote the last events")
	}
}
