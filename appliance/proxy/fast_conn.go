package proxy

import (
	"crypto/tls"
	"net"
	"sync/atomic"
	"time"
)

// engineConn is one client connection the Engine serves.
type engineConn struct {
	e    *Engine
	c    net.Conn             // the accepted connection (Shutdown closes it)
	conn net.Conn             // what requests are read from: c, or the TLS over it
	tls  *tls.ConnectionState // nil for plain HTTP
	idle atomic.Bool          // waiting for a request (Shutdown closes it)
}

func newEngineConn(e *Engine, c net.Conn) *engineConn {
	return &engineConn{e: e, c: c, conn: c}
}

// serve runs the connection to its end (or hands it off).
func (ec *engineConn) serve() {
	defer ec.e.untrack(ec)
	if cfg := ec.e.conf.TLS; cfg != nil {
		tc := tls.Server(ec.c, cfg)
		if d := ec.e.conf.ReadHeaderTimeout; d > 0 {
			_ = tc.SetDeadline(time.Now().Add(d))
		}
		if err := tc.Handshake(); err != nil {
			tc.Close()
			return
		}
		_ = tc.SetDeadline(time.Time{})
		st := tc.ConnectionState()
		switch st.NegotiatedProtocol {
		case "", "http/1.1":
		case "acme-tls/1": // the handshake answered the TLS-ALPN challenge
			tc.Close()
			return
		default: // h2 and anything else: the standard server, as it is
			ec.e.hand.handoff(tc)
			return
		}
		ec.conn, ec.tls = tc, &st
	}
	ec.handoff(nil)
}

// handoff gives the connection to the standard server with buffered (the
// bytes already read) replayed first.
func (ec *engineConn) handoff(buffered []byte) {
	ec.e.hand.handoff(&replayConn{Conn: ec.conn, buf: buffered, tls: ec.tls})
}
