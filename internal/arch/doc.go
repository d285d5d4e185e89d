// Package arch holds no code: its test checks, from `go list`, that imports
// between the product's packages flow one way (transport -> domain -> store
// adapters), as DESIGN.md and the README's layout describe.
package arch
