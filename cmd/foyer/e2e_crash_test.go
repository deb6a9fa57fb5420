package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store/boltstore"
)

// Ensure that a daemon killed (SIGKILL) under proxy load while CLI writes
// are in flight loses none of the writes the CLI reported as done, serves
// the configured tenant at once on restart, and leaves a db that passes
// bbolt's consistency check.
func TestCrashLosesNoCommittedWrite(t *testing.T) {
	dir := t.TempDir()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer backend.Close()
	var confirmed []string
	var served atomic.Int64
	for round := 0; round < 5; round++ {
		d := startDaemon(t, dir)
		if round == 0 {
			d.must("settings", "set", "base-domain", "example.test")
			d.must("tenant", "add", "load")
			d.must("backend", "add", "load", backend.URL)
			d.applied()
		}
		// Restarted after a crash, the daemon serves from its first request.
		c := &http.Client{Timeout: 5 * time.Second}
		if code, body := hostGet(t, c, d.url("http")+"/", "load.example.test"); code != 200 || body != "ok" {
			t.Fatalf("round %d: first request after start: %d %q", round, code, body)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 2 { // load: bounded by the kill and by count
			wg.Go(func() { loadUntil(t, stop, c, d.url("http")+"/", &served) })
		}
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					slug := fmt.Sprintf("r%d-w%d-%d", round, w, i)
					if _, _, code := d.run("tenant", "add", slug); code == 0 {
						mu.Lock()
						confirmed = append(confirmed, slug)
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(150+round*70) * time.Millisecond) // let writes be in flight
		d.kill()
		close(stop)
		wg.Wait()
	}
	if len(confirmed) < 10 {
		t.Fatalf("only %d writes confirmed over 5 rounds; the test did not exercise anything", len(confirmed))
	}
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatalf("reopen after crashes: %v", err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Check(ctx); err != nil {
		t.Fatalf("consistency check after crashes: %v", err)
	}
	for _, slug := range confirmed {
		if _, err := st.Tenant(ctx, slug); err != nil {
			t.Errorf("confirmed write lost: tenant %s: %v", slug, err)
		}
	}
	if served.Load() < 50 {
		t.Fatalf("only %d proxied requests over 5 rounds; the load did not run", served.Load())
	}
	t.Logf("%d confirmed writes and %d proxied requests over 5 SIGKILLs; all writes present", len(confirmed), served.Load())
}

// loadUntil sends GETs for load.example.test until stop is closed (or
// 5000 were sent), counting answers in served. Once the daemon is killed
// requests fail to connect, which is expected; an answer other than 200
// before that fails the test.
func loadUntil(t *testing.T, stop <-chan struct{}, c *http.Client, url string, served *atomic.Int64) {
	for range 5000 {
		select {
		case <-stop:
			return
		default:
		}
		req, _ := http.NewRequest("GET", url, nil)
		req.Host = "load.example.test"
		resp, err := c.Do(req)
		if err != nil {
			continue // the kill; the next loop sees stop
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("under load: %d, want 200", resp.StatusCode)
			return
		}
		served.Add(1)
	}
}
