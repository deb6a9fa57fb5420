package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newStatsCmd is `foyer stats`: the live numbers of every active tenant
// (a request in the last five minutes, or one in flight), as the daemon
// published them at most a second ago.
func newStatsCmd() *cobra.Command {
	var asJSON bool
	var tenant string
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Show live request rates, errors, latency and bytes per tenant",
		Long: "Show the live numbers of every tenant with traffic in the last five minutes: requests per\n" +
			"second over the last 1, 10 and 60 seconds, the share of 5xx answers and the p50/p90/p99\n" +
			"latency over the last minute, requests in flight and bytes per second. With --tenant, also\n" +
			"the tenant's totals since the daemon started and its backends. The numbers are at most a\n" +
			"second old; `foyer tui` and GET /v1/watch follow them as they change.",
		Example: "  foyer stats\n  foyer stats --tenant acme\n  foyer stats --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			st, err := c.Stats(cmd.Context(), tenant)
			if asJSON || err != nil {
				return jsonOr(cmd, err, st)
			}
			if tenant != "" {
				return printTenantStats(cmd, tenant, st)
			}
			return printStats(cmd, st)
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "show one tenant, with its totals and backends")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// printStats prints one row per active tenant.
func printStats(cmd *cobra.Command, st api.Stats) error {
	if len(st.Tenants) == 0 {
		return say(cmd, "no tenant has had traffic in the last five minutes")
	}
	t := newTable(cmd.OutOrStdout(), "TENANT", "REQ/S 1S", "10S", "60S", "5XX", "P50", "P90", "P99", "IN FLIGHT", "IN/S", "OUT/S")
	for _, ts := range st.Tenants {
		t.row(statsTenant(ts.Tenant), statsRate(ts.Rate1), statsRate(ts.Rate10), statsRate(ts.Rate60), statsPercent(ts.ErrorRatio),
			statsLatency(ts.P50), statsLatency(ts.P90), statsLatency(ts.P99), strconv.FormatInt(ts.InFlight, 10),
			statsBytes(ts.BytesInRate), statsBytes(ts.BytesOutRate))
	}
	return t.flush()
}

// printTenantStats prints one tenant's numbers and its backends.
func printTenantStats(cmd *cobra.Command, slug string, st api.Stats) error {
	if len(st.Tenants) == 0 {
		return say(cmd, "%s has had no traffic in the last five minutes", slug)
	}
	ts := st.Tenants[0]
	t := newTable(cmd.OutOrStdout())
	t.row("requests/s", fmt.Sprintf("%s (1s)  %s (10s)  %s (60s)", statsRate(ts.Rate1), statsRate(ts.Rate10), statsRate(ts.Rate60)))
	t.row("5xx (last minute)", statsPercent(ts.ErrorRatio))
	t.row("latency (last minute)", fmt.Sprintf("p50 %s  p90 %s  p99 %s", statsLatency(ts.P50), statsLatency(ts.P90), statsLatency(ts.P99)))
	t.row("in flight", strconv.FormatInt(ts.InFlight, 10))
	t.row("bytes/s (10s)", fmt.Sprintf("in %s  out %s", statsBytes(ts.BytesInRate), statsBytes(ts.BytesOutRate)))
	t.row("requests (since start)", fmt.Sprintf("%d  (1xx %d, 2xx %d, 3xx %d, 4xx %d, 5xx %d)", ts.Requests,
		ts.Status[1], ts.Status[2], ts.Status[3], ts.Status[4], ts.Status[5]))
	t.row("rate limited", strconv.FormatUint(ts.RateLimited, 10))
	t.row("rejected", strconv.FormatUint(ts.Rejected, 10))
	t.row("upstream errors", strconv.FormatUint(ts.UpstreamErrors, 10))
	t.row("bytes (since start)", fmt.Sprintf("in %d  out %d", ts.BytesIn, ts.BytesOut))
	if err := t.flush(); err != nil {
		return err
	}
	if len(ts.Backends) == 0 {
		return nil
	}
	fmt.Fprintln(cmd.OutOrStdout())
	b := newTable(cmd.OutOrStdout(), "BACKEND", "REQUESTS", "ERRORS", "MEAN LATENCY")
	for _, be := range ts.Backends {
		b.row(be.URL, strconv.FormatUint(be.Requests, 10), strconv.FormatUint(be.Errors, 10), statsLatency(be.MeanLatency))
	}
	return b.flush()
}

// statsTenant shows the requests that matched no tenant.
func statsTenant(s string) string {
	if s == "" {
		return "(no tenant)"
	}
	return s
}

func statsRate(r float64) string { return strconv.FormatFloat(r, 'f', 1, 64) }

func statsPercent(r float64) string { return strconv.FormatFloat(r*100, 'f', 1, 64) + "%" }

// statsLatency rounds a duration for a table; "-" when there is none.
func statsLatency(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

// statsBytes shows bytes per second with a binary unit.
func statsBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return strconv.FormatFloat(b, 'f', 1, 64) + " " + units[i] + "/s"
}
