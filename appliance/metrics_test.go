package appliance

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// metricValue is the value of name's series with exactly labels, read
// with Prometheus' own parser; ok false when there is none.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
next:
	for _, m := range fams[name].GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if labels[lp.GetName()] != lp.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
		return m.GetUntyped().GetValue(), true
	}
	return 0, false
}

func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, b)
	}
	return fams
}

func TestMetricsEndpoint(t *testing.T) {
	// Ensure that /metrics on the ops listener of a real appliance shows
	// the traffic it served: per tenant within the budget, folded into
	// _other past it, unknown hosts apart, upstream health, the budget's
	// use and the process metrics.
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer be.Close()
	db, err := memstore.Open(t.Context(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Update(t.Context(), "test", func(tx store.Tx) error {
		s, _ := tx.Settings()
		s.BaseDomain, s.MetricsTenantBudget = "saas.test", 1
		if err := tx.SetSettings(s); err != nil {
			return err
		}
		for _, slug := range []string{"acme", "beta"} {
			if err := tx.CreateTenant(&store.Tenant{Slug: slug}); err != nil {
				return err
			}
			if err := tx.AddBackend(&store.Backend{Tenant: slug, URL: be.URL}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{DataDir: t.TempDir(), Store: db, HTTPAddr: "127.0.0.1:0", OpsAddr: "127.0.0.1:0",
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	<-a.Ready()
	addrs := a.Addrs()
	send := func(host string, n int) {
		for range n {
			req, _ := http.NewRequest("GET", "http://"+addrs["http"]+"/p", nil)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	send("acme.saas.test", 3) // first: gets the one label of the budget
	send("beta.saas.test", 2) // past the budget: _other
	send("nobody.saas.test", 1)

	want := []struct {
		name   string
		labels map[string]string
		value  float64
	}{
		{"foyer_http_requests_total", map[string]string{"tenant": "acme", "code_class": "2xx"}, 3},
		{"foyer_http_requests_total", map[string]string{"tenant": "_other", "code_class": "2xx"}, 2},
		{"foyer_http_requests_total", map[string]string{"tenant": "_unknown", "code_class": "4xx"}, 1},
		{"foyer_http_rejected_total", map[string]string{"tenant": "_unknown", "reason": "unknown_host"}, 1},
		{"foyer_http_response_bytes_total", map[string]string{"tenant": "acme"}, 6},
		{"foyer_http_request_duration_seconds", map[string]string{"tenant": "acme"}, 3},
		{"foyer_http_requests_in_flight", map[string]string{"tenant": "acme"}, 0},
		{"foyer_upstream_up", map[string]string{"tenant": "acme", "pool": "default", "backend": be.URL}, 1},
		{"foyer_metrics_tenant_budget", map[string]string{}, 1},
		{"foyer_metrics_tenants_labelled", map[string]string{}, 1},
	}
	var fams map[string]*dto.MetricFamily
	deadline := time.Now().Add(5 * time.Second) // a request is recorded just after its answer
	for {
		fams = scrape(t, addrs["ops"])
		if v, _ := metricValue(fams, "foyer_http_requests_total", map[string]string{"tenant": "_unknown", "code_class": "4xx"}); v == 1 ||
			time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, w := range want {
		if v, ok := metricValue(fams, w.name, w.labels); !ok || v != w.value {
			t.Errorf("%s%v = %v (present %v), want %v", w.name, w.labels, v, ok, w.value)
		}
	}
	if _, ok := metricValue(fams, "foyer_upstream_up", map[string]string{"tenant": "beta", "pool": "default", "backend": be.URL}); ok {
		t.Error("beta, folded into _other, has an upstream_up series")
	}
	for _, name := range []string{"process_cpu_seconds_total", "go_goroutines"} {
		if fams[name] == nil {
			t.Errorf("no %s in /metrics", name)
		}
	}
}
