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
}

// upPool is a backend's LIFO pool of idle connections: the most recently
// used connection is the warmest and the least likely to have been
// closed by the backend.
type upPool struct {
	addr string
	mu   sync.Mutex // guards idle and closed
	idle []*upConn
	max  *atomic.Int64 // the upstream-idle-conns-per-host setting (shared)
	// closed is set when the backend left the table: connections given
	// back are closed.
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

// pools holds the upstream pools by backend ID, rebuilt when the table
// changes (a backend whose address is unchanged keeps its pool).
type pools struct {
	cur  atomic.Pointer[map[uint64]*upPool]
	mu   sync.Mutex // serialises set
	max  atomic.Int64
	dial atomic.Int64 // the server-wide dial timeout, nanoseconds
}

func newPools() *pools {
	p := &pools{}
	p.cur.Store(&map[uint64]*upPool{})
	p.max.Store(64)
	return p
}

// set makes the pools match ups.
func (ps *pools) set(ups []*balance.Upstream) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	old := *ps.cur.Load()
	next := make(map[uint64]*upPool, len(ups))
	for _, u := range ups {
		if u.URL.Scheme != "http" {
			continue // https backends stay on the standard transport
		}
		if p, ok := old[u.ID]; ok && p.addr == hostPort(u) {
			next[u.ID] = p
			continue
		}
		next[u.ID] = &upPool{addr: hostPort(u), max: &ps.max}
	}
	ps.cur.Store(&next)
	for id, p := range old {
		if next[id] != p {
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

// pool is u's pool; nil when u is not in the table (any more).
func (ps *pools) pool(u *balance.Upstream) *upPool {
	p := (*ps.cur.Load())[u.ID]
	if p == nil || p.addr != hostPort(u) {
		return nil
	}
	return p
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
