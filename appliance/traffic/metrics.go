package traffic

import (
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/VictoriaMetrics/metrics"
)

// Prometheus series written by WritePrometheus. tenant is the slug, or
// LabelOther for the tenants past the budget (their numbers summed), or
// LabelUnknown for requests that matched no tenant.
const (
	metricRequests    = "foyer_http_requests_total"           // {tenant,code_class}
	metricDuration    = "foyer_http_request_duration_seconds" // {tenant}, a histogram (le buckets)
	metricBytesIn     = "foyer_http_request_bytes_total"      // {tenant}: request bodies read
	metricBytesOut    = "foyer_http_response_bytes_total"     // {tenant}: response bodies written
	metricInFlight    = "foyer_http_requests_in_flight"       // {tenant}
	metricRateLimited = "foyer_http_rate_limited_total"       // {tenant}
	metricRejected    = "foyer_http_rejected_total"           // {tenant,reason}
	metricUpstreamErr = "foyer_upstream_errors_total"         // {tenant}
	metricBudget      = "foyer_metrics_tenant_budget"
	metricLabelled    = "foyer_metrics_tenants_labelled"
)

func durationName(label string) string {
	return metricDuration + `{tenant="` + label + `"}`
}

// promRow is one tenant label's numbers for a scrape.
type promRow struct {
	label    string
	classes  [6]uint64
	outcomes [numOutcomes]uint64
	in, out  uint64
	inFlight int64
}

// WritePrometheus writes the per-tenant series in the Prometheus text
// format: counters from the tenants' atomics (the folded tenants summed
// into tenant="_other" at scrape time), the duration histograms, and the
// budget's use. Series that are zero are left out, except in flight and
// the budget.
func (l *Live) WritePrometheus(w io.Writer) {
	rows := l.rows()
	buf := make([]byte, 0, 64<<10)
	flush := func() {
		if len(buf) > 32<<10 {
			_, _ = w.Write(buf)
			buf = buf[:0]
		}
	}
	line := func(name, label, extraK, extraV string, v uint64) {
		buf = append(buf, name...)
		buf = append(buf, `{tenant="`...)
		buf = append(buf, label...)
		if extraK != "" {
			buf = append(buf, `",`...)
			buf = append(buf, extraK...)
			buf = append(buf, `="`...)
			buf = append(buf, extraV...)
		}
		buf = append(buf, `"} `...)
		buf = strconv.AppendUint(buf, v, 10)
		buf = append(buf, '\n')
		flush()
	}
	family := func(name, typ string) {
		buf = append(buf, "# TYPE "...)
		buf = append(buf, name...)
		buf = append(buf, ' ')
		buf = append(buf, typ...)
		buf = append(buf, '\n')
	}
	family(metricRequests, "counter")
	for i := range rows {
		for c := 1; c < len(rows[i].classes); c++ {
			if n := rows[i].classes[c]; n > 0 {
				line(metricRequests, rows[i].label, "code_class", classNames[c], n)
			}
		}
	}
	for _, m := range []struct {
		name string
		val  func(*promRow) uint64
	}{
		{metricBytesIn, func(r *promRow) uint64 { return r.in }},
		{metricBytesOut, func(r *promRow) uint64 { return r.out }},
		{metricRateLimited, func(r *promRow) uint64 { return r.outcomes[outcomeIndex("rate_limited")] }},
		{metricUpstreamErr, func(r *promRow) uint64 { return r.outcomes[outcomeIndex("upstream_fail")] }},
	} {
		family(m.name, "counter")
		for i := range rows {
			if n := m.val(&rows[i]); n > 0 {
				line(m.name, rows[i].label, "", "", n)
			}
		}
	}
	family(metricRejected, "counter")
	for i := range rows {
		for o, n := range rows[i].outcomes {
			if n > 0 && rejected(o) {
				line(metricRejected, rows[i].label, "reason", outcomeNames[o], n)
			}
		}
	}
	family(metricInFlight, "gauge")
	for i := range rows {
		line(metricInFlight, rows[i].label, "", "", uint64(max(rows[i].inFlight, 0)))
	}
	budget, labelled := l.Budget()
	family(metricBudget, "gauge")
	buf = append(buf, metricBudget+" "...)
	buf = strconv.AppendInt(buf, int64(budget), 10)
	buf = append(buf, '\n')
	family(metricLabelled, "gauge")
	buf = append(buf, metricLabelled+" "...)
	buf = strconv.AppendInt(buf, int64(labelled), 10)
	buf = append(buf, '\n')
	family(metricDuration, "histogram")
	_, _ = w.Write(buf)
	l.set.WritePrometheus(w) // the duration histograms, in seconds
}

var classNames = [6]string{"", "1xx", "2xx", "3xx", "4xx", "5xx"}

// rows reads every tenant's counters, one row per label (the folded
// tenants summed), sorted by label.
func (l *Live) rows() []promRow {
	rows := make([]promRow, 0, int(l.count.Load())+1)
	var other promRow
	other.label = LabelOther
	folded := false
	l.tenants.Range(func(_, v any) bool {
		t := v.(*tenant)
		r := &other
		if t.label != LabelOther {
			rows = append(rows, promRow{label: t.label})
			r = &rows[len(rows)-1]
		} else {
			folded = true
		}
		for i := range t.classes {
			r.classes[i] += t.classes[i].Load()
		}
		for i := range t.outcomes {
			r.outcomes[i] += t.outcomes[i].Load()
		}
		r.in += t.bytesIn.Load()
		r.out += t.bytesOut.Load()
		r.inFlight += t.inFlight.Load()
		return true
	})
	if folded {
		rows = append(rows, other)
	}
	slices.SortFunc(rows, func(a, b promRow) int { return strings.Compare(a.label, b.label) })
	return rows
}

// WriteRegistered writes every metrics set registered with the
// VictoriaMetrics library (its default set and RegisterSet's, such as the
// access log's) and the process and Go runtime metrics (process_*, go_*).
func WriteRegistered(w io.Writer) { metrics.WritePrometheus(w, true) }
