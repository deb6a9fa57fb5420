package proxy

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/proxy/h1"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// rawBackend is a minimal keep-alive backend: it answers every request
// head it reads with a fixed small answer, allocating nothing, so a
// benchmark's allocations are the proxy's.
func rawBackend(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	answer := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 16<<10)
				have := 0
				for {
					n, err := c.Read(buf[have:])
					if err != nil {
						return
					}
					have += n
					for {
						i := bytes.Index(buf[:have], []byte("\r\n\r\n"))
						if i < 0 {
							break
						}
						have = copy(buf, buf[i+4:have])
						if _, err := c.Write(answer); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// benchClient sends one small GET at a time on a keep-alive connection
// and reads the answer with the h1 parser (no allocation).
type benchClient struct {
	c    net.Conn
	buf  []byte
	have int
	resp h1.Response
	req  []byte
}

func (bc *benchClient) roundTrip(tb testing.TB) {
	if _, err := bc.c.Write(bc.req); err != nil {
		tb.Fatal(err)
	}
	for {
		if bc.have > 0 {
			err := h1.ParseResponse(bc.buf[:bc.have], h1.Limits{}, false, &bc.resp)
			if err == nil {
				if bc.resp.Status != 200 {
					tb.Fatalf("status %d", bc.resp.Status)
				}
				end := bc.resp.HeadLen + int(bc.resp.ContentLength)
				if bc.resp.ContentLength >= 0 && bc.have >= end {
					bc.have = copy(bc.buf, bc.buf[end:bc.have])
					return
				}
			} else if err != h1.ErrIncomplete {
				tb.Fatal(err)
			}
		}
		n, err := bc.c.Read(bc.buf[bc.have:])
		if err != nil {
			tb.Fatal(err)
		}
		bc.have += n
	}
}

// BenchmarkFastEngine measures one small keep-alive GET through foyer
// (identify, policy, pick, forward, record with live counters) over real
// loopback sockets, client -> foyer -> backend, with the fast engine and
// with net/http (std). ns/op includes the client's and the backend's
// share of the CPU; allocs/op are foyer's (client and backend allocate
// nothing).
func BenchmarkFastEngine(b *testing.B) {
	be := rawBackend(b)
	for _, engine := range []string{"fast", "std"} {
		b.Run(engine, func(b *testing.B) {
			f := newPolFixture(b, tenants("example.test", map[string][]string{"acme": {be}}))
			h := New(Options{Recorder: &traffic.Recorder{Live: traffic.NewLive(traffic.LiveOptions{})}})
			h.Swap(f.h.Table(), store.DefaultSettings())
			defer h.Close()
			var addr string
			if engine == "fast" {
				addr = startEngine(b, h, EngineConfig{MaxHeaderBytes: 64 << 10, MaxURIBytes: 8192, MaxHeaderCount: 100})
			} else {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				srv := &http.Server{Handler: h}
				go srv.Serve(ln)
				defer func() {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					srv.Shutdown(ctx)
				}()
				addr = ln.Addr().String()
			}
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			bc := &benchClient{c: c, buf: make([]byte, 16<<10),
				req: []byte("GET /p HTTP/1.1\r\nHost: acme.example.test\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")}
			bc.roundTrip(b) // warm the pools
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				bc.roundTrip(b)
			}
		})
	}
}

// Ensure that a small keep-alive GET through the fast engine allocates
// no more than the count written down in docs/architecture.md (a
// regression guard; the benchmark reports the exact figure).
func TestFastEngineAllocs(t *testing.T) {
	be := rawBackend(t)
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {be}}))
	h := New(Options{Recorder: &traffic.Recorder{Live: traffic.NewLive(traffic.LiveOptions{})}})
	h.Swap(f.h.Table(), store.DefaultSettings())
	defer h.Close()
	addr := startEngine(t, h, EngineConfig{MaxHeaderBytes: 64 << 10})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	bc := &benchClient{c: c, buf: make([]byte, 16<<10), req: []byte("GET /p HTTP/1.1\r\nHost: acme.example.test\r\n\r\n")}
	bc.roundTrip(t)
	allocs := testing.AllocsPerRun(200, func() { bc.roundTrip(t) })
	t.Logf("%.1f allocations per request", allocs)
	if allocs > maxFastAllocs {
		t.Errorf("%.1f allocations per request, want at most %d", allocs, maxFastAllocs)
	}
}

// maxFastAllocs is the allocation budget of a small GET through the fast
// engine with a recorder on (see docs/architecture.md).
const maxFastAllocs = 0
