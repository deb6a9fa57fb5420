package proxy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// newLiveWith is newLive with handler options (an injected breaker clock).
func newLiveWith(t *testing.T, opts Options, fn func(tx store.Tx) error) *live {
	db, err := memstore.Open(context.Background(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := &live{t: t, db: db, h: New(opts)}
	t.Cleanup(l.h.Close)
	l.change(fn)
	return l
}

func acmePolicy(p store.Policy) func(tx store.Tx) error {
	return func(tx store.Tx) error { return tx.SetTenantPolicy("acme", p) }
}

// send makes one request to the acme tenant through srv.
func send(t *testing.T, srv *httptest.Server, method string, body io.Reader, contentLength int64) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+"/p", body)
	req.Host = "acme.example.test"
	if contentLength != 0 {
		req.ContentLength = contentLength
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// lastErrors counts the acme default pool's backends whose passive health
// recorded a forwarding error.
func lastErrors(l *live) int {
	n := 0
	for _, b := range l.h.Table().Tenant("acme").Pool(store.DefaultPool).Backends {
		if h, ok := l.h.Health(b.ID); ok && h.LastError != "" {
			n++
		}
	}
	return n
}

// Ensure that a GET whose backend refuses the connection is retried on
// another backend, and that passive health records the failed attempt.
func TestRetryGETOnConnectError(t *testing.T) {
	good := newBackend(t, "good")
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {deadURL(t), good.URL}}))
	l.change(setPool(store.Pool{Algorithm: store.First}))
	srv := frontend(t, l.h)
	defer srv.Close()
	for _, m := range []string{"GET", "HEAD", "PUT", "DELETE", "OPTIONS"} {
		if resp, _ := send(t, srv, m, nil, 0); resp.StatusCode != 200 {
			t.Fatalf("%s: status %d, want 200 from the retry", m, resp.StatusCode)
		}
	}
	if good.hits.Load() != 5 || lastErrors(l) != 1 {
		t.Fatalf("good hits %d, backends with errors %d; want 5 and 1", good.hits.Load(), lastErrors(l))
	}
}

// Ensure that a POST or PATCH is never sent twice: the one to a refusing
// backend gets 502, and a backend that counts them sees each at most once.
func TestRetryNeverRepeatsPOST(t *testing.T) {
	var posts atomic.Int64
	counter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		io.Copy(io.Discard, r.Body)
	}))
	defer counter.Close()
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {deadURL(t), counter.URL}}))
	l.change(acmePolicy(store.Policy{"retries": "5"}))
	srv := frontend(t, l.h)
	defer srv.Close()
	ok, failed := 0, 0
	for i := range 10 {
		m := "POST"
		if i%4 == 3 {
			m = "PATCH"
		}
		resp, _ := send(t, srv, m, strings.NewReader("order=1"), 0)
		switch resp.StatusCode {
		case 200:
			ok++
		case 502:
			failed++
		default:
			t.Fatalf("%s: status %d", m, resp.StatusCode)
		}
	}
	if posts.Load() != int64(ok) || failed == 0 {
		t.Fatalf("backend saw %d, %d answered 200, %d 502; want every 200 seen once and the dead backend's not retried", posts.Load(), ok, failed)
	}
}

// Ensure that retries are bounded by the retries key: with three
// refusing backends and retries=1, two are tried and the client gets 502.
func TestRetryBoundedCount(t *testing.T) {
	good := newBackend(t, "good")
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {deadURL(t), deadURL(t), deadURL(t), good.URL}}))
	l.change(setPool(store.Pool{Algorithm: store.First}))
	srv := frontend(t, l.h)
	defer srv.Close()
	if resp, _ := send(t, srv, "GET", nil, 0); resp.StatusCode != 502 || lastErrors(l) != 2 {
		t.Fatalf("status %d with %d backends tried and failed; want 502 after 2", resp.StatusCode, lastErrors(l))
	}
	l.change(acmePolicy(store.Policy{"retries": "5"}))
	if resp, _ := send(t, srv, "GET", nil, 0); resp.StatusCode != 200 || good.hits.Load() != 1 {
		t.Fatalf("retries=5: status %d, good hits %d", resp.StatusCode, good.hits.Load())
	}
}

// Ensure that a request is not retried once it reached a backend: one
// that reads the request and drops the connection without an answer, and
// one that starts its answer and then breaks it.
func TestNoRetryAfterRequestSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for range 2 { // bounded: the test sends two requests here
			c, err := ln.Accept()
			if err != nil {
				return
			}
			bufio.NewReader(c).ReadString('\n')
			c.Close()
		}
	}()
	breaks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, "partial")
		panic(http.ErrAbortHandler)
	}))
	defer breaks.Close()
	good := newBackend(t, "good")
	for _, first := range []string{"http://" + ln.Addr().String(), breaks.URL} {
		l := newLive(t, tenants("example.test", map[string][]string{"acme": {first, good.URL}}))
		l.change(setPool(store.Pool{Algorithm: store.First}))
		srv := frontend(t, l.h)
		req, _ := http.NewRequest("GET", srv.URL+"/p", nil)
		req.Host = "acme.example.test"
		resp, err := srv.Client().Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		srv.Close()
		if err == nil && resp.StatusCode == 200 || good.hits.Load() != 0 {
			t.Fatalf("%s: status %v err %v, good hits %d; want a failure and no retry", first, resp.StatusCode, err, good.hits.Load())
		}
	}
}

// Ensure that the retry plan refuses a request whose body was read.
func TestRetryPlanBodyRead(t *testing.T) {
	e := &store.EffectivePolicy{}
	e.Retries, e.RetryTimeout = 2, time.Second
	r := httptest.NewRequest("PUT", "/", strings.NewReader("x"))
	p := newRetryPlan(r, e, time.Now())
	dial := &net.OpError{Op: "dial", Err: errors.New("refused")}
	if !p.may(r, dial) {
		t.Fatal("unread body: no retry")
	}
	r.Body.Read(make([]byte, 1))
	if p.may(r, dial) {
		t.Fatal("read body: retried")
	}
	if p := newRetryPlan(httptest.NewRequest("POST", "/", nil), e, time.Now()); p.may(r, dial) {
		t.Fatal("POST: retried")
	}
}

// Ensure that the breaker opens on errors and answers 503 with
// Retry-After without touching the backend, lets a probe through after the
// cool-down, closes when it succeeds and opens again when it fails.
func TestBreakerThroughProxy(t *testing.T) {
	var failing atomic.Bool
	var hits atomic.Int64
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if failing.Load() {
			w.WriteHeader(500)
		}
	}))
	defer be.Close()
	now := time.Unix(1e9, 0)
	var mu atomic.Int64 // the clock's offset, in ns
	clock := func() time.Time { return now.Add(time.Duration(mu.Load())) }
	l := newLiveWith(t, Options{Breakers: balance.NewBreakers(clock)}, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	l.change(acmePolicy(store.Policy{"breaker": "on", "breaker-min-requests": "4", "breaker-cooldown": "5s", "breaker-probes": "1"}))
	srv := frontend(t, l.h)
	defer srv.Close()
	id := l.h.Table().Tenant("acme").ID
	state := func() string { st, _ := l.h.Breaker(id); return st.State }
	status := func() int { resp, _ := send(t, srv, "GET", nil, 0); return resp.StatusCode }

	failing.Store(true)
	for range 4 {
		if s := status(); s != 500 {
			t.Fatalf("closed: status %d", s)
		}
	}
	if state() != balance.BreakerOpen {
		t.Fatalf("after 4 errors: %s", state())
	}
	resp, body := send(t, srv, "GET", nil, 0)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "5" || hits.Load() != 4 || !strings.Contains(body, "recover") {
		t.Fatalf("open: %d Retry-After %q, backend hits %d", resp.StatusCode, resp.Header.Get("Retry-After"), hits.Load())
	}
	mu.Add(int64(5 * time.Second))
	if state() != balance.BreakerHalfOpen {
		t.Fatalf("after the cool-down: %s", state())
	}
	failing.Store(false)
	if s := status(); s != 200 || state() != balance.BreakerClosed {
		t.Fatalf("probe: %d, state %s", s, state())
	}
	failing.Store(true)
	for range 4 {
		status()
	}
	mu.Add(int64(5 * time.Second))
	if s := status(); s != 500 || state() != balance.BreakerOpen {
		t.Fatalf("failed probe: %d, state %s", s, state())
	}
	l.change(acmePolicy(store.Policy{"breaker": "on", "breaker-min-requests": "4", "breaker-cooldown": "6s"}))
	if state() != balance.BreakerOpen {
		t.Fatalf("a rebuild lost the breaker: %s", state())
	}
}

// blocking is a backend whose handler waits until the test ends; before
// that it may write and flush a first chunk.
func blocking(t *testing.T, first string) *httptest.Server {
	stop := make(chan struct{})
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if first != "" {
			io.WriteString(w, first)
			w.(http.Flusher).Flush()
		}
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stop); be.Close() })
	return be
}

// Ensure that a tenant's response-header timeout and request timeout give
// 504 when the backend has not answered, and that a request timeout cuts
// an answer that already started.
func TestTenantTimeouts(t *testing.T) {
	slow, streaming := blocking(t, ""), blocking(t, "first\n")
	for _, c := range []struct {
		key string
		be  *httptest.Server
	}{{"response-header-timeout", slow}, {"request-timeout", slow}} {
		l := newLive(t, tenants("example.test", map[string][]string{"acme": {c.be.URL}}))
		l.change(acmePolicy(store.Policy{c.key: "50ms", "retries": "0"}))
		srv := frontend(t, l.h)
		start := time.Now()
		resp, _ := send(t, srv, "GET", nil, 0)
		srv.Close()
		if resp.StatusCode != 504 || time.Since(start) > 2*time.Second {
			t.Fatalf("%s: %d after %s, want 504 at once", c.key, resp.StatusCode, time.Since(start))
		}
	}
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {streaming.URL}}))
	l.change(acmePolicy(store.Policy{"request-timeout": "100ms", "response-header-timeout": "50ms"}))
	srv := frontend(t, l.h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/p", nil)
	req.Host = "acme.example.test"
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "first\n" || err == nil {
		t.Fatalf("streaming cut: %d %q %v; want 200, the first chunk and a broken body", resp.StatusCode, b, err)
	}
}

// Ensure that max-body answers 413 before forwarding when Content-Length
// is too big, and 413 when a chunked body goes over while streaming.
func TestMaxBody(t *testing.T) {
	var got atomic.Int64
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		got.Add(n)
	}))
	defer be.Close()
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	l.change(acmePolicy(store.Policy{"max-body": "1K"}))
	srv := frontend(t, l.h)
	defer srv.Close()
	if resp, _ := send(t, srv, "POST", strings.NewReader(strings.Repeat("x", 1024)), 0); resp.StatusCode != 200 || got.Load() != 1024 {
		t.Fatalf("at the limit: %d, backend read %d", resp.StatusCode, got.Load())
	}
	got.Store(0)
	if resp, body := send(t, srv, "POST", strings.NewReader(strings.Repeat("x", 2048)), 0); resp.StatusCode != 413 || got.Load() != 0 || !strings.Contains(body, "1024 bytes") {
		t.Fatalf("Content-Length over: %d %q, backend read %d", resp.StatusCode, body, got.Load())
	}
	chunked := io.MultiReader(strings.NewReader(strings.Repeat("x", 4096))) // no length: sent chunked
	if resp, _ := send(t, srv, "PUT", chunked, -1); resp.StatusCode != 413 || got.Load() > 1024 {
		t.Fatalf("chunked over: %d, backend read %d", resp.StatusCode, got.Load())
	}
}

// Ensure that a tenant's connect-timeout reaches the transport's dialer:
// with 1ns no dial can finish, and the client gets 504.
func TestTenantConnectTimeout(t *testing.T) {
	good := newBackend(t, "good")
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {good.URL}}))
	srv := frontend(t, l.h)
	defer srv.Close()
	l.change(acmePolicy(store.Policy{"connect-timeout": "1ns"}))
	if resp, _ := send(t, srv, "GET", nil, 0); resp.StatusCode != 504 || good.hits.Load() != 0 {
		t.Fatalf("connect-timeout=1ns: %d, backend hits %d; want 504 and none", resp.StatusCode, good.hits.Load())
	}
	l.change(acmePolicy(store.Policy{"connect-timeout": "1s"}))
	if resp, _ := send(t, srv, "GET", nil, 0); resp.StatusCode != 200 {
		t.Fatalf("connect-timeout=1s: %d", resp.StatusCode)
	}
}

// Ensure that a half-open probe whose answer breaks mid-stream (the
// request timeout cuts it) gives its slot back, so the breaker can close.
func TestBreakerProbeSlotOnAbort(t *testing.T) {
	now := time.Unix(1e9, 0)
	var off atomic.Int64
	clock := func() time.Time { return now.Add(time.Duration(off.Load())) }
	var fail atomic.Bool
	fail.Store(true)
	stream := blocking(t, "first\n")
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			w.WriteHeader(500)
		}
	}))
	defer be.Close()
	l := newLiveWith(t, Options{Breakers: balance.NewBreakers(clock)}, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	l.change(acmePolicy(store.Policy{"breaker": "on", "breaker-min-requests": "1", "breaker-probes": "1", "request-timeout": "100ms"}))
	srv := frontend(t, l.h)
	defer srv.Close()
	send(t, srv, "GET", nil, 0) // opens it
	off.Add(int64(time.Minute))
	l.change(func(tx store.Tx) error { // the probe goes to a backend that streams and hangs
		if err := tx.RemoveBackend("acme", store.DefaultPool, be.URL); err != nil {
			return err
		}
		return tx.AddBackend(&store.Backend{Tenant: "acme", URL: stream.URL})
	})
	req, _ := http.NewRequest("GET", srv.URL+"/p", nil)
	req.Host = "acme.example.test"
	if resp, err := srv.Client().Do(req); err == nil {
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	id := l.h.Table().Tenant("acme").ID
	if st, _ := l.h.Breaker(id); st.State != balance.BreakerHalfOpen {
		t.Fatalf("after the cut probe: %s", st.State)
	}
	if _, ok, _ := l.h.brk.Get(id).Allow(); !ok {
		t.Fatal("the cut probe kept its slot")
	}
}
