package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// namedServer answers every request with its name.
func namedServer(t *testing.T, ln net.Listener, name string) *httptest.Server {
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, name)
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// Ensure that, against a running daemon, active health checks take a
// stopped backend out and bring it back when it listens again, that the
// health shows in `backend list`, that drain sends a backend no new
// requests, and that with none usable foyer answers 503 with Retry-After.
func TestE2EPoolHealthAndDrain(t *testing.T) {
	d := startDaemon(t, shortTempDir(t))
	lnA, _ := net.Listen("tcp", "127.0.0.1:0")
	lnB, _ := net.Listen("tcp", "127.0.0.1:0")
	a, b := namedServer(t, lnA, "a"), namedServer(t, lnB, "b")
	addrB := lnB.Addr().String()
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme")
	d.must("backend", "add", "acme", a.URL)
	d.must("backend", "add", "acme", b.URL)
	d.must("pool", "set", "acme", "default", "--health-path", "/healthz", "--health-interval", "100ms",
		"--health-timeout", "80ms", "--healthy", "1", "--unhealthy", "1")
	d.applied()
	c := &http.Client{Timeout: 5 * time.Second}
	hit := func() map[string]int {
		got := map[string]int{}
		for i := 0; i < 10; i++ {
			code, body := hostGet(t, c, d.url("http")+"/", "acme.example.test")
			got[body+"/"+http.StatusText(code)]++
		}
		return got
	}
	health := func(u string) api.Backend {
		var bs []api.Backend
		d.mustJSON(&bs, "backend", "list", "acme")
		for _, x := range bs {
			if x.URL == u {
				return x
			}
		}
		t.Fatalf("backend %s not listed: %+v", u, bs)
		return api.Backend{}
	}
	waitHealth := func(u, want string) api.Backend {
		deadline := time.Now().Add(10 * time.Second)
		for {
			if x := health(u); x.Health == want {
				return x
			}
			if time.Now().After(deadline) {
				t.Fatalf("backend %s never became %s: %+v", u, want, health(u))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitHealth(b.URL, "healthy")

	b.Close() // the listener goes away
	x := waitHealth(b.URL, "unhealthy")
	if x.LastError == "" || x.Changed == nil {
		t.Fatalf("unhealthy backend without last error or time: %+v", x)
	}
	if got := hit(); got["a/OK"] != 10 {
		t.Fatalf("with b down: %v", got)
	}
	if out := d.must("backend", "list", "acme"); !strings.Contains(out, "unhealthy") {
		t.Fatalf("backend list lacks the health column:\n%s", out)
	}
	lnB2, err := net.Listen("tcp", addrB)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addrB, err)
	}
	namedServer(t, lnB2, "b")
	waitHealth(b.URL, "healthy")

	d.must("backend", "drain", "acme", a.URL)
	d.applied()
	if got := hit(); got["b/OK"] != 10 {
		t.Fatalf("with a drained: %v", got)
	}
	if x := health(a.URL); x.Health != "draining" || !x.Drained {
		t.Fatalf("drained backend shows %+v", x)
	}
	d.must("backend", "drain", "acme", b.URL)
	d.applied()
	req, _ := http.NewRequest("GET", d.url("http")+"/", nil)
	req.Host = "acme.example.test"
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("all drained: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	d.must("backend", "undrain", "acme", a.URL)
	d.applied()
	if got := hit(); got["a/OK"] != 10 {
		t.Fatalf("after undrain of a: %v", got)
	}
}
