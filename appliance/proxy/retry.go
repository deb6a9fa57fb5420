package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"syscall"
	"time"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/store"
)

// idempotent reports whether a request with this method may be sent again:
// RFC 9110's idempotent methods (9.2.2). PUT and DELETE are in: sending
// them twice has the effect of sending them once, and a retry only happens
// when the first attempt never reached a backend. POST and PATCH never.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// sentBody wraps a request body to tell whether any of it was read (by
// the transport, so perhaps sent). Close does nothing: ReverseProxy closes
// the body after each attempt, and a retry must still be able to send it;
// the server closes the real body when the handler returns.
type sentBody struct {
	io.ReadCloser
	read bool
}

func (b *sentBody) Read(p []byte) (int, error) {
	b.read = true
	return b.ReadCloser.Read(p)
}

func (b *sentBody) Close() error { return nil }

// retryPlan says whether a failed attempt may go to another backend.
type retryPlan struct {
	left     int       // retries left
	deadline time.Time // no retry starts after this
	body     *sentBody // nil when the request has no body
}

// newRetryPlan is the plan for r under policy e; left is 0 when r may
// never be retried.
func newRetryPlan(r *http.Request, e *store.EffectivePolicy, start time.Time) retryPlan {
	if e.Retries == 0 || !idempotent(r.Method) {
		return retryPlan{}
	}
	p := retryPlan{left: e.Retries, deadline: start.Add(e.RetryTimeout)}
	if r.Body != nil && r.Body != http.NoBody {
		p.body = &sentBody{ReadCloser: r.Body}
		r.Body = p.body
	}
	return p
}

// may reports whether an attempt that failed with err may be retried.
func (p *retryPlan) may(r *http.Request, err error) bool {
	return p.left > 0 && (p.body == nil || !p.body.read) && isConnectError(err) &&
		r.Context().Err() == nil && time.Now().Before(p.deadline)
}

// isConnectError reports whether err happened before any byte of the
// request was written: the backend refused or did not answer the dial.
func isConnectError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// nextUpstream picks the backend for a retry: from the request's pool,
// never one already tried.
func nextUpstream(req *Request, r *http.Request, tried []*balance.Upstream) *balance.Upstream {
	ps := req.pool
	if ps == nil {
		return nil
	}
	return balance.SelectExcept(ps.sel, ps.ups, ps.keyOf(r), tried)
}

// limitsKey is the context key of a request's per-tenant upstream limits.
type limitsKey struct{}

// limits are a tenant's connect and response-header timeouts, read by the
// transport's dialer and by roundTrip.
type limits struct {
	connect, header time.Duration
}

// withLimits puts e's upstream timeouts in r's context when it sets any.
// The one shared transport reads them (the dialer, roundTrip): cheaper than
// a transport per tenant, which would split the keep-alive pools by tenant
// and rebuild them on every policy change, and free for tenants that set
// none (no context, no timer).
func withLimits(r *http.Request, e *store.EffectivePolicy) *http.Request {
	if e.ConnectTimeout <= 0 && e.ResponseHeaderTimeout <= 0 {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), limitsKey{}, &limits{connect: e.ConnectTimeout, header: e.ResponseHeaderTimeout}))
}

// dialer dials with the tenant's connect timeout when its request carries
// one, else with the server's.
type dialer struct {
	d       net.Dialer
	timeout time.Duration // the server's upstream dial timeout
}

func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	t := d.timeout
	if l, ok := ctx.Value(limitsKey{}).(*limits); ok && l.connect > 0 {
		t = l.connect
	}
	if t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	return d.d.DialContext(ctx, network, addr)
}

// errHeaderTimeout is the error of a tenant's response-header timeout.
var errHeaderTimeout = &timeoutError{"the backend did not send its response header within the tenant's response-header-timeout"}

type timeoutError struct{ msg string }

func (e *timeoutError) Error() string   { return e.msg }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// roundTripHeader is RoundTrip under a tenant's response-header timeout:
// the clock starts when the request (and its body) is written, as the
// transport's own ResponseHeaderTimeout does, and stops at the header.
// The server-wide timeout on the transport still applies, so a tenant can
// shorten it, not lengthen it.
func roundTripHeader(tr http.RoundTripper, r *http.Request, d time.Duration) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(r.Context())
	var (
		mu    sync.Mutex // guards timer and done: WroteRequest runs on the transport's goroutine
		timer *time.Timer
		done  bool
	)
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			timer = time.AfterFunc(d, func() { cancel(errHeaderTimeout) })
		}
	}}
	res, err := tr.RoundTrip(r.WithContext(httptrace.WithClientTrace(ctx, trace)))
	mu.Lock()
	done = true
	if timer != nil {
		timer.Stop()
	}
	mu.Unlock()
	if err != nil {
		if context.Cause(ctx) == errHeaderTimeout {
			err = errHeaderTimeout
		}
		cancel(nil)
		return nil, err
	}
	if res.StatusCode != http.StatusSwitchingProtocols { // an upgrade's body must stay an io.ReadWriteCloser
		res.Body = &cancelBody{ReadCloser: res.Body, cancel: func() { cancel(nil) }}
	}
	return res, nil
}

// cancelBody ends the attempt's context when the response body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel func()
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
