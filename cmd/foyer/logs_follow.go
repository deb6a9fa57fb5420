package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// registerFollow adds --follow to `foyer logs` (logs.go calls it once,
// after setting RunE): with it, the command streams records live from the
// daemon's memory (GET /v1/logs/follow) instead of querying logs.db,
// honouring the command's --tenant, --status and --json flags, until
// Ctrl-C or the daemon stops.
func registerFollow(cmd *cobra.Command) {
	var follow bool
	cmd.Flags().BoolVarP(&follow, "follow", "f", false,
		"stream requests live as they finish (until Ctrl-C); --tenant, --status and --json apply")
	query := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if !follow {
			return query(cmd, args)
		}
		return runFollow(cmd)
	}
	if cmd.Example != "" {
		cmd.Example += "\n"
	}
	cmd.Example += "  foyer logs --follow --tenant acme --status 5xx"
}

// runFollow is `foyer logs --follow`.
func runFollow(cmd *cobra.Command) error {
	q := api.FollowQuery{Tenant: stringFlag(cmd, "tenant"), Status: stringFlag(cmd, "status")}
	asJSON, _ := cmd.Flags().GetBool("json")
	c, err := client(cmd)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fl, err := c.FollowLogs(ctx, q)
	if err != nil {
		return err
	}
	defer fl.Close()
	go func() { <-ctx.Done(); fl.Close() }() // Ctrl-C ends the blocking read
	return printFollowed(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), fl.Next, asJSON)
}

// printFollowed prints records from next until the stream ends: one JSON
// object a line with asJSON, else one aligned text line each. Records the
// daemon skipped because this client read too slowly are reported on
// errOut.
func printFollowed(ctx context.Context, out, errOut io.Writer, next func() (api.FollowRecord, error), asJSON bool) error {
	enc := json.NewEncoder(out)
	for {
		rec, err := next()
		if err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return nil // the daemon stopped, or Ctrl-C
			}
			return fmt.Errorf("following the access log: %w", err)
		}
		if rec.Dropped > 0 {
			fmt.Fprintf(errOut, "(%d records skipped: this terminal read more slowly than requests came)\n", rec.Dropped)
		}
		if asJSON {
			rec.Dropped = 0
			err = enc.Encode(rec)
		} else {
			_, err = fmt.Fprintln(out, followLine(&rec))
		}
		if err != nil {
			return err
		}
	}
}

// followLine is one record as text: time, tenant, status, method, host
// and path, duration, bytes in/out, outcome.
func followLine(r *api.FollowRecord) string {
	tenant := r.Tenant
	if tenant == "" {
		tenant = "-"
	}
	return fmt.Sprintf("%s %-16s %3d %-6s %s%s %s in=%d out=%d %s", r.Time.Local().Format("15:04:05.000"), tenant,
		r.Status, r.Method, r.Host, r.Path, r.Duration.Round(time.Microsecond), r.BytesIn, r.BytesOut, r.Outcome)
}

// stringFlag is the value of a string flag cmd may not define ("" then).
func stringFlag(cmd *cobra.Command, name string) string {
	if cmd.Flags().Lookup(name) == nil {
		return ""
	}
	v, _ := cmd.Flags().GetString(name)
	return v
}
