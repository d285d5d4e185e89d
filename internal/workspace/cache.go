package workspace

import (
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/cdp-dev/cdp/internal/auth"
)

// cacheTTL is how long settings read from the store are reused. A change
// made through this process is seen at once; one made by another replica
// within cacheTTL.
const cacheTTL = 2 * time.Second

// cacheSize bounds the workspaces whose settings are kept; the least
// recently used go first.
const cacheSize = 10000

// cache keeps recently read settings; every identify and event reads them.
// The expirable LRU runs one goroutine per cache that expires entries; it
// never ends, so a process keeps one cache per Service, built once.
type cache struct {
	lru *expirable.LRU[auth.Workspace, cached]
}

type cached struct {
	settings Settings
	found    bool
}

func newCache() cache {
	return cache{lru: expirable.NewLRU[auth.Workspace, cached](cacheSize, nil, cacheTTL)}
}

// get returns the cached settings, whether the store had any, and whether
// they were cached.
func (c cache) get(ws auth.Workspace) (Settings, bool, bool) {
	e, ok := c.lru.Get(ws)
	return e.settings, e.found, ok
}

func (c cache) put(ws auth.Workspace, s Settings, found bool) {
	c.lru.Add(ws, cached{settings: s, found: found})
}

func (c cache) forget(ws auth.Workspace) { c.lru.Remove(ws) }
