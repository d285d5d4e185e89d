package identity

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/cdp-dev/cdp/internal/auth"
)

// ownerCache remembers which profile holds a set of identifiers, for the
// acknowledgement of events, when the store belongs to this process alone
// (the embedded store): every change that can move an identifier to another
// live profile (an unmerge, an erasure) happens here and bumps gen, which
// makes every earlier entry stale. A merge needs no bump: the absorbed id
// leads to the survivor. With a shared MongoDB another replica could move
// identifiers unseen, so there is no cache.
type ownerCache struct {
	lru *expirable.LRU[string, ownerEntry]
	gen atomic.Uint64
}

type ownerEntry struct {
	pid string
	gen uint64
}

// ownerCacheSize and ownerCacheTTL bound the cache.
const (
	ownerCacheSize = 100000
	ownerCacheTTL  = time.Minute
)

func newOwnerCache() *ownerCache {
	return &ownerCache{lru: expirable.NewLRU[string, ownerEntry](ownerCacheSize, nil, ownerCacheTTL)}
}

func ownerKey(ws auth.Workspace, ids []Identifier) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	slices.Sort(parts)
	return string(ws) + "\x00" + strings.Join(parts, "\x00")
}

// Invalidate forgets every identifier set's holder: identifiers may have
// moved (an unmerge, an erasure). Safe on a nil cache.
func (c *ownerCache) invalidate() {
	if c != nil {
		c.gen.Add(1)
	}
}

// Owner returns the profile that holds every one of the identifiers
// (prepared), or "" when some are unclaimed or they are held by different
// profiles: then only Resolve can tell whose they are. It reads the index
// (or the process's cache of it), so the profile may have been merged
// meanwhile: its id then leads to the survivor.
func (s *Service) Owner(ctx context.Context, ws auth.Workspace, ids []Identifier) (string, error) {
	if len(ids) == 0 {
		return "", nil
	}
	var key string
	var gen uint64
	if s.owners != nil {
		key, gen = ownerKey(ws, ids), s.owners.gen.Load()
		if e, ok := s.owners.lru.Get(key); ok && e.gen == gen {
			return e.pid, nil
		}
	}
	found, err := s.index.Owners(ctx, ws, ids)
	if err != nil || len(found) != len(ids) {
		return "", err
	}
	owner := found[ids[0]]
	for _, pid := range found {
		if pid != owner {
			return "", nil
		}
	}
	if s.owners != nil {
		s.owners.lru.Add(key, ownerEntry{pid: owner, gen: gen})
	}
	return owner, nil
}

// generation returns the cache's generation, to be read before a
// resolution whose outcome is then kept with keep; 0 on a nil cache.
func (c *ownerCache) generation() uint64 {
	if c == nil {
		return 0
	}
	return c.gen.Load()
}

// keep records that pid holds every one of ids, as a resolution that began
// at generation gen found or made it: a customer identified or upserted
// just before sending events is then known when they arrive. Safe on a nil
// cache.
func (c *ownerCache) keep(ws auth.Workspace, ids []Identifier, pid string, gen uint64) {
	if c != nil && len(ids) > 0 && pid != "" {
		c.lru.Add(ownerKey(ws, ids), ownerEntry{pid: pid, gen: gen})
	}
}

// IdentifiersMoved tells the service that identifiers may have left their
// profiles outside it (an erasure): what it remembers of holders is
// forgotten.
func (s *Service) IdentifiersMoved() { s.owners.invalidate() }
