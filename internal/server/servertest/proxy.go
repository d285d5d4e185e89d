package servertest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdp-dev/cdp/internal/store"
)

// Proxy forwards TCP connections to a store and can cut them, as a store
// that went down would: Cut closes every connection and refuses new ones
// (they are accepted and closed at once) until Restore.
type Proxy struct {
	ln     net.Listener
	target string // the embedded store's Unix socket
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]struct{}
}

// StoreBehindProxy starts an embedded store of its own, and opens it over
// TCP through a Proxy, with MONGODB_URI semantics: the real driver path a
// remote MongoDB takes. selectTimeout is the store's SelectTimeout.
func StoreBehindProxy(t testing.TB, selectTimeout time.Duration) (*store.Store, *Proxy) {
	t.Helper()
	e, err := store.StartEmbedded(context.Background(), t.TempDir(), Quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	sock, err := url.QueryUnescape(strings.TrimSuffix(strings.TrimPrefix(e.URI(), "mongodb://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: sock, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.Cut() })
	uri := fmt.Sprintf("mongodb://%s/?directConnection=true", ln.Addr())
	st, err := store.Open(context.Background(), store.Options{URI: uri, Database: DBName(t), SelectTimeout: selectTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	return st, p
}

// Cut closes every proxied connection and refuses new ones.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

// forward pipes one client connection to the store while the proxy is not
// cut.
func (p *Proxy) forward(c net.Conn) {
	u, err := net.Dial("unix", p.target)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, u) {
		c.Close()
		u.Close()
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(u, c)
	go pipe(c, u)
	<-done
	c.Close()
	u.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, u)
	p.mu.Unlock()
}

// track registers the connections unless the proxy is cut.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}
