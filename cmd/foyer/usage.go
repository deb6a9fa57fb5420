package main

import (
	"encoding/csv"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newUsageCmd is `foyer usage`: per-tenant traffic by hour or day from
// the usage rollups, as a table, CSV (for invoices) or JSON.
func newUsageCmd() *cobra.Command {
	var q api.UsageQuery
	var asJSON, asCSV bool
	cmd := &cobra.Command{
		Use:   "usage",
		Short: "Show per-tenant requests, errors, bytes and latency by hour or day",
		Long: "Show each tenant's requests, errors (5xx), bytes in and out and latency percentiles\n" +
			"per hour or day, from the usage rollups in foyer.db. Dates are UTC; --to DATE takes in\n" +
			"that whole day. Without --from, from the first day of this month.",
		Example: "  foyer usage --tenant acme\n  foyer usage --from 2026-03-01 --to 2026-03-31 --csv > march.csv\n  foyer usage --span hour --from 2026-03-14",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && asCSV {
				return &usageError{msg: "--json and --csv cannot be used together", path: cmd.CommandPath()}
			}
			if q.Span != "hour" && q.Span != "day" {
				return &usageError{msg: "--span must be hour or day", path: cmd.CommandPath()}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			rows, err := c.Usage(cmd.Context(), q)
			if err != nil || asJSON {
				return jsonOr(cmd, err, rows)
			}
			if asCSV {
				return usageCSV(cmd, rows)
			}
			t := newTable(cmd.OutOrStdout(), "TENANT", "START", "SPAN", "REQUESTS", "ERRORS", "BYTES IN", "BYTES OUT", "P50", "P90", "P99")
			for _, r := range rows {
				t.row(orDash(r.Tenant), usageStart(r), r.Span, strconv.FormatInt(r.Requests, 10), strconv.FormatInt(r.Errors, 10),
					strconv.FormatInt(r.BytesIn, 10), strconv.FormatInt(r.BytesOut, 10),
					roundLatency(r.P50), roundLatency(r.P90), roundLatency(r.P99))
			}
			return t.flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Tenant, "tenant", "", "only this tenant (default: every tenant)")
	f.StringVar(&q.From, "from", "", "first day (2026-03-01) or time (RFC 3339); default: the first day of this month")
	f.StringVar(&q.To, "to", "", "last day, included whole (2026-03-31), or a time (RFC 3339), excluded; default: now")
	f.StringVar(&q.Span, "span", "day", "one row per hour or day")
	f.BoolVar(&asCSV, "csv", false, "print CSV with a header row (latencies in milliseconds)")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// usageCSV writes rows as CSV: what a monthly invoice is built from.
func usageCSV(cmd *cobra.Command, rows []api.UsageRow) error {
	w := csv.NewWriter(cmd.OutOrStdout())
	_ = w.Write([]string{"tenant", "start", "span", "requests", "errors", "bytes_in", "bytes_out", "p50_ms", "p90_ms", "p99_ms"})
	for _, r := range rows {
		_ = w.Write([]string{r.Tenant, r.Start.UTC().Format(time.RFC3339), r.Span, strconv.FormatInt(r.Requests, 10),
			strconv.FormatInt(r.Errors, 10), strconv.FormatInt(r.BytesIn, 10), strconv.FormatInt(r.BytesOut, 10),
			millis(r.P50), millis(r.P90), millis(r.P99)})
	}
	w.Flush()
	return w.Error()
}

// usageStart shows a row's start: the date for a day, else date and time.
func usageStart(r api.UsageRow) string {
	if r.Span == "day" {
		return r.Start.UTC().Format(time.DateOnly)
	}
	return r.Start.UTC().Format("2006-01-02 15:04Z")
}

// roundLatency shows a percentile to three significant places or so.
func roundLatency(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

// millis is d in milliseconds with three decimals.
func millis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
}
