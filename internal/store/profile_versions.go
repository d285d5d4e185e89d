package store

import (
	lru "github.com/hashicorp/golang-lru/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cdp-dev/cdp/internal/auth"

	"github.com/cdp-dev/cdp/internal/profile"
)

// The embedded store belongs to this process (its directory is locked), and
// every write of a profile document goes through Profiles.Insert,
// Profiles.Replace and their bulk forms under the document's lock. So the
// version this process last wrote is the stored version, and a
// compare-and-swap can check it without reading the document back: one
// round trip per profile write instead of two. The document itself, as
// last written, is kept too for the most recently written profiles, so
// that the fold (which writes a profile it wrote a moment ago) and other
// writers read it without a round trip. Any new code that writes profile
// documents another way must forget what it changes.

// maxVersions bounds the remembered versions (about 100 bytes each).
const maxVersions = 200_000

// maxDocs bounds the remembered documents (a few KiB each).
const maxDocs = 5_000

// known is what this process remembers of the profiles it wrote.
type known struct {
	versions *lru.Cache[string, int64]
	docs     *lru.Cache[string, bson.Raw]
}

func newKnown() *known {
	v, err := lru.New[string, int64](maxVersions)
	if err != nil {
		panic(err) // only for a size below 1
	}
	d, err := lru.New[string, bson.Raw](maxDocs)
	if err != nil {
		panic(err)
	}
	return &known{versions: v, docs: d}
}

func (s *Store) knownKey(ws auth.Workspace, id string) string {
	return s.db.Name() + "/" + string(ws) + "/" + id
}

// remember records the version and document of a profile this process
// just stored.
func (s *Store) remember(p *profile.Profile, version int64, doc bson.Raw) {
	if s.known != nil {
		k := s.knownKey(p.Workspace, p.ID)
		s.known.versions.Add(k, version)
		s.known.docs.Add(k, doc)
	}
}

// recall returns the stored version of a profile when this process knows it.
func (s *Store) recall(p *profile.Profile) (int64, bool) {
	if s.known == nil {
		return 0, false
	}
	return s.known.versions.Get(s.knownKey(p.Workspace, p.ID))
}

// recallDoc returns the stored document of a profile when this process
// knows it.
func (s *Store) recallDoc(ws auth.Workspace, id string) (bson.Raw, bool) {
	if s.known == nil {
		return nil, false
	}
	return s.known.docs.Get(s.knownKey(ws, id))
}

// forget drops what this process knows of a profile.
func (s *Store) forget(p *profile.Profile) {
	if s.known != nil {
		k := s.knownKey(p.Workspace, p.ID)
		s.known.versions.Remove(k)
		s.known.docs.Remove(k)
	}
}
