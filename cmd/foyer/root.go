package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// run runs foyer with args, writing to stdout and stderr, and returns the
// process's exit code: 0, or 1 after printing the error once.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(context.Background())
	if err != nil {
		printError(stderr, asUsageError(cmd, err))
		return 1
	}
	return 0
}

// asUsageError gives cobra's own complaints about how cmd was called (a
// required flag missing, an unknown command) the hint of a usage error.
func asUsageError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if hintOf(err) != "" || cmd == nil ||
		!strings.HasPrefix(msg, "required flag") && !strings.HasPrefix(msg, "unknown command") {
		return err
	}
	return &usageError{msg: msg, path: cmd.CommandPath()}
}

// newRootCmd builds the whole command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "foyer",
		Short: "A tenant-aware HTTPS reverse proxy for SaaS builders",
		Long: "foyer routes each tenant's traffic (by custom domain or <slug>.<base-domain>) to the\n" +
			"tenant's backends, with TLS. `foyer serve` runs the daemon; every other command talks\n" +
			"to it through admin.sock in the data directory: --data DIR, else FOYER_DATA, else\n" +
			"STATE_DIRECTORY (systemd), else /var/lib/foyer if it exists, else\n" +
			"$XDG_DATA_HOME/foyer (~/.local/share/foyer).",
		Example:       "  foyer serve\n  foyer tenant add acme --name \"Acme Inc.\"\n  foyer --data ./data status",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("data", "", "data directory (default: FOYER_DATA, STATE_DIRECTORY, /var/lib/foyer, ~/.local/share/foyer)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{msg: err.Error(), path: cmd.CommandPath()}
	})
	root.AddCommand(
		newServeCmd(), newDemoCmd(), newStatusCmd(), newSettingsCmd(), newTenantCmd(),
		newBackendCmd(), newDomainCmd(), newCertCmd(), newCACmd(), newAuditCmd(), newVersionCmd(), newGenDocsCmd(), newTokenCmd(),
	)
	root.AddCommand(newBackupCmd(), newRestoreCmd())
	root.AddCommand(trafficCommands()...)
	root.AddCommand(newStatsCmd())                 // stats.go
	root.AddCommand(newExportCmd(), newApplyCmd()) // export.go, apply.go
	root.AddCommand(newLogsCmd(), newUsageCmd())   // logs.go, usage.go
	root.AddCommand(newTUICmd())                   // tui.go
	root.AddCommand(newEventsCmd())                // events.go
	root.AddCommand(newDoctorCmd(), newStoreCmd()) // doctor.go, store_check.go
	root.AddCommand(newSSHKeyCmd())                // ssh_key.go
	return root
}

// printError prints err as "error: ..." and, when it carries one, its hint
// as "hint: ...".
func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "error: %s\n", err)
	if h := hintOf(err); h != "" {
		fmt.Fprintf(w, "hint: %s\n", h)
	}
}

// hintOf returns the hint err carries: the daemon's (*api.Error), or one of
// a Hint method (*api.UnreachableError, usage errors); "" if none.
func hintOf(err error) string {
	var ae *api.Error
	if errors.As(err, &ae) {
		return ae.Hint
	}
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}
