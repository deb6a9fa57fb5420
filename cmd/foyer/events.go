package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newEventsCmd is `foyer events`: the event lines of the watch stream
// (GET /v1/watch), one a line, until Ctrl-C or the daemon stops.
func newEventsCmd() *cobra.Command {
	var asJSON bool
	var tenant string
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Follow domain, certificate, backend health and breaker events as they happen",
		Long: "Follow what happens in the daemon, one line an event, until Ctrl-C: custom domains changing\n" +
			"state (pending_dns -> verified -> issuing -> active, failed, moved...), certificates obtained,\n" +
			"renewed or evicted, backends becoming unhealthy, ejected or healthy again, and tenants' circuit\n" +
			"breakers opening and closing. It starts with the daemon's recent events (up to 128, kept in\n" +
			"memory since it started). Events this terminal read too slowly to get are counted on stderr.\n" +
			"--json prints each event as a JSON object.",
		Example: "  foyer events\n  foyer events --tenant acme\n  foyer events --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			w, err := c.Watch(ctx)
			if err != nil {
				return err
			}
			defer w.Close()
			go func() { <-ctx.Done(); w.Close() }() // Ctrl-C ends the blocking read
			return printEvents(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), w.Next, tenant, asJSON)
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "only this tenant's events")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print each event as a JSON object, one a line")
	return cmd
}

// printEvents prints the event lines from next until the stream ends:
// those of tenant only when it is set, as JSON objects with asJSON, else
// as text (eventLine). Events the daemon skipped because this client read
// too slowly are reported on errOut, whatever their tenant.
func printEvents(ctx context.Context, out, errOut io.Writer, next func() (api.Event, error), tenant string, asJSON bool) error {
	enc := json.NewEncoder(out)
	for {
		ev, err := next()
		if err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return nil // the daemon stopped, or Ctrl-C
			}
			return fmt.Errorf("following events: %w", err)
		}
		n := ev.Event
		if ev.Type != api.EventNotice || n == nil {
			continue // config and stats lines
		}
		if n.Dropped > 0 {
			fmt.Fprintf(errOut, "(%d events skipped: this terminal read more slowly than they came)\n", n.Dropped)
		}
		if tenant != "" && n.Tenant != tenant {
			continue
		}
		if asJSON {
			n.Dropped = 0
			err = enc.Encode(n)
		} else {
			_, err = fmt.Fprintln(out, eventLine(n))
		}
		if err != nil {
			return err
		}
	}
}

// eventLine is one event as text: the local time, the kind, what it is
// about, the change and why, e.g.
// "12:03:04 domain shop.acme.com pending_dns -> verified (verified: CNAME ...)".
func eventLine(n *api.Notice) string {
	var b strings.Builder
	b.WriteString(n.Time.Local().Format("15:04:05"))
	b.WriteString(" " + n.Kind + " ")
	if n.Kind == api.NoticeHealth {
		b.WriteString(n.Tenant + "/" + n.Pool + " ")
	}
	b.WriteString(n.Name + " ")
	if n.From != "" {
		b.WriteString(n.From + " -> ")
	}
	b.WriteString(n.To)
	if n.Reason != "" {
		b.WriteString(" (" + n.Reason + ")")
	}
	if n.Hint != "" {
		b.WriteString("; hint: " + n.Hint)
	}
	return b.String()
}
