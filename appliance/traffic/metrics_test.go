package traffic

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/foyerhq/foyer/store"
)

// parse reads Prometheus text with Prometheus' own parser.
func parse(t testing.TB, b []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse metrics: %v\n%s", err, b)
	}
	return fams
}

// value returns the value of name's series with exactly labels; ok false
// when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
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
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

// Ensure that the Prometheus text has the expected series and values,
// with the tenants past the budget summed into _other.
func TestWritePrometheus(t *testing.T) {
	l := NewLive(LiveOptions{Budget: 2})
	now := time.Now()
	for _, r := range []*store.LogRecord{
		rec("acme", now, 200, 3*time.Millisecond, store.OutcomeAllowed),
		rec("acme", now, 200, 30*time.Millisecond, store.OutcomeAllowed),
		rec("acme", now, 429, time.Millisecond, store.OutcomeRateLimited),
		rec("beta", now, 403, time.Millisecond, store.OutcomeDeniedIP),
		rec("gamma", now, 502, time.Millisecond, store.OutcomeUpstreamFail),
		rec("delta", now, 200, time.Millisecond, store.OutcomeAllowed),
		rec("", now, 404, time.Millisecond, store.OutcomeUnknownHost),
	} {
		l.Observe(r)
	}
	f := l.Begin("acme")
	defer f.End()
	var buf bytes.Buffer
	l.WritePrometheus(&buf)
	fams := parse(t, buf.Bytes())
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"foyer_http_requests_total", map[string]string{"tenant": "acme", "code_class": "2xx"}, 2},
		{"foyer_http_requests_total", map[string]string{"tenant": "acme", "code_class": "4xx"}, 1},
		{"foyer_http_requests_total", map[string]string{"tenant": "_other", "code_class": "2xx"}, 1},
		{"foyer_http_requests_total", map[string]string{"tenant": "_other", "code_class": "5xx"}, 1},
		{"foyer_http_requests_total", map[string]string{"tenant": "_unknown", "code_class": "4xx"}, 1},
		{"foyer_http_rate_limited_total", map[string]string{"tenant": "acme"}, 1},
		{"foyer_http_rejected_total", map[string]string{"tenant": "beta", "reason": "denied_ip"}, 1},
		{"foyer_http_rejected_total", map[string]string{"tenant": "_unknown", "reason": "unknown_host"}, 1},
		{"foyer_upstream_errors_total", map[string]string{"tenant": "_other"}, 1},
		{"foyer_http_request_bytes_total", map[string]string{"tenant": "acme"}, 30},
		{"foyer_http_response_bytes_total", map[string]string{"tenant": "_other"}, 200},
		{"foyer_http_requests_in_flight", map[string]string{"tenant": "acme"}, 1},
		{"foyer_http_request_duration_seconds", map[string]string{"tenant": "acme"}, 3},
		{"foyer_http_request_duration_seconds", map[string]string{"tenant": "_other"}, 2},
		{"foyer_metrics_tenant_budget", map[string]string{}, 2},
		{"foyer_metrics_tenants_labelled", map[string]string{}, 2},
	} {
		got, ok := value(fams, c.name, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if _, ok := value(fams, "foyer_http_requests_total", map[string]string{"tenant": "gamma", "code_class": "5xx"}); ok {
		t.Error("gamma, past the budget, has its own series")
	}
	h := fams["foyer_http_request_duration_seconds"]
	if h.GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("duration family is %v, want a histogram", h.GetType())
	}
}

// BenchmarkScrape measures writing the per-tenant series for 10,000
// tenants with traffic (1,000 labelled, the rest folded into _other) and
// reports the size.
func BenchmarkScrape(b *testing.B) {
	for _, budget := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("tenants=10000/budget=%d", budget), func(b *testing.B) {
			l := NewLive(LiveOptions{Budget: budget})
			now := time.Now()
			for i := range 10000 {
				s := fmt.Sprintf("tenant-%05d", i)
				l.Observe(rec(s, now, 200, time.Duration(i)*time.Microsecond, store.OutcomeAllowed))
				l.Observe(rec(s, now, 404, time.Millisecond, store.OutcomeAllowed))
			}
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				l.WritePrometheus(&buf)
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}
