package proxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// Ensure that the strings and header slices the fast engine reuses
// across a connection's requests (fast_strings.go) are never overwritten
// while something still holds them: 600 requests on one keep-alive
// connection, their access-log records held in the queue until the end
// (a flush interval of an hour), every forwarded header and answer
// checked against its own request, and every stored record too.
func TestFastEngineStringsOutliveRequests(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s %s", r.Header.Get(headerRequestID), r.Header.Get(headerTenant), r.URL.RequestURI())
	}))
	defer be.Close()
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {be.URL}, "bravo": {be.URL}}))
	logs := memstore.NewLogs()
	al := traffic.NewAccessLog(traffic.AccessLogOptions{Logs: logs, FlushInterval: time.Hour, QueueSize: 4096, BatchSize: 4096})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); al.Run(ctx) }()
	h := New(Options{Recorder: &traffic.Recorder{Log: al}})
	h.Swap(f.h.Table(), store.DefaultSettings())
	defer h.Close()
	addr := startEngine(t, h, EngineConfig{MaxHeaderBytes: 64 << 10})

	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	const n = 600
	ids := map[string]string{} // request ID -> what its record must say
	for i := range n {
		tenant := []string{"acme", "bravo"}[i%2]
		path := fmt.Sprintf("/p/%d/%s?q=%d", i, strings.Repeat("x", i%97), i)
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		req.Host = tenant + ".example.test"
		if i%3 == 0 { // the client's own ID, else foyer makes one
			req.Header.Set("X-Request-Id", fmt.Sprintf("client-%d", i))
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("X-Request-Id")
		if want := id + " " + tenant + " " + path; string(body) != want {
			t.Fatalf("request %d: the backend saw %q, want %q", i, body, want)
		}
		if i%3 == 0 && id != fmt.Sprintf("client-%d", i) {
			t.Fatalf("request %d: X-Request-Id %q, want the client's", i, id)
		}
		if _, dup := ids[id]; dup {
			t.Fatalf("request %d: request ID %q given twice", i, id)
		}
		ids[id] = tenant + " " + strings.SplitN(path, "?", 2)[0]
	}
	cancel()
	<-done
	recs, err := logs.QueryLogs(context.Background(), store.LogQuery{Limit: 2 * n})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("%d records stored, want %d", len(recs), n)
	}
	for _, r := range recs {
		want, ok := ids[r.RequestID]
		if !ok {
			t.Fatalf("record with request ID %q, which no answer carried: %+v", r.RequestID, r)
		}
		if got := r.Tenant + " " + r.Path; got != want || r.Host != r.Tenant+".example.test" {
			t.Fatalf("record %q says %q (host %q), want %q", r.RequestID, got, r.Host, want)
		}
	}
}
