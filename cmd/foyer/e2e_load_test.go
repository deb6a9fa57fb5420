package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Ensure that tenant and backend changes made while traffic flows apply
// live without a single failed request.
func TestLiveChangesUnderLoad(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	b1, b2, b3 := newSeenBackend(t, "b1"), newSeenBackend(t, "b2"), newSeenBackend(t, "b3")
	d.must("settings", "set", "base-domain", "example.test")
	d.must("tenant", "add", "acme")
	d.must("backend", "add", "acme", b1.URL)
	d.must("backend", "add", "acme", b2.URL)
	d.applied()

	const total, workers = 4000, 4
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var sent, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sent.Add(1) <= total && ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", d.url("http")+"/", nil)
				req.Host = "acme.example.test"
				resp, err := c.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	changes := [][]string{
		{"tenant", "add", "beta"},
		{"backend", "add", "acme", b3.URL},
		{"backend", "add", "beta", b1.URL},
		{"backend", "rm", "acme", b1.URL},
		{"tenant", "set", "acme", "--name", "Acme under load"},
		{"settings", "set", "upstream-dial-timeout", "3s"},
		{"domain", "add", "acme", "shop.customer.test"},
		{"backend", "add", "acme", b1.URL, "--weight", "3"},
	}
	for _, ch := range changes {
		d.must(ch...)
		time.Sleep(20 * time.Millisecond) // spread the changes over the load
	}
	wg.Wait()
	d.applied()
	if ctx.Err() != nil {
		t.Fatalf("load did not finish in time: %d of %d sent", sent.Load(), total)
	}
	if n := failed.Load(); n != 0 {
		t.Fatalf("%d of %d requests failed during live changes; first: %v", n, total, firstErr.Load())
	}
	if b3.hits.Load() == 0 {
		t.Fatal("a backend added under load never got traffic")
	}
	t.Logf("%d requests, %d changes, 0 failed; hits b1=%d b2=%d b3=%d", total, len(changes),
		b1.hits.Load(), b2.hits.Load(), b3.hits.Load())
}
