package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/cdp-dev/cdp/internal/errs"
)

func TestUnavailableClassifiesDriverOutages(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want errs.Kind
	}{
		{"server selection", topology.ServerSelectionError{Wrapped: errors.New("server selection timeout")}, errs.Unavailable},
		{"connection lost", topology.ConnectionError{Wrapped: io.EOF}, errs.Unavailable},
		{"network label", mongo.CommandError{Labels: []string{"NetworkError"}}, errs.Unavailable},
		{"client closed", mongo.ErrClientDisconnected, errs.Unavailable},
		{"store op deadline", fmt.Errorf("find: %w", context.DeadlineExceeded), errs.Unavailable},
		{"wrapped by the domain", fmt.Errorf("load profile p1: %w", topology.ServerSelectionError{}), errs.Unavailable},
		{"canceled is no outage", fmt.Errorf("find: %w", context.Canceled), errs.Internal},
		{"duplicate key", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000}}}, errs.Internal},
		{"other", errors.New("boom"), errs.Internal},
		{"already classified", errs.New(errs.Conflict, "taken"), errs.Conflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errs.KindOf(tc.err); got != tc.want {
				t.Fatalf("KindOf = %v, want %v", got, tc.want)
			}
			if e, ok := errs.As(tc.err); tc.want == errs.Unavailable && (!ok || e.RetryAfter <= 0 || e.Err == nil) {
				t.Fatalf("As = %+v, %v; want UNAVAILABLE with retryAfter wrapping the cause", e, ok)
			}
			if ae := errs.AtIndex(tc.err, 3); ae.Kind != tc.want || ae.Index != 3 {
				t.Fatalf("AtIndex = %+v", ae)
			}
		})
	}
}
