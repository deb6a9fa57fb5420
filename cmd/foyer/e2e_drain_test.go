package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Ensure that SIGTERM lets a request in flight finish, then stops the
// daemon: graceful stop drains instead of cutting requests off.
func TestGracefulStopDrainsInFlight(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	arrived, release := make(chan struct{}), make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		io.WriteString(w, "finished")
	}))
	defer slow.Close()
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme")
	d.must("backend", "add", "acme", slow.URL)
	d.applied()

	type result struct {
		code int
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("GET", d.url("http")+"/", nil)
		req.Host = "acme.example.test"
		resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- result{code: resp.StatusCode, body: string(b)}
	}()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("request never reached the backend")
	}
	stopped := make(chan error, 1)
	go func() { stopped <- d.stop() }()
	select {
	case <-d.done:
		t.Fatal("daemon exited while a request was in flight")
	case <-time.After(200 * time.Millisecond): // it must be waiting for the request
	}
	close(release)
	if r := <-done; r.err != nil || r.code != 200 || r.body != "finished" {
		t.Fatalf("in-flight request: %d %q %v", r.code, r.body, r.err)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}
