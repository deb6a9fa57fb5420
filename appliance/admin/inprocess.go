package admin

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
)

// errInProcessClosed: the server was shut down; in-process dials fail.
var errInProcessClosed = errors.New("the admin server is shut down")

// inProcess is the in-memory listener behind Dialer: each dial is one
// end of a net.Pipe, whose other end the admin server accepts with the
// dialer's identity already attached (so connContext gives every request
// on it that identity, as the socket's peer check does).
type inProcess struct {
	once  sync.Once     // makes the channels and starts Serve on the listener
	conns chan net.Conn // dialled server ends, waiting for Accept
	done  chan struct{} // closed by Close
	close sync.Once
}

// Accept implements net.Listener.
func (l *inProcess) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener; the server's Shutdown calls it.
func (l *inProcess) Close() error {
	l.close.Do(func() { close(l.done) })
	return nil
}

// Addr implements net.Listener.
func (l *inProcess) Addr() net.Addr { return pipeAddr{} }

// pipeAddr is the address of in-process connections.
type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "in-process" }

// Dialer returns a dial function for api.NewDialClient whose connections
// reach this server's routes in process, as id: the role checks,
// tenant scopes and audit actor are the ones every listener goes
// through. The SSH console gives each session's client SSHIdentity(key).
// The in-process listener is served from the first dial until Shutdown.
func (s *Server) Dialer(id Identity) func(ctx context.Context) (net.Conn, error) {
	return func(ctx context.Context) (net.Conn, error) {
		l := &s.inProc
		l.once.Do(func() {
			l.conns, l.done = make(chan net.Conn), make(chan struct{})
			go func() {
				if err := s.hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
					s.log.Warn("in-process admin listener stopped", "err", err)
				}
			}()
		})
		cli, srv := net.Pipe()
		select {
		case l.conns <- &credConn{Conn: srv, peer: peer{id: id}}:
			return cli, nil
		case <-l.done:
		case <-s.stopCtx.Done():
		case <-ctx.Done():
			cli.Close()
			srv.Close()
			return nil, ctx.Err()
		}
		cli.Close()
		srv.Close()
		return nil, errInProcessClosed
	}
}
