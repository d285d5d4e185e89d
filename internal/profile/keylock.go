package profile

import (
	"hash/fnv"
	"slices"
	"sync"
)

// keyLocks serializes work on the same key within the process. Keys share
// one of a fixed number of mutexes, so memory stays bounded; callers never
// hold one while taking another.
type keyLocks [512]sync.Mutex

// lock takes the key's mutex and returns its release.
func (k *keyLocks) lock(key string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	m := &k[h.Sum32()%uint32(len(k))]
	m.Lock()
	return m.Unlock
}

// lockAll takes the mutexes of the keys in a fixed order (each once), so
// two callers never wait on each other in a cycle, and returns their
// release. Single-key holders never take a second one, so they cannot
// close a cycle either.
func (k *keyLocks) lockAll(keys []string) func() {
	idx := make([]int, 0, len(keys))
	for _, key := range keys {
		h := fnv.New32a()
		_, _ = h.Write([]byte(key))
		idx = append(idx, int(h.Sum32()%uint32(len(k))))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		k[i].Lock()
	}
	return func() {
		for _, i := range idx {
			k[i].Unlock()
		}
	}
}
