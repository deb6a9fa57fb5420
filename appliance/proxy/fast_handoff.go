package proxy

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
)

// handoffListener is the net.Listener the standard http.Server serves for
// an Engine: Accept returns the connections the engine hands over.
type handoffListener struct {
	ch   chan net.Conn
	done chan struct{} // closed by Close
	once sync.Once
	addr net.Addr // the engine's listener's, set before the server starts
}

func newHandoffListener() *handoffListener {
	return &handoffListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener; connections handed over after it are
// closed.
func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr implements net.Listener.
func (l *handoffListener) Addr() net.Addr {
	if l.addr == nil {
		return &net.TCPAddr{}
	}
	return l.addr
}

// handoff gives c to the standard server, which then owns it to its end;
// false (c closed) when the server no longer accepts.
func (l *handoffListener) handoff(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		c.Close()
		return false
	}
}

// replayConn is a connection handed off mid-stream: Read returns the bytes
// the engine already read before reading the connection again. tls is the
// TLS state of a TLS connection (net/http sets r.TLS only for a
// *tls.Conn; handoffContext and restoreTLS carry it).
type replayConn struct {
	net.Conn
	buf []byte
	tls *tls.ConnectionState
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.buf) > 0 {
		n := copy(p, c.buf)
		c.buf = c.buf[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// tlsStateKey is the context key of a handed-off connection's TLS state.
type tlsStateKey struct{}

// handoffContext is the standard server's ConnContext: it puts a replayed
// TLS connection's state in the connection's context.
func handoffContext(ctx context.Context, c net.Conn) context.Context {
	if rc, ok := c.(*replayConn); ok && rc.tls != nil {
		return context.WithValue(ctx, tlsStateKey{}, rc.tls)
	}
	return ctx
}

// restoreTLS sets r.TLS on requests of a replayed TLS connection, so SNI
// checks and X-Forwarded-Proto see HTTPS.
type restoreTLS struct{ next http.Handler }

func (h restoreTLS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.TLS == nil {
		if cs, ok := r.Context().Value(tlsStateKey{}).(*tls.ConnectionState); ok {
			r.TLS = cs
		}
	}
	h.next.ServeHTTP(w, r)
}
