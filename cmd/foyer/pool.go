package main

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newPoolCmd is `foyer pool`: a tenant's pools and how they balance and
// check their backends.
func newPoolCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "pool",
		Short:   "Set how a tenant's pool balances and health-checks its backends",
		Example: "  foyer pool set acme default --algorithm least_conn --health-path /healthz\n  foyer pool list acme",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newPoolSetCmd(), newPoolListCmd())
	return cmd
}

// newPoolSetCmd is `foyer pool set SLUG POOL [flags]`: only the flags given change.
func newPoolSetCmd() *cobra.Command {
	var (
		algorithm, hashKey, healthPath, healthStatus string
		sticky                                       bool
		interval, timeout, cooldown, slowStart       time.Duration
		healthy, unhealthy, maxFails                 int
	)
	cmd := &cobra.Command{
		Use:   "set SLUG POOL",
		Short: "Change a pool's balancing, health checks, ejection and slow start (only the flags given)",
		Example: "  foyer pool set acme default --algorithm least_conn\n" +
			"  foyer pool set acme default --algorithm header_hash --hash-key X-User-ID\n" +
			"  foyer pool set acme default --health-path /healthz --health-interval 5s --health-status 200-299\n" +
			"  foyer pool set acme default --max-fails 3 --cooldown 10s --slow-start 30s --sticky",
		Args:              exactArgs(2, "a SLUG and a POOL"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmd.Flags()
			var req api.SetPoolRequest
			str := func(name string, v string, dst **string) {
				if f.Changed(name) {
					*dst = &v
				}
			}
			dur := func(name string, v time.Duration, dst **string) {
				if f.Changed(name) {
					s := v.String()
					*dst = &s
				}
			}
			num := func(name string, v int, dst **int) {
				if f.Changed(name) {
					*dst = &v
				}
			}
			str("algorithm", algorithm, &req.Algorithm)
			str("hash-key", hashKey, &req.HashKey)
			str("health-path", healthPath, &req.HealthPath)
			str("health-status", healthStatus, &req.HealthStatus)
			dur("health-interval", interval, &req.HealthInterval)
			dur("health-timeout", timeout, &req.HealthTimeout)
			dur("cooldown", cooldown, &req.Cooldown)
			dur("slow-start", slowStart, &req.SlowStart)
			num("healthy", healthy, &req.HealthyThreshold)
			num("unhealthy", unhealthy, &req.UnhealthyThreshold)
			num("max-fails", maxFails, &req.MaxFails)
			if f.Changed("sticky") {
				req.Sticky = &sticky
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			p, err := c.SetPool(cmd.Context(), args[0], args[1], req)
			if err != nil {
				return err
			}
			return say(cmd, "pool %s/%s: %s", args[0], p.Name, poolSummary(p))
		},
	}
	f := cmd.Flags()
	f.StringVar(&algorithm, "algorithm", "", "round_robin, weighted_round_robin, least_conn, least_latency, ip_hash, header_hash, cookie_hash or first")
	f.StringVar(&hashKey, "hash-key", "", "the header (header_hash) or cookie (cookie_hash) to hash")
	f.BoolVar(&sticky, "sticky", false, "pin each client to a backend with a signed cookie (--sticky=false to stop)")
	f.StringVar(&healthPath, "health-path", "", "turn active health checks on: GET this path on each backend (\"\" turns them off)")
	f.DurationVar(&interval, "health-interval", 0, "time between health checks (default 10s)")
	f.DurationVar(&timeout, "health-timeout", 0, "time limit of one health check (default 2s)")
	f.StringVar(&healthStatus, "health-status", "", "status range of a healthy answer (default 200-399)")
	f.IntVar(&healthy, "healthy", 0, "passed checks in a row that bring a backend back (default 2)")
	f.IntVar(&unhealthy, "unhealthy", 0, "failed checks in a row that take a backend out (default 3)")
	f.IntVar(&maxFails, "max-fails", 0, "failed requests in a row (connect errors, 5xx) that eject a backend; 0 turns ejection off")
	f.DurationVar(&cooldown, "cooldown", 0, "first ejection's length, doubled on each repeat (default 10s)")
	f.DurationVar(&slowStart, "slow-start", 0, "ramp a recovered backend's share up over this time; 0 turns it off")
	return cmd
}

// poolSummary is one line about a pool's settings.
func poolSummary(p api.Pool) string {
	parts := []string{p.Algorithm}
	if p.HashKey != "" {
		parts[0] += "(" + p.HashKey + ")"
	}
	if p.Sticky {
		parts = append(parts, "sticky")
	}
	if p.HealthPath != "" {
		parts = append(parts, "health "+p.HealthPath+" every "+p.HealthInterval)
	}
	if p.MaxFails > 0 {
		parts = append(parts, "eject after "+strconv.Itoa(p.MaxFails)+" failures for "+p.Cooldown)
	}
	if p.SlowStart != "" {
		parts = append(parts, "slow start "+p.SlowStart)
	}
	return strings.Join(parts, ", ")
}

// newPoolListCmd is `foyer pool list SLUG`.
func newPoolListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "list SLUG",
		Short:             "List a tenant's pools and their settings",
		Example:           "  foyer pool list acme\n  foyer pool list acme --json",
		Args:              exactArgs(1, "exactly one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			ps, err := c.Pools(cmd.Context(), args[0])
			if err != nil || asJSON {
				return jsonOr(cmd, err, nonNil(ps))
			}
			if err := poolTable(cmd.OutOrStdout(), ps); err != nil {
				return err
			}
			return printBreaker(cmd, c, args[0]) // breaker.go
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func poolTable(w io.Writer, ps []api.Pool) error {
	t := newTable(w, "POOL", "ALGORITHM", "STICKY", "HEALTH CHECK", "EJECT", "SLOW START")
	for _, p := range ps {
		alg := p.Algorithm
		if p.HashKey != "" {
			alg += "(" + p.HashKey + ")"
		}
		hc, ej := "-", "-"
		if p.HealthPath != "" {
			hc = p.HealthPath + " every " + p.HealthInterval + " " + p.HealthStatus
		}
		if p.MaxFails > 0 {
			ej = strconv.Itoa(p.MaxFails) + " fails, " + p.Cooldown
		}
		t.row(p.Name, alg, strconv.FormatBool(p.Sticky), hc, ej, orDash(p.SlowStart))
	}
	return t.flush()
}
