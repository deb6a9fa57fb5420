package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// The abuse suite: hostile HTTP sent as raw bytes to the real `foyer
// serve`, with a backend that records exactly the bytes it receives.

// rawBackend is a loopback HTTP/1.1 backend that records the bytes each
// connection received and answers every request it can parse with "ok".
type rawBackend struct {
	ln      net.Listener
	mu      sync.Mutex      // guards streams
	streams []*bytes.Buffer // bytes received, per connection, since take
}

func newRawBackend(t *testing.T) *rawBackend {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &rawBackend{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go b.handle(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return b
}

func (b *rawBackend) URL() string { return "http://" + b.ln.Addr().String() }

// streamWriter appends to one connection's record.
type streamWriter struct {
	b   *rawBackend
	buf *bytes.Buffer
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	return w.buf.Write(p)
}

func (b *rawBackend) handle(c net.Conn) {
	defer c.Close()
	buf := &bytes.Buffer{}
	b.mu.Lock()
	b.streams = append(b.streams, buf)
	b.mu.Unlock()
	br := bufio.NewReader(io.TeeReader(c, streamWriter{b, buf}))
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			return
		}
		if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
			return
		}
	}
}

// take returns the bytes each connection received since the last take,
// leaving out connections that received none.
func (b *rawBackend) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, buf := range b.streams {
		if buf.Len() > 0 {
			out = append(out, buf.String())
			buf.Reset()
		}
	}
	return out
}

// forwarded is one request as the backend received it.
type forwarded struct {
	method, uri, raw, body string
}

// parseForwarded splits what the backend received into requests and
// checks each is well formed byte for byte: CRLF line ends only, no
// folded header, at most one framing header (Content-Length or
// Transfer-Encoding: chunked). truncated counts streams that ended inside
// a request (the proxy gave up on it; the backend must discard it).
func parseForwarded(t *testing.T, streams []string) (reqs []forwarded, truncated int) {
	t.Helper()
	for _, s := range streams {
		sr := strings.NewReader(s)
		br := bufio.NewReader(sr)
		off := 0
		for off < len(s) {
			req, err := http.ReadRequest(br)
			var body []byte
			if err == nil {
				body, err = io.ReadAll(req.Body)
			}
			if err != nil {
				truncated++
				break
			}
			end := len(s) - sr.Len() - br.Buffered()
			raw := s[off:end]
			off = end
			head, _, _ := strings.Cut(raw, "\r\n\r\n")
			framing := 0
			for i, line := range strings.Split(head, "\r\n") {
				if strings.Contains(line, "\n") || strings.Contains(line, "\r") {
					t.Errorf("backend got a bare LF or CR in line %d: %q", i, raw)
				}
				if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
					t.Errorf("backend got a folded header line: %q", raw)
				}
				name, value, _ := strings.Cut(strings.ToLower(line), ":")
				switch name {
				case "content-length":
					framing++
				case "transfer-encoding":
					framing++
					if strings.TrimSpace(value) != "chunked" {
						t.Errorf("backend got Transfer-Encoding %q: %q", value, raw)
					}
				}
			}
			if framing > 1 {
				t.Errorf("backend got %d framing headers: %q", framing, raw)
			}
			reqs = append(reqs, forwarded{req.Method, req.RequestURI, raw, string(body)})
		}
	}
	return reqs, truncated
}

// exchange sends raw bytes on a new connection to addr and reads the
// answers: the status of each, the first one's headers, and whether
// foyer closed the connection (else it stayed open 300ms after the last
// answer).
func exchange(t *testing.T, addr, raw string) (statuses []int, first http.Header, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for range 10 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			var ne net.Error
			return statuses, first, !(errors.As(err, &ne) && ne.Timeout())
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if first == nil {
			first = resp.Header
		}
		statuses = append(statuses, resp.StatusCode)
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	}
	t.Fatal("more than 10 answers")
	return
}

// abuseLimits are the limits the abuse daemon runs with: small, so the
// suite is fast.
var abuseLimits = [][2]string{
	{"read-header-timeout", "1s"}, {"body-read-timeout", "1s"}, {"body-min-rate", "100"},
	{"max-uri-bytes", "1024"}, {"max-header-bytes", "8192"}, {"max-header-count", "30"},
}

// startAbuseDaemon runs foyer with abuseLimits, tenant acme on a raw
// backend and tenant beta on an ordinary one, both with a certificate.
func startAbuseDaemon(t *testing.T) (*daemon, *rawBackend, *seenBackend, *x509.CertPool) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	raw, beta := newRawBackend(t), newSeenBackend(t, "beta")
	d.must("settings", "set", "base-domain", "example.test")
	for _, kv := range abuseLimits {
		d.must("settings", "set", kv[0], kv[1])
	}
	d.must("tenant", "add", "acme")
	d.must("tenant", "add", "beta")
	d.must("backend", "add", "acme", raw.URL())
	d.must("backend", "add", "beta", beta.URL)
	pool := importCert(t, d, "acme.example.test", "beta.example.test")
	// Server-side limits are read when the listeners start.
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	d = startDaemon(t, dir)
	d.applied()
	return d, raw, beta, pool
}

const acmeHost = "Host: acme.example.test\r\n"
const smuggled = "GET /smuggled HTTP/1.1\r\n" + acmeHost + "\r\n"

// Ensure that request smuggling variants sent to the real binary are
// refused, or normalised so that the backend receives exactly one
// well-formed request and never a smuggled second one.
func TestServeAbuseSmuggling(t *testing.T) {
	d, raw, _, _ := startAbuseDaemon(t)
	addr := d.status.Listeners["http"]
	clte := "0\r\n\r\n" + smuggled
	extFlood := ""
	for range 64 {
		extFlood += "1;ext=" + strings.Repeat("x", 2000) + "\r\na\r\n"
	}
	for _, c := range []struct {
		name, raw string
		status    int    // the first answer's status
		body      string // normalised: the one request's body at the backend; refused: "-"
		close     bool   // foyer must close the connection after the answer
		fast      int    // the fast engine refuses what net/http normalises: its status (0: as above)
	}{
		{"CL and TE", "POST /a HTTP/1.1\r\n" + acmeHost + "Content-Length: " + strconv.Itoa(len(clte)) +
			"\r\nTransfer-Encoding: chunked\r\n\r\n" + clte, 200, "", true, 400},
		{"TE and CL", "POST /a HTTP/1.1\r\n" + acmeHost + "Transfer-Encoding: chunked\r\nContent-Length: " +
			strconv.Itoa(len(clte)) + "\r\n\r\n" + clte, 200, "", true, 400},
		{"conflicting CL", "POST /a HTTP/1.1\r\n" + acmeHost + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde", 400, "-", true, 0},
		{"CL list", "POST /a HTTP/1.1\r\n" + acmeHost + "Content-Length: 3, 3\r\n\r\nabc", 400, "-", true, 0},
		{"CL with sign", "POST /a HTTP/1.1\r\n" + acmeHost + "Content-Length: +3\r\n\r\nabc", 400, "-", true, 0},
		{"duplicate equal CL", "POST /a HTTP/1.1\r\n" + acmeHost + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 200, "abc", false, 400},
		{"bad chunk size", "POST /a HTTP/1.1\r\n" + acmeHost + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n" + smuggled, 0, "-", true, 0},
		{"chunk size overflow", "POST /a HTTP/1.1\r\n" + acmeHost + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n" + smuggled, 0, "-", true, 0},
		{"chunk without CRLF", "POST /a HTTP/1.1\r\n" + acmeHost + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n" + smuggled, 0, "-", true, 0},
		{"chunk extension flood", "POST /a HTTP/1.1\r\n" + acmeHost + "Transfer-Encoding: chunked\r\n\r\n" + extFlood + "0\r\n\r\n" + smuggled, 0, "-", true, 0},
		{"obs-fold", "GET /fold HTTP/1.1\r\n" + acmeHost + "X-A: a\r\n Transfer-Encoding: chunked\r\n\r\n", 200, "", false, 400},
		{"bare LF", "GET /lf HTTP/1.1\n" + strings.TrimSuffix(acmeHost, "\r\n") + "\nX-A: a\n\n", 200, "", false, 400},
		{"TE gzip", "POST /a HTTP/1.1\r\n" + acmeHost + "Transfer-Encoding: gzip\r\n\r\nabc", 501, "-", true, 400},
		{"TE twice", "POST /a HTTP/1.1\r\n" + acmeHost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 501, "-", true, 400},
		{"TE space before colon", "POST /a HTTP/1.1\r\n" + acmeHost + "Transfer-Encoding : chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + smuggled, 400, "-", true, 0},
		{"TE in HTTP/1.0", "POST /a HTTP/1.0\r\n" + acmeHost + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + smuggled, 200, "", true, 400},
	} {
		if c.fast != 0 && fastEngine() {
			c.status, c.body, c.close = c.fast, "-", true
		}
		t.Run(c.name, func(t *testing.T) {
			raw.take()
			statuses, _, closed := exchange(t, addr, c.raw)
			time.Sleep(50 * time.Millisecond) // anything still on its way to the backend
			reqs, truncated := parseForwarded(t, raw.take())
			t.Logf("answers %v, closed %v; backend: %d requests, %d truncated", statuses, closed, len(reqs), truncated)
			for _, r := range reqs {
				if strings.Contains(r.raw, "smuggled") {
					t.Fatalf("a smuggled request reached the backend: %q", r.raw)
				}
			}
			if c.close && !closed {
				t.Errorf("the connection stayed open after %v", statuses)
			}
			if c.status != 0 && (len(statuses) == 0 || statuses[0] != c.status) {
				t.Errorf("answers %v, want %d first", statuses, c.status)
			}
			if c.body == "-" {
				if len(reqs) != 0 {
					t.Fatalf("refused request reached the backend: %+v", reqs)
				}
				if len(statuses) > 0 && statuses[0] < 400 {
					t.Errorf("refused request answered %v", statuses)
				}
				return
			}
			if len(reqs) != 1 || truncated != 0 || reqs[0].body != c.body {
				t.Fatalf("backend got %d requests (%d truncated), want one with body %q: %+v", len(reqs), truncated, c.body, reqs)
			}
		})
	}
}

// Ensure that the head size, header count and URI length limits answer
// 431, 431 and 414 before routing, and that requests within them pass.
func TestServeAbuseLimits(t *testing.T) {
	d, raw, _, _ := startAbuseDaemon(t)
	addr := d.status.Listeners["http"]
	headers := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "X-H%d: v\r\n", i)
		}
		return b.String()
	}
	for _, c := range []struct {
		name, raw string
		status    int
	}{
		{"head within max-header-bytes", "GET / HTTP/1.1\r\n" + acmeHost + "X-Big: " + strings.Repeat("a", 6000) + "\r\n\r\n", 200},
		// net/http allows 4 KiB over MaxHeaderBytes before it refuses.
		{"head over max-header-bytes", "GET / HTTP/1.1\r\n" + acmeHost + "X-Big: " + strings.Repeat("a", 13000) + "\r\n\r\n", 431},
		{"headers within max-header-count", "GET / HTTP/1.1\r\n" + acmeHost + headers(28) + "\r\n", 200},
		{"headers over max-header-count", "GET / HTTP/1.1\r\n" + acmeHost + headers(31) + "\r\n", 431},
		{"URI within max-uri-bytes", "GET /" + strings.Repeat("u", 1000) + " HTTP/1.1\r\n" + acmeHost + "\r\n", 200},
		{"URI over max-uri-bytes", "GET /" + strings.Repeat("u", 1100) + " HTTP/1.1\r\n" + acmeHost + "\r\n", 414},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw.take()
			statuses, _, _ := exchange(t, addr, c.raw)
			time.Sleep(50 * time.Millisecond)
			reqs, _ := parseForwarded(t, raw.take())
			if len(statuses) != 1 || statuses[0] != c.status {
				t.Fatalf("answers %v, want %d", statuses, c.status)
			}
			if want := map[bool]int{true: 1, false: 0}[c.status == 200]; len(reqs) != want {
				t.Fatalf("backend got %d requests, want %d", len(reqs), want)
			}
		})
	}
	t.Run("max-uri-bytes over max-header-bytes is refused", func(t *testing.T) {
		_, stderr, code := d.run("settings", "set", "max-uri-bytes", "9000")
		if code == 0 || !strings.Contains(stderr, "max-header-bytes (8192)") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
	t.Run("foyer's error page", func(t *testing.T) {
		c := &http.Client{Timeout: 5 * time.Second}
		code, body := hostGet(t, c, d.url("http")+"/"+strings.Repeat("u", 1100), "acme.example.test")
		if code != 414 || !strings.Contains(body, "foyer") || !strings.Contains(body, "1024 bytes") {
			t.Fatalf("%d %q", code, body)
		}
	})
}

// closedWithin writes head to a new connection, then trickles drip every
// 100ms, and returns how long foyer took to close the connection (at
// most limit) and the status it answered, if any.
func closedWithin(t *testing.T, addr, head, drip string, limit time.Duration) (time.Duration, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	io.WriteString(c, head)
	got := make(chan string, 1)
	go func() {
		c.SetReadDeadline(start.Add(limit))
		b, _ := io.ReadAll(c)
		line, _, _ := strings.Cut(string(b), "\r\n")
		got <- line
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case line := <-got:
			return time.Since(start), line
		case <-tick.C:
			if drip != "" {
				io.WriteString(c, drip) // an error means foyer closed; the reader sees it
			}
		}
	}
}

// Ensure that a client trickling its request head, or its body, or
// stopping mid-body, is cut off within the configured time, while an
// upload that keeps moving passes.
func TestServeAbuseSlowClients(t *testing.T) {
	d, raw, _, _ := startAbuseDaemon(t)
	addr := d.status.Listeners["http"]
	const limit = 4 * time.Second // read-header-timeout and body-read-timeout are 1s
	for _, c := range []struct{ name, head, drip string }{
		{"slowloris head", "GET / HTTP/1.1\r\n" + acmeHost, "X-A: b\r\n"},
		{"slow body", "POST / HTTP/1.1\r\n" + acmeHost + "Content-Length: 100000\r\n\r\n", "a"},
		{"stalled body", "POST / HTTP/1.1\r\n" + acmeHost + "Content-Length: 100000\r\n\r\n" + strings.Repeat("a", 50), ""},
		{"slow chunked body", "POST / HTTP/1.1\r\n" + acmeHost + "Transfer-Encoding: chunked\r\n\r\n", "1\r\na\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			took, status := closedWithin(t, addr, c.head, c.drip, limit)
			t.Logf("closed after %v, answer %q", took.Round(time.Millisecond), status)
			if took >= limit {
				t.Fatalf("connection still open after %v", took)
			}
			// A head that never ends gets no answer; a body that does
			// not arrive gets 408.
			if want := " 408 "; c.drip == "X-A: b\r\n" && strings.Contains(status, " 200 ") ||
				c.drip != "X-A: b\r\n" && !strings.Contains(status, want) {
				t.Fatalf("answered %q", status)
			}
		})
	}
	t.Run("a moving upload passes", func(t *testing.T) {
		raw.take()
		body := strings.Repeat("b", 512<<10)
		statuses, _, _ := exchange(t, addr, "POST /up HTTP/1.1\r\n"+acmeHost+"Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
		if len(statuses) != 1 || statuses[0] != 200 {
			t.Fatalf("answers %v", statuses)
		}
		reqs, _ := parseForwarded(t, raw.take())
		if len(reqs) != 1 || reqs[0].body != body {
			t.Fatalf("backend got %d requests", len(reqs))
		}
	})
}

// h2Conn opens an HTTP/2 connection to addr for sni and drains what the
// server sends; closed is closed when the server ends the connection.
func h2Conn(t *testing.T, addr, sni string, pool *x509.CertPool) (fr *http2.Framer, c net.Conn, closed chan struct{}) {
	t.Helper()
	tc, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: sni, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := tc.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("ALPN %q", p)
	}
	t.Cleanup(func() { tc.Close() })
	io.WriteString(tc, http2.ClientPreface)
	fr = http2.NewFramer(tc, tc)
	fr.WriteSettings()
	closed = make(chan struct{})
	rfr := http2.NewFramer(io.Discard, tc)
	go func() {
		defer close(closed)
		for {
			if _, err := rfr.ReadFrame(); err != nil {
				return
			}
		}
	}()
	return fr, tc, closed
}

func h2Headers(path string, extra int) []byte {
	var b bytes.Buffer
	enc := hpack.NewEncoder(&b)
	enc.WriteField(hpack.HeaderField{Name: ":method", Value: "GET"})
	enc.WriteField(hpack.HeaderField{Name: ":scheme", Value: "https"})
	enc.WriteField(hpack.HeaderField{Name: ":authority", Value: "acme.example.test"})
	enc.WriteField(hpack.HeaderField{Name: ":path", Value: path})
	for i := range extra {
		enc.WriteField(hpack.HeaderField{Name: "x-flood-" + strconv.Itoa(i), Value: strings.Repeat("f", 100), Sensitive: true})
	}
	return b.Bytes()
}

// watchOther sends requests for tenant beta over its own HTTP/2
// connection until stop is closed, and reports how many succeeded and the
// first failure or slow answer (over 2s).
func watchOther(t *testing.T, d *daemon, pool *x509.CertPool, stop <-chan struct{}) func() (int, error) {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "beta.example.test"}, ForceAttemptHTTP2: true}
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	var ok atomic.Int64
	var fail error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer tr.CloseIdleConnections()
		for {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			req, _ := http.NewRequest("GET", d.url("https")+"/", nil)
			req.Host = "beta.example.test"
			resp, err := c.Do(req)
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(b) != "beta" || resp.ProtoMajor != 2 {
					err = fmt.Errorf("answer %d %s %q", resp.StatusCode, resp.Proto, b)
				}
			}
			if err == nil && time.Since(start) > 2*time.Second {
				err = fmt.Errorf("answer took %v", time.Since(start))
			}
			if err != nil {
				fail = err
				return
			}
			ok.Add(1)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() (int, error) { <-done; return int(ok.Load()), fail }
}

// Ensure that an HTTP/2 rapid reset and a CONTINUATION flood on one
// connection do not stop another tenant's requests on another connection.
func TestServeAbuseHTTP2(t *testing.T) {
	d, _, _, pool := startAbuseDaemon(t)
	addr := d.status.Listeners["https"]
	t.Run("rapid reset", func(t *testing.T) {
		stop := make(chan struct{})
		result := watchOther(t, d, pool, stop)
		fr, c, closed := h2Conn(t, addr, "acme.example.test", pool)
		block := h2Headers("/rr", 0)
		start, sent := time.Now(), 0
		for id := uint32(1); id < 2*20000 && time.Since(start) < 3*time.Second; id += 2 {
			c.SetWriteDeadline(time.Now().Add(time.Second))
			if fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block, EndStream: true, EndHeaders: true}) != nil ||
				fr.WriteRSTStream(id, http2.ErrCodeCancel) != nil {
				break
			}
			sent++
		}
		time.Sleep(300 * time.Millisecond)
		close(stop)
		n, err := result()
		select {
		case <-closed:
			t.Logf("rapid reset: %d streams sent and reset in %v; foyer closed the connection", sent, time.Since(start).Round(time.Millisecond))
		default:
			t.Logf("rapid reset: %d streams sent and reset in %v; connection still open", sent, time.Since(start).Round(time.Millisecond))
		}
		t.Logf("other tenant: %d requests succeeded meanwhile", n)
		if err != nil || n == 0 {
			t.Fatalf("other tenant after %d good requests: %v", n, err)
		}
	})
	t.Run("CONTINUATION flood", func(t *testing.T) {
		stop := make(chan struct{})
		result := watchOther(t, d, pool, stop)
		fr, c, closed := h2Conn(t, addr, "acme.example.test", pool)
		flood := h2Headers("/cf", 200)
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: h2Headers("/cf", 0)})
		start, frames := time.Now(), 0
	loop:
		for frames < 100000 && time.Since(start) < 3*time.Second {
			select {
			case <-closed:
				break loop
			default:
			}
			c.SetWriteDeadline(time.Now().Add(time.Second))
			if fr.WriteContinuation(1, false, flood) != nil {
				break
			}
			frames++
		}
		var ended time.Duration
		select {
		case <-closed:
			ended = time.Since(start)
		case <-time.After(3 * time.Second):
		}
		close(stop)
		n, err := result()
		t.Logf("CONTINUATION flood: %d frames (%d KiB) sent; foyer closed the connection after %v; other tenant: %d requests succeeded",
			frames, frames*len(flood)>>10, ended.Round(time.Millisecond), n)
		if ended == 0 {
			t.Error("foyer kept a connection open through a CONTINUATION flood")
		}
		if err != nil || n == 0 {
			t.Fatalf("other tenant after %d good requests: %v", n, err)
		}
	})
}
