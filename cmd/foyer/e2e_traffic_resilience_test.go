package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Ensure that, against a running daemon, policy keys set with the CLI
// take effect: a GET whose first backend refuses the connection is
// retried on the next, a POST is never retried, max-body answers 413, and
// the breaker opens (503 with Retry-After) and shows in `pool list` and
// `tenant show`.
func TestE2EResilience(t *testing.T) {
	d := startDaemon(t, shortTempDir(t))
	var gets, posts atomic.Int64
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Method == "POST" {
			posts.Add(1)
		} else {
			gets.Add(1)
		}
		if r.URL.Path == "/fail" {
			w.WriteHeader(500)
		}
	}))
	defer good.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()

	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme")
	d.must("backend", "add", "acme", dead)
	d.must("backend", "add", "acme", good.URL)
	d.must("pool", "set", "acme", "default", "--algorithm", "first")
	d.must("policy", "set", "acme", "retries=1", "max-body=1K", "breaker=on", "breaker-min-requests=3", "breaker-cooldown=1m")
	d.applied()

	c := &http.Client{Timeout: 5 * time.Second}
	send := func(method, path string, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, d.url("http")+path, strings.NewReader(body))
		req.Host = "acme.example.test"
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if code, _ := hostGet(t, c, d.url("http")+"/", "acme.example.test"); code != 200 || gets.Load() != 1 {
		t.Fatalf("GET: %d, good saw %d; want 200 from the retry", code, gets.Load())
	}
	if resp := send("POST", "/", "order=1"); resp.StatusCode != 502 || posts.Load() != 0 {
		t.Fatalf("POST: %d, good saw %d POSTs; want 502 and none (never retried)", resp.StatusCode, posts.Load())
	}
	if resp := send("PUT", "/", strings.Repeat("x", 2048)); resp.StatusCode != 413 {
		t.Fatalf("PUT 2K with max-body=1K: %d", resp.StatusCode)
	}
	if out := d.must("pool", "list", "acme"); !strings.Contains(out, "breaker: closed") {
		t.Fatalf("pool list: %s", out)
	}
	for range 3 {
		send("GET", "/fail", "")
	}
	resp := send("GET", "/", "")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("open breaker: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, args := range [][]string{{"pool", "list", "acme"}, {"tenant", "show", "acme"}} {
		if out := d.must(args...); !strings.Contains(out, "breaker: open since") {
			t.Fatalf("%s: %s", strings.Join(args, " "), out)
		}
	}
	d.must("policy", "set", "acme", "breaker=off")
	d.applied()
	if code, _ := hostGet(t, c, d.url("http")+"/", "acme.example.test"); code != 200 {
		t.Fatalf("breaker off: %d", code)
	}
}
