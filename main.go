// Command cdp is a headless Customer Data Platform: one profile per real
// customer across every channel, served as a GraphQL API over MongoDB.
//
// Usage:
//
//	cdp [serve]      start the API (the default)
//	cdp token ...    print a signed token (cdp token -h)
//	cdp bench ...    measure throughput and latency (cdp bench -h)
package main

import (
	"os"

	"github.com/cdp-dev/cdp/internal/cli"
)

func main() { os.Exit(cli.Main()) }
