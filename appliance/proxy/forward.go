package proxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
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
	Forward(w http.ResponseWriter, r *http.Request, req *Request)
}

// Request is what the steps before forwarding decided.
type Request struct {
	ID       string            // request ID, sent to the backend as X-Request-Id
	Tenant   *route.Tenant     // who the request is for
	Upstream *balance.Upstream // where it goes
	Trusted  bool              // the peer is a trusted proxy: keep its X-Forwarded-*
}

type ctxKey struct{}

// stdForwarder forwards with httputil.ReverseProxy and Rewrite, over one
// shared transport (its connection pools are keyed by backend address, so
// they outlive route-table rebuilds).
type stdForwarder struct {
	h     *Handler
	rp    *httputil.ReverseProxy
	tr    atomic.Pointer[http.Transport]
	mu    sync.Mutex // serialises configure
	tconf transportConf
}

var _ Forwarder = (*stdForwarder)(nil)

// transportConf is the part of Settings the transport is built from.
type transportConf struct {
	dial, header time.Duration
	idle         int
}

func newStdForwarder(h *Handler) *stdForwarder {
	f := &stdForwarder{h: h}
	f.rp = &httputil.ReverseProxy{
		Rewrite:      f.rewrite,
		Transport:    transportFunc(f.roundTrip),
		ErrorHandler: f.upstreamError,
	}
	f.configure(store.DefaultSettings())
	return f
}

type transportFunc func(*http.Request) (*http.Response, error)

func (fn transportFunc) RoundTrip(r *http.Request) (*http.Response, error) { return fn(r) }

func (f *stdForwarder) roundTrip(r *http.Request) (*http.Response, error) {
	return f.tr.Load().RoundTrip(r)
}

// configure builds a new transport when the upstream settings changed; the
// old one's idle connections are closed, busy ones finish.
func (f *stdForwarder) configure(s store.Settings) {
	c := transportConf{dial: s.UpstreamDialTimeout.D(), header: s.UpstreamResponseHeaderTimeout.D(), idle: s.UpstreamIdleConnsPerHost}
	f.mu.Lock()
	defer f.mu.Unlock()
	if old := f.tr.Load(); old != nil && c == f.tconf {
		return
	}
	f.tconf = c
	old := f.tr.Swap(&http.Transport{
		DialContext:           (&net.Dialer{Timeout: c.dial, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost:   c.idle,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: c.header,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	})
	if old != nil {
		old.CloseIdleConnections()
	}
}

func (f *stdForwarder) close() { f.tr.Load().CloseIdleConnections() }

// Forward implements Forwarder.
func (f *stdForwarder) Forward(w http.ResponseWriter, r *http.Request, req *Request) {
	f.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, req)))
}

// rewrite sets the outbound request: the backend's address, the client's
// Host, forwarding headers set by foyer (inbound ones were already removed
// by ReverseProxy unless the peer is trusted), and foyer's own headers.
func (f *stdForwarder) rewrite(pr *httputil.ProxyRequest) {
	req := pr.In.Context().Value(ctxKey{}).(*Request)
	pr.SetURL(req.Upstream.URL)
	pr.Out.Host = pr.In.Host
	in, out := pr.In.Header, pr.Out.Header
	if req.Trusted {
		if v := in.Values("X-Forwarded-For"); len(v) > 0 {
			out["X-Forwarded-For"] = v
		}
	}
	pr.SetXForwarded()
	if req.Trusted {
		for _, k := range []string{"X-Forwarded-Host", "X-Forwarded-Proto"} {
			if v := in.Get(k); v != "" {
				out.Set(k, v)
			}
		}
	} else {
		out.Del("Forwarded")
	}
	for k := range out {
		if len(k) > 8 && strings.EqualFold(k[:8], "X-Foyer-") {
			delete(out, k)
		}
	}
	out.Set("X-Foyer-Tenant", req.Tenant.Slug)
	out.Set("X-Request-Id", req.ID)
}

// upstreamError answers when the backend could not be reached or did not
// answer in time.
func (f *stdForwarder) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	req := r.Context().Value(ctxKey{}).(*Request)
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away; nobody reads an answer
	}
	status, msg := http.StatusBadGateway, "the site's server could not be reached"
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		status, msg = http.StatusGatewayTimeout, "the site's server did not answer in time"
	}
	f.h.log.Warn("upstream error", "tenant", req.Tenant.Slug, "backend", req.Upstream.URL.Host,
		"request_id", req.ID, "err", err)
	writeError(w, r, req.ID, status, msg)
}
