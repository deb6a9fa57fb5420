package appliance

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/foyerhq/foyer/appliance/proxy"
	"github.com/foyerhq/foyer/store"
)

// limits enforces the request limits that http.Server has no field for:
// the number of header lines (431), the length of the request target
// (414), both checked before routing, and a body read timeout (the wait
// for the next body bytes). The size of a request head is bounded by
// http.Server.MaxHeaderBytes (431 from net/http itself). Like the other
// server-side settings they are read when the listeners start.
type limits struct {
	next        http.Handler
	maxHeaders  int           // header lines (each value counts once)
	maxURI      int           // bytes of the request target
	bodyTimeout time.Duration // longest wait for the next body bytes
}

// withLimits wraps h with s's request limits.
func withLimits(s store.Settings, h http.Handler) http.Handler {
	return &limits{next: h, maxHeaders: s.MaxHeaderCount, maxURI: s.MaxURIBytes, bodyTimeout: s.BodyReadTimeout.D()}
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
	if l.bodyTimeout > 0 && r.Body != nil && r.Body != http.NoBody {
		r.Body = &timedBody{body: r.Body, rc: http.NewResponseController(w), d: l.bodyTimeout}
	}
	l.next.ServeHTTP(w, r)
}

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

// timedBody gives each read of a request body a deadline d ahead, so a
// client that trickles a body (or stops sending one) is cut off after d
// without bytes, while a long upload that keeps moving is not. At the end
// of the body, or when it is closed, the deadline is cleared: net/http's
// own read of the idle connection must not inherit it.
type timedBody struct {
	body io.ReadCloser
	rc   *http.ResponseController
	d    time.Duration
	done bool // the deadline is cleared; touched by Read only
}

func (b *timedBody) Read(p []byte) (int, error) {
	if !b.done {
		if b.rc.SetReadDeadline(time.Now().Add(b.d)) != nil {
			b.done = true // the connection does not support deadlines
		}
	}
	n, err := b.body.Read(p)
	if err != nil && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

func (b *timedBody) Close() error {
	err := b.body.Close()
	_ = b.rc.SetReadDeadline(time.Time{})
	return err
}
