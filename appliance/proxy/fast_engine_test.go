package proxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// startEngine serves h through a fast Engine on a loopback listener (TLS
// when c.TLS is set) and returns its address.
func startEngine(t testing.TB, h http.Handler, c EngineConfig) string {
	addr, _ := serveEngine(t, h, c)
	return addr
}

// serveEngine is startEngine that also returns a function stopping the
// engine (draining its connections); the test's cleanup calls it too.
func serveEngine(t testing.TB, h http.Handler, c EngineConfig) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	std := &http.Server{Handler: h, TLSConfig: c.TLS}
	e := NewEngine(std, c)
	done := make(chan error, 1)
	go func() { done <- e.Serve(ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = e.Shutdown(ctx)
			_ = std.Shutdown(ctx)
			if err := <-done; err != http.ErrServerClosed {
				t.Errorf("Serve returned %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return ln.Addr().String(), stop
}

// rawConn is a client connection that writes raw bytes and reads
// responses.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

// read reads one response and its whole body.
func (c *rawConn) read(t testing.TB, method string) (*http.Response, string, error) {
	t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b), err
}

// countedBackend is newBackend counting the connections it accepted.
func countedBackend(t *testing.T, name string) (*backend, *atomic.Int64) {
	b, n := &backend{}, &atomic.Int64{}
	b.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		b.mu.Lock()
		b.last, b.host = r.Header.Clone(), r.Host
		b.mu.Unlock()
		io.WriteString(w, name+" "+r.URL.Path)
	}))
	b.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			n.Add(1)
		}
	}
	b.Start()
	t.Cleanup(b.Close)
	return b, n
}

// engineProbe tells, in a response header, whether the fast engine's
// writer served the request.
func engineProbe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if engineWriterOf(w) != nil {
			w.Header().Set("X-Engine", "fast")
		} else {
			w.Header().Set("X-Engine", "std")
		}
		next.ServeHTTP(w, r)
	})
}

const acmeGet = "GET /%s HTTP/1.1\r\nHost: acme.example.test\r\n\r\n"

// Ensure that pipelined requests sent in one write are answered in order
// on the one connection, over one pooled backend connection.
func TestFastPipelined(t *testing.T) {
	be, conns := countedBackend(t, "b1")
	h := setup(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	addr := startEngine(t, engineProbe(h), EngineConfig{})
	c := dialRaw(t, addr)
	fmt.Fprintf(c, acmeGet+acmeGet+acmeGet, "one", "two", "three")
	for _, want := range []string{"b1 /one", "b1 /two", "b1 /three"} {
		resp, body, err := c.read(t, "GET")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || body != want || resp.Header.Get("X-Engine") != "fast" {
			t.Fatalf("answer %d %q (engine %q), want 200 %q", resp.StatusCode, body, resp.Header.Get("X-Engine"), want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("backend saw %d connections, want 1 (pooled)", n)
	}
	hdr, host := be.seen()
	if host != "acme.example.test" || hdr.Get("X-Foyer-Tenant") != "acme" || hdr.Get("X-Forwarded-For") != "127.0.0.1" ||
		hdr.Get("X-Forwarded-Proto") != "http" || hdr.Get("X-Forwarded-Host") != "acme.example.test" || hdr.Get("X-Request-Id") == "" {
		t.Errorf("backend saw host %q, header %v", host, hdr)
	}
}

// Ensure that a client closing mid-body and a backend closing mid-body
// end those requests (the client sees a cut answer) and poison neither
// pool: the next requests are served.
func TestFastEarlyClose(t *testing.T) {
	var cut atomic.Bool
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/cut" {
			cut.Store(true)
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, "only ten..")
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // close mid-body
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(be.Close)
	h := setup(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	addr := startEngine(t, h, EngineConfig{})

	c := dialRaw(t, addr)
	io.WriteString(c, "POST /up HTTP/1.1\r\nHost: acme.example.test\r\nContent-Length: 100000\r\n\r\n0123456789")
	c.Close()

	c = dialRaw(t, addr)
	fmt.Fprintf(c, acmeGet, "cut")
	resp, body, err := c.read(t, "GET")
	if err == nil || resp.StatusCode != 200 || !cut.Load() {
		t.Fatalf("cut answer read whole: %v %q %v", resp, body, err)
	}
	for i := range 3 {
		c = dialRaw(t, addr)
		fmt.Fprintf(c, acmeGet, "after")
		if resp, body, err := c.read(t, "GET"); err != nil || resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("request %d after the cuts: %v %q %v", i, resp, body, err)
		}
	}
}

// closingBackend answers every request with keep-alive and then closes
// the connection, as a backend whose idle timeout fires just as foyer
// reuses the connection. closed receives after each close.
func closingBackend(t *testing.T) (url string, closed chan struct{}, reqs *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	closed, reqs = make(chan struct{}, 100), &atomic.Int64{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { c.Close(); closed <- struct{}{} }()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				reqs.Add(1)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}()
		}
	}()
	return "http://" + ln.Addr().String(), closed, reqs
}

// Ensure that a request on a pooled connection the backend has closed is
// sent again on a fresh connection when nothing of it was taken (a GET),
// and that a POST whose body was being streamed is not sent again.
func TestFastKeepAliveRace(t *testing.T) {
	url, closed, reqs := closingBackend(t)
	h := setup(t, tenants("example.test", map[string][]string{"acme": {url}}))
	addr := startEngine(t, h, EngineConfig{})
	c := dialRaw(t, addr)
	for i := range 3 {
		fmt.Fprintf(c, acmeGet, "x")
		if resp, _, err := c.read(t, "GET"); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %d on a stale pooled connection: %v %v", i, resp, err)
		}
		<-closed // the pooled connection is now closed by the backend
	}
	if n := reqs.Load(); n != 3 {
		t.Fatalf("backend answered %d requests, want 3", n)
	}
	body := strings.Repeat("p", 1<<20) // streamed, not kept for a resend
	fmt.Fprintf(c, "POST /p HTTP/1.1\r\nHost: acme.example.test\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	resp, _, err := c.read(t, "POST")
	if err != nil || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("POST on a stale pooled connection: %v %v, want 502", resp, err)
	}
	if n := reqs.Load(); n != 3 {
		t.Fatalf("backend answered %d requests, want 3 (the POST not resent)", n)
	}
}

// Ensure that 8 MiB bodies pass both ways intact, by Content-Length and
// chunked.
func TestFastLargeBodies(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.New()
		n, _ := io.Copy(sum, r.Body)
		w.Header().Set("X-Sum", hex.EncodeToString(sum.Sum(nil)))
		w.Header().Set("X-Len", strconv.FormatInt(n, 10))
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length: chunked
		}
		_, _ = w.Write(bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16))
	}))
	t.Cleanup(be.Close)
	h := setup(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	addr := startEngine(t, h, EngineConfig{})
	up := bytes.Repeat([]byte("fedcba9876543210"), 8<<20/16)
	want := sha256.Sum256(up)
	wantDown := sha256.Sum256(bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16))
	for _, path := range []string{"/cl", "/chunked"} {
		req, _ := http.NewRequest("POST", "http://"+addr+path, bytes.NewReader(up))
		req.Host = "acme.example.test"
		if path == "/chunked" {
			req.ContentLength = -1
			req.Body = io.NopCloser(bytes.NewReader(up))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.New()
		n, err := io.Copy(sum, resp.Body)
		resp.Body.Close()
		if err != nil || n != 8<<20 || !bytes.Equal(sum.Sum(nil), wantDown[:]) {
			t.Errorf("%s: answer body %d bytes, %v", path, n, err)
		}
		if resp.Header.Get("X-Sum") != hex.EncodeToString(want[:]) || resp.Header.Get("X-Len") != strconv.Itoa(len(up)) {
			t.Errorf("%s: backend got %s bytes, sum %s", path, resp.Header.Get("X-Len"), resp.Header.Get("X-Sum"))
		}
	}
}

// Ensure that a backend slower than the response-header timeout gets 504,
// and a client slower than the read-header timeout is disconnected
// without an answer.
func TestFastSlow(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(be.Close)
	h := setup(t, func(tx store.Tx) error {
		s, _ := tx.Settings()
		s.UpstreamResponseHeaderTimeout = store.Duration(time.Second) // the least the setting takes
		if err := tx.SetSettings(s); err != nil {
			return err
		}
		return tenants("example.test", map[string][]string{"acme": {be.URL}})(tx)
	})
	addr := startEngine(t, h, EngineConfig{ReadHeaderTimeout: 200 * time.Millisecond})
	c := dialRaw(t, addr)
	fmt.Fprintf(c, acmeGet, "slow")
	if resp, _, err := c.read(t, "GET"); err != nil || resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("slow backend: %v %v, want 504", resp, err)
	}
	c = dialRaw(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: acme.example.test\r\n") // and nothing more
	if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
		t.Fatalf("slow client: read %q, %v; want a close without an answer", b, err)
	}
}

// Ensure that an upgrade request after a normal one on the same
// connection is handed to net/http and the upgraded connection echoes
// through foyer.
func TestFastUpgradeHandoff(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" {
			io.WriteString(w, "plain")
			return
		}
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		brw.Flush()
		_, _ = io.Copy(c, brw)
	}))
	t.Cleanup(be.Close)
	h := setup(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	addr := startEngine(t, engineProbe(h), EngineConfig{})
	c := dialRaw(t, addr)
	fmt.Fprintf(c, acmeGet, "first")
	if resp, body, err := c.read(t, "GET"); err != nil || body != "plain" || resp.Header.Get("X-Engine") != "fast" {
		t.Fatalf("first request: %v %q %v", resp, body, err)
	}
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: acme.example.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("X-Engine") != "std" {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	io.WriteString(c, "ping")
	got := make([]byte, 4)
	if _, err := io.ReadFull(c.br, got); err != nil || string(got) != "ping" {
		t.Fatalf("echo %q %v", got, err)
	}
}

// Ensure that over TLS an http/1.1 connection is served by the engine
// (r.TLS set, X-Forwarded-Proto https) and an h2 connection by net/http.
func TestFastTLS(t *testing.T) {
	be := newBackend(t, "b1")
	h := setup(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	ts := httptest.NewUnstartedServer(nil)
	ts.EnableHTTP2 = true
	ts.StartTLS() // only for its certificate and client
	defer ts.Close()
	cfg := ts.TLS.Clone()
	cfg.NextProtos = []string{"h2", "http/1.1"}
	addr := startEngine(t, engineProbe(h), EngineConfig{TLS: cfg})
	for _, proto := range []string{"http/1.1", "h2"} {
		tr := ts.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.NextProtos = []string{proto}
		tr.ForceAttemptHTTP2 = proto == "h2"
		if proto != "h2" {
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
		req, _ := http.NewRequest("GET", "https://"+addr+"/p", nil)
		req.Host = "acme.example.test"
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := map[string]string{"http/1.1": "fast", "h2": "std"}[proto]
		if resp.StatusCode != 200 || string(body) != "b1 /p" || resp.Header.Get("X-Engine") != want {
			t.Errorf("%s: %d %q engine %q, want %s", proto, resp.StatusCode, body, resp.Header.Get("X-Engine"), want)
		}
		if hdr, _ := be.seen(); hdr.Get("X-Forwarded-Proto") != "https" {
			t.Errorf("%s: X-Forwarded-Proto %q", proto, hdr.Get("X-Forwarded-Proto"))
		}
		tr.CloseIdleConnections()
	}
}

// Ensure that the engine refuses what its parser refuses with foyer's
// error page and closes, and that a chunked body with an invalid chunk
// never reaches the backend.
func TestFastRefusals(t *testing.T) {
	be := newBackend(t, "b1")
	h := setup(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	addr := startEngine(t, h, EngineConfig{MaxHeaderBytes: 4096, MaxURIBytes: 256, MaxHeaderCount: 10})
	for _, c := range []struct {
		name, raw string
		status    int
	}{
		{"CL and TE", "POST / HTTP/1.1\r\nHost: acme.example.test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"long URI", "GET /" + strings.Repeat("a", 300) + " HTTP/1.1\r\nHost: acme.example.test\r\n\r\n", 414},
		{"many headers", "GET / HTTP/1.1\r\nHost: acme.example.test\r\n" + strings.Repeat("X-A: b\r\n", 11) + "\r\n", 431},
		{"big head", "GET / HTTP/1.1\r\nHost: acme.example.test\r\nX-A: " + strings.Repeat("b", 5000) + "\r\n\r\n", 431},
		{"bad chunk", "POST / HTTP/1.1\r\nHost: acme.example.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400},
	} {
		conn := dialRaw(t, addr)
		io.WriteString(conn, c.raw)
		resp, body, err := conn.read(t, "GET")
		if err != nil || resp.StatusCode != c.status || !strings.Contains(body, "foyer") {
			t.Errorf("%s: %v %q %v, want %d", c.name, resp, body, err, c.status)
			continue
		}
		if rest, _ := io.ReadAll(conn.br); len(rest) != 0 {
			t.Errorf("%s: more after the refusal: %q", c.name, rest)
		}
	}
	if n := be.hits.Load(); n != 0 {
		t.Errorf("backend got %d requests", n)
	}
}

// Ensure that tenants whose backends name the same address share that
// address's idle connections: requests for two tenants in turn, one at a
// time, reach the backend over one connection.
func TestFastPoolSharedByAddress(t *testing.T) {
	be, conns := countedBackend(t, "b1")
	h := setup(t, tenants("example.test", map[string][]string{"acme": {be.URL}, "beta": {be.URL}}))
	addr := startEngine(t, engineProbe(h), EngineConfig{})
	c := dialRaw(t, addr)
	for i, slug := range []string{"acme", "beta", "acme", "beta"} {
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: %s.example.test\r\n\r\n", i, slug)
		resp, body, err := c.read(t, "GET")
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("b1 /%d", i); resp.StatusCode != 200 || body != want || resp.Header.Get("X-Engine") != "fast" {
			t.Fatalf("%s: answer %d %q (engine %q), want 200 %q", slug, resp.StatusCode, body, resp.Header.Get("X-Engine"), want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("backend saw %d connections for two tenants' requests in turn, want 1 (one pool per address)", n)
	}
}

// Ensure that the idle timeout, which the engine refreshes coarsely (not
// on every request), still lets a busy keep-alive connection live past
// the timeout and closes it once it idles past the timeout. The busy
// phase sends a request every 50 ms for 1.5 s against a 1 s timeout; the
// idle phase waits for the close for up to 15 s.
func TestFastIdleTimeoutCoarse(t *testing.T) {
	be, conns := countedBackend(t, "b1")
	h := setup(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	addr := startEngine(t, h, EngineConfig{IdleTimeout: time.Second})
	c := dialRaw(t, addr)
	for i := 0; i < 30; i++ {
		fmt.Fprintf(c, acmeGet, "busy")
		if resp, body, err := c.read(t, "GET"); err != nil || resp.StatusCode != 200 || body != "b1 /busy" {
			t.Fatalf("request %d on the busy connection: %v %q %v", i, resp, body, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
	if n, err := c.br.ReadByte(); err != io.EOF {
		t.Fatalf("an idle connection past the idle timeout: read %v, %v; want the engine to close it (EOF)", n, err)
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("the backend saw %d connections, want 1 (one client connection throughout)", n)
	}
}
