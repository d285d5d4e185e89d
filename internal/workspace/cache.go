package workspace

import (
	"sync"
	"time"

	"github.com/cdp-dev/cdp/internal/auth"
)

// cacheTTL is how long settings read from the store are reused. A change
// made through this process is seen at once; one made by another replica
// within cacheTTL.
const cacheTTL = 2 * time.Second

// cache keeps recently read settings; every identify and event reads them.
type cache struct {
	mu      sync.Mutex
	entries map[auth.Workspace]cached
}

type cached struct {
	settings Settings
	found    bool
	at       time.Time
}

func (c *cache) get(ws auth.Workspace, now time.Time) (Settings, bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[ws]
	if !ok || now.Sub(e.at) > cacheTTL || now.Before(e.at) {
		return Settings{}, false, false
	}
	return e.settings, e.found, true
}

func (c *cache) put(ws auth.Workspace, s Settings, found bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) > 10000 {
		c.entries = map[auth.Workspace]cached{}
	}
	c.entries[ws] = cached{settings: s, found: found, at: now}
}

func (c *cache) forget(ws auth.Workspace) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, ws)
}
