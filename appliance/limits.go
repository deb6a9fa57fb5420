package appliance

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/appliance/proxy"
	"github.com/foyerhq/foyer/store"
)

// limits enforces the request limits that http.Server has no field for:
// the number of header lines (431), the length of the request target
// (414), both checked before routing, a time limit and minimum rate for
// reading a body, and closing the connection after a chunked request. The size of a request head is bounded by
// http.Server.MaxHeaderBytes (431 from net/http itself). Like the other
// server-side settings they are read when the listeners start.
type limits struct {
	next        http.Handler
	maxHeaders  int           // header lines (each value counts once)
	maxURI      int           // bytes of the request target
	bodyTimeout time.Duration // time a body may take (see timedBody)
	bodyRate    int64         // bytes a second a body must keep up after bodyTimeout
}

// withLimits wraps h with s's request limits.
func withLimits(s store.Settings, h http.Handler) http.Handler {
	return &limits{next: h, maxHeaders: s.MaxHeaderCount, maxURI: s.MaxURIBytes, bodyTimeout: s.BodyReadTimeout.D(),
		bodyRate: int64(s.BodyMinRate)}
}

// ServeHTTP refuses a request over a limit with foyer's error page and
// closes the connection; otherwise it bounds the body's reads and passes
// the request on.
func (l *limits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if l.maxURI > 0 && len(r.RequestURI) > l.maxURI {
		w.Header().Set("Connection", "close")
		proxy.WriteError(w, r, http.StatusRequestURITooLong,
			"the request's address is longer than this server accepts ("+strconv.Itoa(l.maxURI)+" bytes)")
		return
	}
	if l.maxHeaders > 0 && headerLines(r.Header, l.maxHeaders) > l.maxHeaders {
		w.Header().Set("Connection", "close")
		proxy.WriteError(w, r, http.StatusRequestHeaderFieldsTooLarge,
			"the request carries more headers than this server accepts ("+strconv.Itoa(l.maxHeaders)+")")
		return
	}
	var tb *timedBody
	var guard *answerGuard
	if l.bodyTimeout > 0 && r.Body != nil && r.Body != http.NoBody {
		tb = &timedBody{body: r.Body, rc: http.NewResponseController(w), d: l.bodyTimeout, rate: l.bodyRate}
		r.Body = tb
		guard = &answerGuard{ResponseWriter: w, body: tb}
		w = guard
	}
	if r.ProtoMajor == 1 && len(r.TransferEncoding) > 0 {
		// net/http drops a Content-Length sent beside Transfer-Encoding
		// (the chunked framing wins) and does not say so; RFC 9112 6.1
		// requires closing the connection after such a request, lest a
		// front end that framed it by Content-Length sends the rest as
		// a request of its own. Every chunked request therefore ends its
		// connection.
		w.Header().Set("Connection", "close")
	}
	l.next.ServeHTTP(w, r)
	if tb != nil && tb.expired.Load() && !guard.wrote {
		// The proxy answered nothing (net/http cancelled the request when
		// the read timed out: without this the client would get an empty
		// 200) or its answer blamed the backend (504) and was held back.
		guard.Header().Set("Connection", "close")
		proxy.WriteError(guard.ResponseWriter, r, http.StatusRequestTimeout,
			"the request body did not arrive in time")
	}
}

// answerGuard tells whether the handler answered, and holds back an
// answer begun after the body's read timed out (the proxy's 502 or 504,
// which would blame the backend) so ServeHTTP answers 408 instead. Unwrap
// keeps http.ResponseController (flush, hijack, deadlines) working
// through it.
type answerGuard struct {
	http.ResponseWriter
	body  *timedBody
	wrote bool // an answer went out
	held  bool // an answer was held back
}

func (g *answerGuard) WriteHeader(code int) {
	if g.wrote || g.held || code < 200 {
		if !g.held {
			g.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if g.body.expired.Load() {
		g.held = true
		return
	}
	g.wrote = true
	g.ResponseWriter.WriteHeader(code)
}

func (g *answerGuard) Write(p []byte) (int, error) {
	if !g.wrote && !g.held {
		g.WriteHeader(http.StatusOK)
	}
	if g.held {
		return len(p), nil
	}
	return g.ResponseWriter.Write(p)
}

func (g *answerGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// headerLines counts h's values (Host, which net/http moves out of the
// map, counts too), stopping once past max.
func headerLines(h http.Header, max int) int {
	n := 1
	for _, v := range h {
		if n += len(v); n > max {
			break
		}
	}
	return n
}

// timedBody bounds reading a request body as Apache's mod_reqtimeout
// does: the body must arrive within d plus one second for every rate
// bytes received, so a client that trickles a body (or stops sending one)
// is cut off, while an upload that keeps moving is not. With rate 0, d
// bounds each wait for the next bytes instead. At the end of the body, or
// when it is closed, the deadline is cleared: net/http's own read of the
// idle connection must not inherit it.
type timedBody struct {
	body  io.ReadCloser
	rc    *http.ResponseController
	d     time.Duration
	rate  int64     // bytes a second after d; 0: d per read
	start time.Time // of the first read
	n     int64     // bytes read so far
	done  bool      // the deadline is cleared or has passed; touched by Read only
	// expired is set when a read timed out: the deadline stays in the
	// past, so net/http's own reads of the rest fail and it closes the
	// connection. Read by answerGuard from the handler's goroutine.
	expired atomic.Bool
}

func (b *timedBody) Read(p []byte) (int, error) {
	if !b.done {
		if b.rc.SetReadDeadline(b.deadline()) != nil {
			b.done = true // the connection does not support deadlines
		}
	}
	n, err := b.body.Read(p)
	b.n += int64(n)
	if err != nil && !b.done {
		b.done = true
		if errors.Is(err, os.ErrDeadlineExceeded) {
			b.expired.Store(true)
		} else {
			_ = b.rc.SetReadDeadline(time.Time{})
		}
	}
	return n, err
}

func (b *timedBody) deadline() time.Time {
	now := time.Now()
	if b.rate <= 0 {
		return now.Add(b.d)
	}
	if b.start.IsZero() {
		b.start = now
	}
	return b.start.Add(b.d + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second)))
}

func (b *timedBody) Close() error {
	err := b.body.Close()
	if !b.expired.Load() {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return err
}
