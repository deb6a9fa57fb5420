package proxy

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/appliance/policy"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// recordWriter is the record step: it wraps the client's ResponseWriter
// for the whole of ServeHTTP, counting the status and the body bytes
// written, and carries what the steps decided (outcome, upstream) into
// the store.LogRecord reported when the request ends. It is pooled: a
// request with a recorder allocates nothing for it (a request with a body
// allocates its small byte counter, see countingBody).
//
// It implements http.Flusher, http.Hijacker and io.ReaderFrom itself and
// Unwrap for http.ResponseController, so streaming, WebSocket upgrades and
// sendfile keep working through it. Bytes written on a hijacked
// connection are not counted.
type recordWriter struct {
	http.ResponseWriter
	status  int
	written int64
	outcome string
	// upstream is the last backend the request went to ("" when none)
	// and upLatency its time to the response header.
	upstream  string
	upLatency time.Duration
	body      *countingBody // nil when the request has no body
	tenant    *route.Tenant // the identified tenant; nil when none
	rec       store.LogRecord
}

var recordPool = sync.Pool{New: func() any { return new(recordWriter) }}

// WriteHeader records the final status (or 101, for an upgrade).
func (w *recordWriter) WriteHeader(code int) {
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the body bytes written.
func (w *recordWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.written += int64(n)
	return n, err
}

// ReadFrom counts what the wrapped writer's ReadFrom (sendfile) copies.
func (w *recordWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
	}
	w.written += n
	return n, err
}

// Flush flushes the wrapped writer, when it can.
func (w *recordWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// Hijack hands over the connection (WebSocket upgrades). ReverseProxy
// writes the 101 on the hijacked connection itself, so a hijack is
// recorded as 101.
func (w *recordWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return c, brw, err
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *recordWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// setOutcome records the first outcome a step reports.
func (w *recordWriter) setOutcome(o string) {
	if w != nil && w.outcome == "" {
		w.outcome = o
	}
}

// setUpstream records the backend a request went to.
func (w *recordWriter) setUpstream(url string, latency time.Duration) {
	if w != nil {
		w.upstream, w.upLatency = url, latency
	}
}

// countingBody counts the request body bytes read. It is not pooled: the
// transport may still read a request body after ServeHTTP returned.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// startRecord begins the record step for r: nil when nothing is recorded.
func (h *Handler) startRecord(w http.ResponseWriter, r *http.Request, id string, start time.Time) *recordWriter {
	if h.rec == nil {
		return nil
	}
	rw := recordPool.Get().(*recordWriter)
	rw.ResponseWriter = w
	rec := &rw.rec
	rec.Time, rec.RequestID, rec.Method, rec.Host, rec.Path = start, id, r.Method, r.Host, r.URL.Path
	if r.Body != nil && r.Body != http.NoBody {
		rw.body = &countingBody{ReadCloser: r.Body}
		r.Body = rw.body
	}
	return rw
}

// finishRecord fills the record and reports it once, then returns rw to
// the pool.
func (h *Handler) finishRecord(rw *recordWriter, r *http.Request) {
	rec := &rw.rec
	if rw.tenant != nil {
		rec.Tenant = rw.tenant.Slug
	}
	rec.Status = rw.status
	if rec.Status == 0 {
		rec.Status = http.StatusOK // what net/http sends for a handler that wrote nothing
		if r.Context().Err() != nil {
			rec.Status = statusClientClosed
		}
	}
	rec.BytesOut = rw.written
	if rw.body != nil {
		rec.BytesIn = rw.body.n.Load()
	}
	rec.Duration = time.Since(rec.Time)
	rec.Upstream, rec.UpstreamLatency = rw.upstream, rw.upLatency
	rec.ClientIP = h.clientIP(r)
	if r.TLS != nil {
		rec.TLSVersion, rec.SNI = tlsVersion(r.TLS.Version), r.TLS.ServerName
	}
	rec.Outcome = rw.outcome
	if rec.Outcome == "" {
		rec.Outcome = store.OutcomeAllowed
	}
	h.rec.Record(rec)
	if h.recHook != nil {
		h.recHook(rec)
	}
	*rw = recordWriter{}
	recordPool.Put(rw)
}

// statusClientClosed is recorded (never sent) for a request whose client
// went away before any answer, as nginx logs it.
const statusClientClosed = 499

// clientIP is the request's client: the peer, or the client a trusted
// proxy names in X-Forwarded-For (as the policy step sees it).
func (h *Handler) clientIP(r *http.Request) string {
	if trusted := *h.fwd.trusted.Load(); len(trusted) > 0 {
		if ip := policy.ClientIP(r, trusted); ip.IsValid() {
			return ip.String()
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "1.3"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS10:
		return "1.0"
	}
	return ""
}

// policyOutcome is the outcome of a request the policy step refused with
// status.
func policyOutcome(status int, tn *route.Tenant) string {
	switch status {
	case http.StatusTooManyRequests:
		return store.OutcomeRateLimited
	case http.StatusForbidden:
		return store.OutcomeDeniedIP
	case http.StatusUnauthorized:
		return store.OutcomeUnauthorized
	case http.StatusServiceUnavailable:
		if tn.Effective.Maintenance {
			return store.OutcomeMaintenance
		}
		return store.OutcomeOverloaded
	}
	if status >= 300 && status < 400 {
		return store.OutcomeRedirect
	}
	return store.OutcomeDeniedIP
}

// Recorder returns the handler's recorder (nil: nothing is recorded).
func (h *Handler) Recorder() *traffic.Recorder { return h.rec }

// recordOutcome is the outcome of a forwarded request: an upstream error
// foyer answered is upstream_fail (or too_large for a body cut at
// max-body); anything the backend answered is allowed.
func (o *outcome) recordOutcome() string {
	if o.err == nil {
		return store.OutcomeAllowed
	}
	return errorOutcome(o.err)
}

// errorOutcome is the outcome of a request foyer answered for an upstream
// error (answerError's statuses).
func errorOutcome(err error) string {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return store.OutcomeTooLarge
	}
	return store.OutcomeUpstreamFail
}

// FlushError flushes the wrapped writer and says why it could not.
func (w *recordWriter) FlushError() error {
	return http.NewResponseController(w.ResponseWriter).Flush()
}
