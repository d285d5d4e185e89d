package workspace

import (
	"fmt"
	"testing"

	"github.com/cdp-dev/cdp/internal/auth"
)

func TestCacheKeepsForgetsAndBounds(t *testing.T) {
	c := newCache()
	if _, _, hit := c.get("w1"); hit {
		t.Fatal("hit in an empty cache")
	}
	c.put("w1", Settings{DefaultRegion: "TH"}, true)
	c.put("w2", Settings{}, false)
	if s, found, hit := c.get("w1"); !hit || !found || s.DefaultRegion != "TH" {
		t.Fatalf("w1 = %+v, %v, %v", s, found, hit)
	}
	if _, found, hit := c.get("w2"); !hit || found {
		t.Fatalf("w2: found %v, hit %v; want a cached absence", found, hit)
	}
	c.forget("w1")
	if _, _, hit := c.get("w1"); hit {
		t.Fatal("forgotten settings are still cached")
	}
	for i := range cacheSize + 10 {
		c.put(auth.Workspace(fmt.Sprint("w", i)), Settings{}, true)
	}
	if n := c.lru.Len(); n > cacheSize {
		t.Fatalf("cache holds %d workspaces, more than %d", n, cacheSize)
	}
}
