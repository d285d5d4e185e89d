package profile

import (
	"hash/fnv"
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
