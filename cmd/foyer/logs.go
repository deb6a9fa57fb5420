package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newLogsCmd is `foyer logs`: the stored access log (logs.db), newest
// first, as a table or JSON lines. --follow (live records) is registered
// by logs_follow.go.
func newLogsCmd() *cobra.Command {
	var q api.LogsQuery
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Show recorded requests from the access log, newest first",
		Long: "Show requests recorded in the access log (logs.db in the data directory), newest first,\n" +
			"read through the running daemon. --json prints one JSON object a line (JSON lines).",
		Example: "  foyer logs --tenant acme --status 5xx --since 10m\n  foyer logs --limit 1000 --json > requests.jsonl",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if q.Limit < 1 {
				return &usageError{msg: "--limit must be at least 1", path: cmd.CommandPath()}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			recs, err := c.Logs(cmd.Context(), q)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				for _, r := range recs {
					if err := enc.Encode(r); err != nil {
						return err
					}
				}
				return nil
			}
			t := newTable(cmd.OutOrStdout(), "TIME", "TENANT", "STATUS", "METHOD", "HOST", "PATH", "DURATION", "IN", "OUT", "OUTCOME")
			for _, r := range recs {
				t.row(r.Time.UTC().Format("2006-01-02 15:04:05.000Z"), orDash(r.Tenant), strconv.Itoa(r.Status), r.Method,
					orDash(r.Host), orDash(r.Path), r.Duration.Round(time.Microsecond).String(),
					strconv.FormatInt(r.BytesIn, 10), strconv.FormatInt(r.BytesOut, 10), r.Outcome)
			}
			return t.flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Tenant, "tenant", "", "only this tenant's requests (default: every tenant)")
	f.StringVar(&q.Status, "status", "", "only this status class, e.g. 5xx or 4xx")
	f.StringVar(&q.Since, "since", "", "only requests this recent, e.g. 10m or 2h, or since a time (RFC 3339)")
	f.IntVar(&q.Limit, "limit", 100, fmt.Sprintf("how many requests to show (at most %d)", 10_000))
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON lines (one record a line) instead of a table")
	registerFollow(cmd) // logs_follow.go: --follow
	return cmd
}
