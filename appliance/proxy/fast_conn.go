package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/appliance/proxy/h1"
)

// Read buffer sizes of an engine connection: it starts at initialBuf and
// grows (doubling) only while a head needs it, up to the max-header-bytes
// setting.
const initialBuf = 16 << 10

// maxDiscard is how much of a request body the handler left unread the
// engine reads and drops to keep the connection; more and it closes.
const maxDiscard = 256 << 10

// engineConn is one client connection the Engine serves. Everything in it
// is reused from one request to the next.
type engineConn struct {
	e    *Engine
	c    net.Conn             // the accepted connection (Shutdown closes it)
	conn net.Conn             // what requests are read from: c, or the TLS over it
	tls  *tls.ConnectionState // nil for plain HTTP
	idle atomic.Bool          // waiting for a request (Shutdown wakes it)

	buf        []byte // read buffer; buf[start:end] is read and not yet used
	start, end int
	lim        h1.Limits
	req        h1.Request
	hr         *http.Request // reused: its context is the connection's
	tmpl       *http.Request // an empty request with the connection's context
	reqHdr     http.Header   // hr's header map, cleared per request
	vals       []string      // the backing array of reqHdr's value slices
	br         *bufio.Reader // under a chunked body; made on first use
	url        urlHolder
	w          engineWriter
	remote     string
	cancel     context.CancelFunc
	closeAfter bool  // the connection ends after this request
	rawIn      int64 // bytes read through br (for the chunked overhead bound)
	// The fast forwarder's buffers (fast_forward.go): the upstream
	// request head, body copies, the backend's header lines.
	upOut    []byte
	scratch  []byte
	upFields []h1.Field
	strs     connStrings // the requests' strings (fast_strings.go)
	rdl      time.Time   // the read deadline last set on conn (setReadDeadline)
	out      outcome     // the forward step's outcome, reused per attempt
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
	if !ec.loop() {
		ec.conn.Close()
	}
	if ec.cancel != nil {
		ec.cancel()
	}
}

// setup prepares the per-connection state once the connection is known
// to carry HTTP/1.1.
func (ec *engineConn) setup() {
	c := &ec.e.conf
	ec.lim = h1.Limits{MaxHeadBytes: c.MaxHeaderBytes, MaxHeaders: c.MaxHeaderCount, MaxURIBytes: c.MaxURIBytes}
	ec.buf = make([]byte, initialBuf)
	ec.remote = ec.c.RemoteAddr().String()
	ctx := context.WithValue(context.Background(), http.ServerContextKey, ec.e.std)
	ctx = context.WithValue(ctx, http.LocalAddrContextKey, ec.c.LocalAddr())
	ctx, ec.cancel = context.WithCancel(ctx)
	ec.tmpl = (&http.Request{}).WithContext(ctx)
	ec.hr = new(http.Request)
	ec.reqHdr = make(http.Header, 16)
	ec.w.ec = ec
	ec.w.hdr = make(http.Header, 16)
	ec.upOut = make([]byte, 0, 4096)
	ec.scratch = make([]byte, smallBody)
}

// loop serves requests until the connection ends: false when the caller
// closes it, true when it was handed off.
func (ec *engineConn) loop() bool {
	ec.setup()
	for {
		if ec.e.stopped.Load() {
			return false
		}
		err := ec.readHead()
		if err != nil {
			var he *h1.Error
			if errors.As(err, &he) {
				ec.refuse(he)
			}
			return false
		}
		if ec.handsOff() {
			ec.handoff(ec.buf[ec.start:ec.end])
			return true
		}
		if !ec.serveOne() {
			return false
		}
	}
}

// handsOff reports whether the parsed request goes to the standard
// server: anything the engine does not do itself.
func (ec *engineConn) handsOff() bool {
	r := &ec.req
	if r.Upgrade || r.Expect || r.Minor == 0 || len(r.Target) == 0 || r.Target[0] != '/' {
		return true // upgrades, 100-continue, HTTP/1.0, CONNECT, OPTIONS *, absolute-form
	}
	return false
}

// readHead reads until buf[start:end] begins with a whole request head
// and parses it into ec.req. The wait for a request's first byte is
// bounded by the idle timeout, the rest of the head by the read-header
// timeout.
func (ec *engineConn) readHead() error {
	headTimer := false
	for {
		if ec.end > ec.start {
			err := h1.ParseRequest(ec.buf[ec.start:ec.end], ec.lim, &ec.req)
			if err != h1.ErrIncomplete {
				return err
			}
		}
		if ec.end == len(ec.buf) {
			if !ec.makeRoom() {
				return &h1.Error{Status: http.StatusRequestHeaderFieldsTooLarge, Reason: "request head larger than the read buffer"}
			}
		}
		if ec.end == ec.start {
			ec.start, ec.end = 0, 0
			ec.idle.Store(true)
			if ec.e.stopped.Load() {
				return net.ErrClosed
			}
			ec.idleDeadline()
		} else if !headTimer {
			// A head in several reads: the read-header timeout from now
			// (a head that came whole in one read never needs it).
			headTimer = true
			ec.setReadDeadline(deadline(ec.e.conf.ReadHeaderTimeout))
		}
		n, err := ec.conn.Read(ec.buf[ec.end:])
		ec.idle.Store(false)
		ec.end += n
		if err != nil && n == 0 {
			return err
		}
	}
}

// setReadDeadline sets the connection's read deadline and remembers it.
// Every read deadline of the connection goes through it (the engine's
// wake-up on stop excepted: see idleDeadline).
func (ec *engineConn) setReadDeadline(t time.Time) {
	ec.rdl = t
	_ = ec.conn.SetReadDeadline(t)
}

// idleDeadline bounds the wait for the next request by the idle timeout,
// coarsely: a deadline already set less than idleSlack before the exact
// one is kept, so back-to-back keep-alive requests do not reset a timer
// each (issue 9: deadlines refreshed coarsely rather than per read). The
// engine's wake-up on stop (pokeIdle) sets a deadline of now behind
// setReadDeadline's back; keeping it is what stop wants.
func (ec *engineConn) idleDeadline() {
	d := ec.e.conf.IdleTimeout
	if d <= 0 {
		if !ec.rdl.IsZero() {
			ec.setReadDeadline(time.Time{})
		}
		return
	}
	want := time.Now().Add(d)
	if !ec.rdl.IsZero() && !want.Before(ec.rdl) && want.Sub(ec.rdl) < min(d/16, idleSlack) {
		return
	}
	ec.setReadDeadline(want)
}

// idleSlack is how much earlier than its idle timeout a connection may be
// closed, at most (a sixteenth of the timeout when that is less).
const idleSlack = time.Second

// deadline is now+d, or no deadline for d 0.
func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// makeRoom moves the unread bytes to the front of buf, or grows buf up to
// the head limit; false when neither is possible.
func (ec *engineConn) makeRoom() bool {
	if ec.start > 0 {
		ec.end = copy(ec.buf, ec.buf[ec.start:ec.end])
		ec.start = 0
		return true
	}
	limit := ec.lim.MaxHeadBytes + 1 // one byte over the limit lets the parser say 431
	if limit <= 1 {
		limit = 1 << 20
	}
	if len(ec.buf) >= limit {
		return false
	}
	nb := make([]byte, min(2*len(ec.buf), limit))
	ec.end = copy(nb, ec.buf[ec.start:ec.end])
	ec.buf = nb
	return true
}

// refuse answers a head the parser refused, with foyer's error page, and
// the connection closes.
func (ec *engineConn) refuse(he *h1.Error) {
	ec.resetRequestFromTemplate()
	r := ec.hr
	clear(ec.reqHdr)
	r.Method, r.URL, r.Proto, r.ProtoMajor, r.ProtoMinor = http.MethodGet, &url.URL{Path: "/"}, "HTTP/1.1", 1, 1
	r.Header, r.Body, r.RemoteAddr, r.TLS = ec.reqHdr, http.NoBody, ec.remote, ec.tls
	ec.w.reset(false)
	ec.w.closeAfter = true
	msg := "the request is malformed (" + he.Reason + ")"
	switch he.Status {
	case http.StatusRequestURITooLong:
		msg = "the request's address is longer than this server accepts (" + strconv.Itoa(ec.lim.MaxURIBytes) + " bytes)"
	case http.StatusRequestHeaderFieldsTooLarge:
		msg = "the request's header is larger than this server accepts (" + he.Reason + ")"
	case http.StatusNotImplemented:
		msg = "the request uses a transfer coding this server does not implement"
	case http.StatusHTTPVersionNotSupported:
		msg = "this server speaks HTTP/1.1 (and HTTP/2 over TLS)"
	}
	_ = ec.conn.SetWriteDeadline(deadline(5 * time.Second))
	WriteError(&ec.w, r, he.Status, msg)
	ec.w.finish()
}

// serveOne runs the handler for the parsed request and readies the
// connection for the next one; false when the connection must close.
func (ec *engineConn) serveOne() bool {
	body, ok := ec.buildRequest()
	if !ok {
		ec.refuse(&h1.Error{Status: http.StatusBadRequest, Reason: "invalid request target"})
		return false
	}
	r := ec.hr
	ec.w.reset(ec.req.Close || ec.req.Chunked || ec.e.stopped.Load())
	if bytesEqualString(ec.req.Method, http.MethodHead) {
		ec.w.head = true
	}
	if body != nil {
		ec.setReadDeadline(time.Time{}) // the body's own limits (limits.go) apply
	}
	if !ec.run(r) {
		if body != nil {
			body.end()
		}
		return false
	}
	ec.w.finish()
	keep := !ec.w.closeAfter && ec.w.err == nil
	if body != nil {
		keep = body.end() && keep
	}
	return keep
}

// run runs the handler; false when it panicked (with
// http.ErrAbortHandler, as the forward step does when an answer breaks
// mid-body, or with a bug): the connection then closes at once without
// ending the answer, as net/http does.
func (ec *engineConn) run(r *http.Request) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				if l := ec.e.std.ErrorLog; l != nil {
					l.Printf("engine: panic serving %s: %v\n%s", ec.remote, p, debug.Stack())
				}
			}
			ok = false
		}
	}()
	ec.e.std.Handler.ServeHTTP(&ec.w, r)
	return true
}

// clientGone reports whether the client closed its connection, reading
// what it has sent meanwhile (pipelined bytes are kept for later). When it
// has, the connection's context is cancelled: its request ends as 499.
func (ec *engineConn) clientGone() bool {
	if ec.end == len(ec.buf) {
		return false // no room to look; assume it is there
	}
	ec.setReadDeadline(time.Now())
	n, err := ec.conn.Read(ec.buf[ec.end:])
	ec.end += n
	ec.setReadDeadline(time.Time{})
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	ec.w.closeAfter = true
	ec.cancel()
	return true
}

// bytesEqualString compares without allocating.
func bytesEqualString(b []byte, s string) bool { return string(b) == s }

// errBodyClosed is a read of a request body after its handler returned.
var errBodyClosed = errors.New("engine: read of a request body after its request ended")

// readBuffered reads what the connection buffer holds past the head
// (pipelined bytes), then the connection.
func (ec *engineConn) read(p []byte) (int, error) {
	if ec.start < ec.end {
		n := copy(p, ec.buf[ec.start:ec.end])
		ec.start += n
		return n, nil
	}
	return ec.conn.Read(p)
}

// ioReader adapts ec.read for bufio.
type ioReader struct{ ec *engineConn }

func (r ioReader) Read(p []byte) (int, error) {
	n, err := r.ec.read(p)
	r.ec.rawIn += int64(n)
	return n, err
}

var _ io.Reader = ioReader{}

// handoff gives the connection to the standard server with buffered (the
// bytes already read, the current request's head first) replayed.
func (ec *engineConn) handoff(buffered []byte) {
	ec.setReadDeadline(time.Time{})
	ec.e.hand.handoff(&replayConn{Conn: ec.conn, buf: buffered, tls: ec.tls})
}
