package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/foyerhq/foyer/appliance/policy"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// records collects what the record step reports.
type records struct {
	mu   sync.Mutex
	recs []store.LogRecord
}

func (c *records) add(r *store.LogRecord) { c.mu.Lock(); c.recs = append(c.recs, *r); c.mu.Unlock() }

func (c *records) all() []store.LogRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]store.LogRecord(nil), c.recs...)
}

// newRecFixture is a policy fixture whose handler records to a real Live
// and to c.
func newRecFixture(t *testing.T, fn func(tx store.Tx) error) (*polFixture, *traffic.Live, *records) {
	f := newPolFixture(t, fn)
	live := traffic.NewLive(traffic.LiveOptions{})
	h := New(Options{Policy: policy.New(policy.Options{Now: f.clock}), Recorder: &traffic.Recorder{Live: live}})
	t.Cleanup(h.Close)
	f.h = h
	f.change(func(store.Tx) error { return nil })
	c := &records{}
	h.recHook = c.add
	return f, live, c
}

// Ensure that every request is recorded exactly once, with the fields the
// access log and the live counters need, for a forwarded request and for
// each way foyer answers itself.
func TestRecordStep(t *testing.T) {
	acme := newBackend(t, "acme")
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	f, live, c := newRecFixture(t, tenants("example.test", map[string][]string{
		"acme": {acme.URL}, "dead": {deadURL}, "limited": {acme.URL}, "off": {acme.URL}}, "off"))
	f.change(func(tx store.Tx) error {
		return tx.SetTenantPolicy("limited", store.Policy{"rate": "1", "burst": "1"})
	})
	srv := httptest.NewTLSServer(f.h)
	defer srv.Close()

	send := func(method, host, body string, hdr ...string) int {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/p", strings.NewReader(body))
		req.Host = host
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	cases := []struct {
		name, method, host, body string
		status                   int
		tenant, outcome          string
		upstream                 string
	}{
		{"forwarded", "POST", "acme.example.test", "hello", 200, "acme", store.OutcomeAllowed, acme.URL},
		{"unknown host", "GET", "nobody.example.test", "", 404, "", store.OutcomeUnknownHost, ""},
		{"suspended", "GET", "off.example.test", "", 503, "off", store.OutcomeSuspended, ""},
		{"first within the rate", "GET", "limited.example.test", "", 200, "limited", store.OutcomeAllowed, acme.URL},
		{"over the rate", "GET", "limited.example.test", "", 429, "limited", store.OutcomeRateLimited, ""},
		{"upstream down", "GET", "dead.example.test", "", 502, "dead", store.OutcomeUpstreamFail, deadURL},
	}
	for i, tc := range cases {
		id := "req-" + strings.ReplaceAll(tc.name, " ", "-")
		if got := send(tc.method, tc.host, tc.body, "X-Request-Id", id); got != tc.status {
			t.Fatalf("%s: status %d, want %d", tc.name, got, tc.status)
		}
		recs := c.all()
		if len(recs) != i+1 {
			t.Fatalf("%s: %d records after %d requests, want one each", tc.name, len(recs), i+1)
		}
		r := recs[i]
		if r.Status != tc.status || r.Tenant != tc.tenant || r.Outcome != tc.outcome || r.Upstream != tc.upstream {
			t.Errorf("%s: recorded status %d tenant %q outcome %q upstream %q; want %d %q %q %q",
				tc.name, r.Status, r.Tenant, r.Outcome, r.Upstream, tc.status, tc.tenant, tc.outcome, tc.upstream)
		}
		if r.RequestID != id || r.Method != tc.method || r.Host != tc.host || r.Path != "/p" || r.ClientIP != "127.0.0.1" {
			t.Errorf("%s: recorded id %q method %q host %q path %q client %q", tc.name, r.RequestID, r.Method, r.Host, r.Path, r.ClientIP)
		}
		if r.TLSVersion != "1.3" || r.Time.IsZero() || r.Duration <= 0 || r.BytesOut <= 0 {
			t.Errorf("%s: recorded tls %q time %v duration %v bytes out %d", tc.name, r.TLSVersion, r.Time, r.Duration, r.BytesOut)
		}
	}
	fw := c.all()[0]
	if fw.BytesIn != 5 || fw.BytesOut != int64(len("acme /p")) || fw.UpstreamLatency <= 0 {
		t.Errorf("forwarded: bytes in %d out %d upstream latency %v; want 5, %d, > 0", fw.BytesIn, fw.BytesOut, fw.UpstreamLatency, len("acme /p"))
	}
	// The live counters saw the same requests.
	got := map[string]traffic.TenantStats{}
	for _, ts := range live.Snapshot().Tenants {
		got[ts.Tenant] = ts
	}
	if l := got["limited"]; l.Requests != 2 || l.RateLimited != 1 || l.Status[2] != 1 || l.Status[4] != 1 {
		t.Errorf("live numbers of limited: %+v", l)
	}
	if d := got["dead"]; d.UpstreamErrors != 1 || len(d.Backends) != 1 || d.Backends[0].Errors != 1 {
		t.Errorf("live numbers of dead: %+v", d)
	}
	if a := got["acme"]; a.BytesIn != 5 || a.InFlight != 0 {
		t.Errorf("live numbers of acme: %+v", a)
	}
}

// Ensure that a request whose client goes away before the answer is
// recorded once, as 499, and that the trusted proxy's client is the
// recorded client IP.
func TestRecordClientGoneAndForwardedFor(t *testing.T) {
	block, arrived := make(chan struct{}), make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(block)
	f, _, c := newRecFixture(t, tenants("example.test", map[string][]string{"slow": {slow.URL}}))
	f.change(func(tx store.Tx) error {
		s, _ := tx.Settings()
		s.TrustedProxies = []string{"127.0.0.0/8"}
		return tx.SetSettings(s)
	})
	srv := frontend(t, f.h)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/p", nil)
	req.Host = "slow.example.test"
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-arrived // the request is at the backend: go away
	cancel()
	<-done
	srv.Close() // waits for the handler
	recs := c.all()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	if r := recs[0]; r.Status != statusClientClosed || r.ClientIP != "203.0.113.7" || r.Tenant != "slow" {
		t.Errorf("recorded status %d client %q tenant %q; want 499, 203.0.113.7, slow", r.Status, r.ClientIP, r.Tenant)
	}
}
