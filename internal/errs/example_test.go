package errs_test

import (
	"fmt"

	"github.com/cdp-dev/cdp/internal/errs"
)

func ExampleKindOf() {
	notFound := errs.New(errs.NotFound, "profile not found")
	err := fmt.Errorf("load profile p1: %w", notFound)
	fmt.Println(errs.KindOf(err).Code())
	fmt.Println(errs.KindOf(fmt.Errorf("driver exploded")).Code())
	// Output:
	// NOT_FOUND
	// INTERNAL
}
