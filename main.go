// Command cdp is a headless Customer Data Platform: one profile per real
// customer across every channel, served as a GraphQL API over MongoDB.
//
// Usage:
//
//	cdp [serve]      start the API (the default; cdp serve -h lists its settings)
//	cdp token ...    print a signed token (cdp token -h)
//	cdp import ...   upload an NDJSON file to a running server's bulk import (cdp import -h)
//	cdp bench ...    measure throughput and latency (cdp bench -h)
//	cdp help         print every command and flag
//
// It exits 0 on success, 1 when a command fails, and 2 when the command
// line is wrong.
package main

import (
	"os"

	"github.com/cdp-dev/cdp/internal/cli"
)

func main() { os.Exit(cli.Main()) }
