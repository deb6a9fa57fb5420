package proxy

import (
	"bufio"
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/proxy/h1"
)

// upstreamBuf is the read buffer of an upstream connection: a response
// head must fit in it (else 502).
const upstreamBuf = 32 << 10

// upstreamIdleTimeout drops a pooled connection idle this long (as the
// standard transport's IdleConnTimeout), before the backend is likely to.
const upstreamIdleTimeout = 90 * time.Second

// upConn is one connection to a backend, with its read buffer and the
// parser state of its responses.
type upConn struct {
	c      net.Conn
	br     *bufio.Reader
	resp   h1.Response
	cr     h1.ChunkedReader
	last   time.Time // when it went idle
	reused bool      // it served a request before this one
	wdl    bool      // a write deadline is set on c
}

// upPool is a backend address's LIFO pool of idle connections: the most recently
// used connection is the warmest and the least likely to have been
// closed by the backend.
type upPool struct {
	addr string
	mu   sync.Mutex // guards idle and closed
	idle []*upConn
	max  *atomic.Int64 // the upstream-idle-conns-per-host setting (shared)
	// closed is set when no backend of the table has the address any
	// more: connections given back are closed.
	closed bool
}

// get returns an idle connection, or nil.
func (p *upPool) get(now time.Time) *upConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	for n := len(p.idle); n > 0; n = len(p.idle) {
		uc := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		if now.Sub(uc.last) < upstreamIdleTimeout {
			uc.reused = true
			return uc
		}
		uc.c.Close()
	}
	return nil
}

// put gives uc back, or closes it when the pool is full or gone.
func (p *upPool) put(uc *upConn, now time.Time) {
	p.mu.Lock()
	if p.closed || int64(len(p.idle)) >= p.max.Load() {
		p.mu.Unlock()
		uc.c.Close()
		return
	}
	uc.last = now
	p.idle = append(p.idle, uc)
	p.mu.Unlock()
}

// close closes the idle connections; later puts close theirs.
func (p *upPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, uc := range idle {
		uc.c.Close()
	}
}

// pools holds the upstream pools by backend address (host:port), rebuilt
// when the table changes. Backends of different tenants (or pools) that
// name the same address share one pool, as the standard transport shares
// its idle connections by address: with many tenants over a few backend
// servers, per-backend pools would split the warm connections into many
// small pools and dial far more often. An address that no backend names
// any more has its pool closed.
type pools struct {
	cur  atomic.Pointer[map[string]*upPool]
	mu   sync.Mutex // serialises set
	max  atomic.Int64
	dial atomic.Int64 // the server-wide dial timeout, nanoseconds
}

func newPools() *pools {
	p := &pools{}
	p.cur.Store(&map[string]*upPool{})
	p.max.Store(64)
	return p
}

// set makes the pools match ups.
func (ps *pools) set(ups []*balance.Upstream) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	old := *ps.cur.Load()
	next := make(map[string]*upPool, len(old))
	for _, u := range ups {
		if u.URL.Scheme != "http" {
			continue // https backends stay on the standard transport
		}
		addr := hostPort(u)
		if _, ok := next[addr]; ok {
			continue
		}
		if p, ok := old[addr]; ok {
			next[addr] = p
			continue
		}
		next[addr] = &upPool{addr: addr, max: &ps.max}
	}
	ps.cur.Store(&next)
	for addr, p := range old {
		if next[addr] != p {
			p.close()
		}
	}
}

// closeAll closes every idle connection.
func (ps *pools) closeAll() {
	for _, p := range *ps.cur.Load() {
		p.mu.Lock()
		idle := p.idle
		p.idle = nil
		p.mu.Unlock()
		for _, uc := range idle {
			uc.c.Close()
		}
	}
}

// pool is the pool of u's address; nil when no backend of the table in
// service has that address (u left the table).
func (ps *pools) pool(u *balance.Upstream) *upPool {
	return (*ps.cur.Load())[hostPort(u)]
}

// hostPort is the address to dial for u: its host, with port 80 when
// the URL names none.
func hostPort(u *balance.Upstream) string {
	if u.URL.Port() != "" {
		return u.URL.Host
	}
	return net.JoinHostPort(u.URL.Hostname(), "80")
}

// dial opens a new connection to addr within timeout (0: none) and ctx.
func dial(ctx context.Context, addr string, timeout time.Duration) (*upConn, error) {
	d := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &upConn{c: c, br: bufio.NewReaderSize(c, upstreamBuf)}, nil
}
