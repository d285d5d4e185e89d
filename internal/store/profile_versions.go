package store

import (
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/cdp-dev/cdp/internal/profile"
)

// The embedded store belongs to this process (its directory is locked), and
// every write of a profile document goes through Profiles.Insert and
// Profiles.Replace under the document's lock. So the version this process
// last wrote is the stored version, and a compare-and-swap can check it
// without reading the document back: one round trip per profile write
// instead of two. Any new code that writes profile documents another way
// must forget the version it changes.

// maxVersions bounds the remembered versions (about 100 bytes each).
const maxVersions = 200_000

func newVersions() *lru.Cache[string, int64] {
	c, err := lru.New[string, int64](maxVersions)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return c
}

func (s *Store) versionKey(p *profile.Profile) string {
	return s.db.Name() + "/" + string(p.Workspace) + "/" + p.ID
}

// remember records the version of a profile this process just stored.
func (s *Store) remember(p *profile.Profile, version int64) {
	if s.versions != nil {
		s.versions.Add(s.versionKey(p), version)
	}
}

// recall returns the stored version of a profile when this process knows it.
func (s *Store) recall(p *profile.Profile) (int64, bool) {
	if s.versions == nil {
		return 0, false
	}
	return s.versions.Get(s.versionKey(p))
}

// forget drops what this process knows of a profile's version.
func (s *Store) forget(p *profile.Profile) {
	if s.versions != nil {
		s.versions.Remove(s.versionKey(p))
	}
}
