package proxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// Forwarder sends a request to the chosen backend and copies the answer
// back. It is the one seam where a faster HTTP/1.1 engine can take over
// plain keep-alive traffic later without touching the steps around it.
type Forwarder interface {
	Forward(w http.ResponseWriter, r *http.Request, req Request)
}

// Request is what the steps before forwarding decided.
type Request struct {
	ID       string            // request ID, sent to the backend as X-Request-Id
	Tenant   *route.Tenant     // who the request is for
	Upstream *balance.Upstream // where it goes
	// SetCookie, when not "", is a Set-Cookie header for the response (the
	// sticky-session cookie).
	SetCookie string

	pool    *pool          // Upstream's pool, where a retry picks another backend; nil: no retry
	breaker balance.Ticket // the tenant's circuit breaker, told the outcome
	rec     *recordWriter  // the record step, told the outcome and upstream; nil: not recorded
}

// Headers foyer sets on the way to the backend. Incoming X-Foyer-* headers
// are always removed first, so a client cannot set them.
const (
	headerTenant    = "X-Foyer-Tenant"
	headerRequestID = "X-Request-Id"
)

// stdForwarder forwards with httputil.ReverseProxy and Rewrite, over one
// shared transport (its connection pools are keyed by backend address, so
// they outlive route-table rebuilds). It keeps one ReverseProxy per
// backend, so Rewrite knows the target without a per-request context
// value: the tenant and request ID travel as headers set on the inbound
// request, which Rewrite's outbound copy inherits.
type stdForwarder struct {
	h       *Handler
	proxies atomic.Pointer[map[uint64]*backendProxy] // by backend ID
	trusted atomic.Pointer[[]netip.Prefix]           // peers whose X-Forwarded-* are kept
	tr      atomic.Pointer[http.Transport]
	mu      sync.Mutex // serialises configure and setBackends
	tconf   transportConf
	fast    *fastForwarder // the round trip of requests the fast engine serves (fast_forward.go)
}

var _ Forwarder = (*stdForwarder)(nil)

// transportConf is the part of Settings the transport is built from.
type transportConf struct {
	dial, header time.Duration
	idle         int
}

func newStdForwarder(h *Handler) *stdForwarder {
	f := &stdForwarder{h: h}
	f.fast = &fastForwarder{f: f, pools: newPools()}
	f.proxies.Store(&map[uint64]*backendProxy{})
	f.trusted.Store(&[]netip.Prefix{})
	f.configure(store.DefaultSettings())
	return f
}

type transportFunc func(*http.Request) (*http.Response, error)

func (fn transportFunc) RoundTrip(r *http.Request) (*http.Response, error) { return fn(r) }

func (f *stdForwarder) roundTrip(r *http.Request) (*http.Response, error) {
	tr := f.tr.Load()
	if l, ok := r.Context().Value(limitsKey{}).(*limits); ok && l.header > 0 {
		return roundTripHeader(tr, r, l.header)
	}
	return tr.RoundTrip(r)
}

// backendProxy is the ReverseProxy of one backend and the URL it targets.
type backendProxy struct {
	rp     *httputil.ReverseProxy
	target string
}

// setBackends makes sure every upstream has its ReverseProxy, reusing the
// existing one when the backend's URL is unchanged.
func (f *stdForwarder) setBackends(ups []*balance.Upstream) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old := *f.proxies.Load()
	next := make(map[uint64]*backendProxy, len(ups))
	for _, u := range ups {
		if bp, ok := old[u.ID]; ok && bp.target == u.URL.String() {
			next[u.ID] = bp
			continue
		}
		next[u.ID] = f.newBackendProxy(u.URL)
	}
	f.proxies.Store(&next)
	f.fast.pools.set(ups)
}

func (f *stdForwarder) newBackendProxy(target *url.URL) *backendProxy {
	return &backendProxy{target: target.String(), rp: &httputil.ReverseProxy{
		Rewrite:      func(pr *httputil.ProxyRequest) { f.rewrite(pr, target) },
		Transport:    transportFunc(f.roundTrip),
		ErrorHandler: f.upstreamError,
		BufferPool:   copyBuffers,
	}}
}

// copyBuffers lends ReverseProxy its 32 KiB body-copy buffers; without a
// BufferPool it allocates one per request (a 32 KiB garbage per request
// that the collector must then sweep).
var copyBuffers httputil.BufferPool = &bufferPool{}

type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) {
	if cap(buf) == 32<<10 {
		buf = buf[:cap(buf)]
		b.p.Put(&buf)
	}
}

// configure builds a new transport when the upstream settings changed (the
// old one's idle connections are closed, busy ones finish) and records the
// trusted proxies.
func (f *stdForwarder) configure(s store.Settings) {
	var trusted []netip.Prefix
	for _, c := range s.TrustedProxies {
		if pfx, err := netip.ParsePrefix(c); err == nil {
			trusted = append(trusted, pfx)
		}
	}
	f.trusted.Store(&trusted)
	c := transportConf{dial: s.UpstreamDialTimeout.D(), header: s.UpstreamResponseHeaderTimeout.D(), idle: s.UpstreamIdleConnsPerHost}
	f.fast.configure(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if old := f.tr.Load(); old != nil && c == f.tconf {
		return
	}
	f.tconf = c
	old := f.tr.Swap(&http.Transport{
		DialContext:           (&dialer{d: net.Dialer{KeepAlive: 30 * time.Second}, timeout: c.dial}).DialContext,
		MaxIdleConnsPerHost:   c.idle,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: c.header,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true, // for https:// backends; plain http stays HTTP/1.1
	})
	if old != nil {
		old.CloseIdleConnections()
	}
}

func (f *stdForwarder) close() {
	f.tr.Load().CloseIdleConnections()
	f.fast.pools.closeAll()
}

// Forward implements Forwarder. It holds the request to the tenant's body
// limit and timeouts, and sends an idempotent request that could not
// connect to another backend of the pool (retry.go).
func (f *stdForwarder) Forward(w http.ResponseWriter, r *http.Request, req Request) {
	h := r.Header
	for k := range h {
		if len(k) > 8 && strings.EqualFold(k[:8], "X-Foyer-") {
			delete(h, k)
		}
	}
	ew := engineWriterOf(w) // through every step's wrapper: one without Unwrap keeps the standard path
	setOne(ew, h, headerTenant, req.Tenant.Slug)
	setOne(ew, h, headerRequestID, req.ID)
	e := req.Tenant.Effective
	if !limitBody(w, r, req.ID, e.MaxBody) {
		req.rec.setOutcome(store.OutcomeTooLarge)
		req.breaker.Release()
		return
	}
	if e.RequestTimeout > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), e.RequestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	r = withLimits(r, e)
	if req.SetCookie != "" {
		w.Header().Add("Set-Cookie", req.SetCookie)
	}
	judged := false
	defer func() { // ReverseProxy panics with http.ErrAbortHandler when a started answer breaks
		if !judged {
			req.breaker.Release()
		}
	}()
	start := time.Now()
	plan := newRetryPlan(r, e, start)
	up := req.Upstream
	var tried []*balance.Upstream
	for {
		var o *outcome
		if ew != nil {
			o = &ew.ec.out // the connection's: no allocation per request
			*o = outcome{ResponseWriter: w, start: time.Now(), plan: plan}
		} else {
			o = &outcome{ResponseWriter: w, start: time.Now(), plan: plan}
		}
		bp := f.proxyFor(up)
		req.rec.setUpstream(bp.target, 0)
		if ew != nil && up.URL.Scheme == "http" {
			f.fast.serve(o, r, up, ew, &req) // fast_forward.go: the same outcome, on the connection's goroutine
		} else {
			bp.rp.ServeHTTP(o, r)
		}
		o.report(up)
		req.rec.setUpstream(bp.target, o.latency)
		if !o.retry {
			judged = true
			o.judge(req.breaker)
			req.rec.setOutcome(o.recordOutcome())
			return
		}
		tried = append(tried, up)
		next := nextUpstream(&req, r, tried)
		if next == nil {
			judged = true
			req.breaker.Done(false, 0)
			req.rec.setOutcome(errorOutcome(o.err))
			f.answerError(w, r, o.err)
			return
		}
		plan.left--
		f.h.log.Info("retrying on another backend", "tenant", req.Tenant.Slug, "request_id", req.ID,
			"failed", up.URL.Host, "next", next.URL.Host, "err", o.err)
		if req.SetCookie != "" && req.pool.sticky {
			w.Header()["Set-Cookie"] = []string{balance.StickyCookie + "=" + f.h.stk.Value(req.pool.id, next.ID) + "; Path=/; HttpOnly; SameSite=Lax"}
		}
		up = next
		up.State.Begin()
		defer up.State.End()
	}
}

// limitBody holds r to the tenant's max-body: a Content-Length over it is
// answered 413 here (ok false), before any backend is contacted; a body
// without a length is cut by http.MaxBytesReader once it passes the limit
// (the transport's write fails, and answerError says 413).
func limitBody(w http.ResponseWriter, r *http.Request, id string, limit int64) (ok bool) {
	if limit <= 0 {
		return true
	}
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close") // the body is not read; do not keep the connection
		writeError(w, r, id, http.StatusRequestEntityTooLarge, "the request body is larger than this site accepts ("+strconv.FormatInt(limit, 10)+" bytes)")
		return false
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
	}
	return true
}

// proxyFor is the ReverseProxy of u.
func (f *stdForwarder) proxyFor(u *balance.Upstream) *backendProxy {
	if bp := (*f.proxies.Load())[u.ID]; bp != nil {
		return bp
	}
	return f.newBackendProxy(u.URL) // the table changed between pick and forward
}

// outcome watches a forwarded request's answer for passive health and
// the latency average: the status and time of the response header, and
// the error the ErrorHandler saw. Unwrap keeps http.ResponseController
// (flush, hijack for WebSocket upgrades) working through it.
type outcome struct {
	http.ResponseWriter
	start   time.Time
	latency time.Duration
	status  int
	err     error
	plan    retryPlan // whether a connect error may be retried elsewhere
	retry   bool      // err was not answered: the caller retries or answers it
}

// WriteHeader records the status and the time to the first header.
func (o *outcome) WriteHeader(code int) {
	if o.status == 0 && code >= 200 {
		o.status, o.latency = code, time.Since(o.start)
	}
	o.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (o *outcome) Write(b []byte) (int, error) {
	if o.status == 0 {
		o.status, o.latency = http.StatusOK, time.Since(o.start)
	}
	return o.ResponseWriter.Write(b)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (o *outcome) Unwrap() http.ResponseWriter { return o.ResponseWriter }

// report tells the balancer how the backend did: a connect error or a 5xx
// is a failure; a client that went away before an answer says nothing.
func (o *outcome) report(u *balance.Upstream) {
	switch {
	case o.err != nil:
		u.Report(false, 0, o.err.Error())
	case o.status >= 500:
		u.Report(false, o.latency, "status "+strconv.Itoa(o.status))
	case o.status != 0:
		u.Report(true, o.latency, "")
	}
}

// judge tells the tenant's breaker how the request did: a 5xx or an
// unreachable backend is an error; a client that went away says nothing.
func (o *outcome) judge(t balance.Ticket) {
	switch {
	case o.err != nil:
		t.Done(false, 0)
	case o.status != 0:
		t.Done(o.status < 500, o.latency)
	default:
		t.Release()
	}
}

// rewrite sets the outbound request: the backend's address, the client's
// Host, and forwarding headers set by foyer (ReverseProxy has already
// removed inbound Forwarded and X-Forwarded-*; a trusted peer's are put back,
// and its X-Forwarded-For extended).
func (f *stdForwarder) rewrite(pr *httputil.ProxyRequest, target *url.URL) {
	pr.SetURL(target)
	pr.Out.Host = pr.In.Host
	in, out := pr.In.Header, pr.Out.Header
	trusted := f.trustedPeer(pr.In.RemoteAddr)
	if trusted {
		for _, k := range []string{"X-Forwarded-For", "Forwarded"} {
			if v := in.Values(k); len(v) > 0 {
				out[k] = v
			}
		}
	}
	pr.SetXForwarded()
	if trusted {
		for _, k := range []string{"X-Forwarded-Host", "X-Forwarded-Proto"} {
			if v := in.Get(k); v != "" {
				out.Set(k, v)
			}
		}
	}
}

func (f *stdForwarder) trustedPeer(remote string) bool {
	trusted := *f.trusted.Load()
	if len(trusted) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// upstreamError answers when the backend could not be reached or did not
// answer in time, unless the attempt may be retried on another backend:
// then it only records the error for Forward.
func (f *stdForwarder) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away; nobody reads an answer
	}
	if o, ok := w.(*outcome); ok {
		o.err = err
		if o.plan.may(r, err) {
			o.retry = true
			return
		}
	}
	f.answerError(w, r, err)
}

// answerError writes foyer's answer for an upstream error: 413 when the
// body went over the tenant's max-body, 504 for a timeout, else 502.
func (f *stdForwarder) answerError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusBadGateway, "the site's server could not be reached"
	var ne net.Error
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		status, msg = http.StatusRequestEntityTooLarge, "the request body is larger than this site accepts ("+strconv.FormatInt(mb.Limit, 10)+" bytes)"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		status, msg = http.StatusGatewayTimeout, "the site's server did not answer in time"
	}
	id := r.Header.Get(headerRequestID)
	f.h.log.Warn("upstream error", "tenant", r.Header.Get(headerTenant), "backend", r.URL.Host,
		"request_id", id, "err", err)
	writeError(w, r, id, status, msg)
}
