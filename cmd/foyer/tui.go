package main

import (
	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/tui"
)

// newTUICmd is `foyer tui`: the interactive console over the running
// daemon's admin socket.
func newTUICmd() *cobra.Command {
	var opts tui.Options
	cmd := &cobra.Command{
		Use:   "tui",
		Short: "Open the interactive console: live per-tenant traffic and management",
		Long: "Open the operator's console on the running daemon: every tenant with its live requests per\n" +
			"second (and a sparkline of the last minute), status-class shares, p50/p99 latency, in-flight\n" +
			"requests, bandwidth, domains with their certificate state and backend health, refreshed\n" +
			"every second from the daemon's watch stream. Keys: enter opens, esc goes back, / filters,\n" +
			": jumps to a screen by name, ? shows every key, q quits. NO_COLOR (or --no-color) drops\n" +
			"colours. With --readonly nothing can be changed. Exits 1 when no daemon answers.",
		Example: "  foyer tui\n  foyer tui --readonly\n  NO_COLOR=1 foyer --data ./data tui",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			return tui.Run(cmd.Context(), c, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.ReadOnly, "readonly", false, "allow no changes (look, but do not touch)")
	cmd.Flags().BoolVar(&opts.NoColor, "no-color", false, "draw without colours (as NO_COLOR does)")
	return cmd
}
