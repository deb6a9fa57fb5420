package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/ops"
)

// newDoctorCmd is `foyer doctor`: every check an operator would run by
// hand, each ok / warn / fail with a hint (ops.Doctor).
func newDoctorCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Diagnose foyer: daemon, listeners, permissions, store, ACME, domains, certificates, clock, disk",
		Long: "Runs every check and prints one line each: ok, warn or fail, a detail, and for a problem\n" +
			"what to do. It exits non-zero when any check fails. When the daemon does not answer it\n" +
			"says so and runs the offline checks (permissions, `foyer store check`, disk). The ACME\n" +
			"check fetches the acme-directory setting's URL (5s timeout). docs/troubleshooting.md\n" +
			"explains each check.",
		Example: "  foyer doctor\n  foyer doctor --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := dataDir(cmd)
			if err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			r := ops.Doctor(cmd.Context(), ops.DoctorOptions{
				DataDir: dir,
				Client:  c,
				OfflineCheck: func(context.Context) ([]api.FileCheck, error) {
					return checkStoreOffline(cmd, dir)
				},
			})
			if asJSON {
				err = printJSON(cmd.OutOrStdout(), r)
			} else {
				err = ops.WriteDoctorReport(cmd.OutOrStdout(), r)
			}
			if err != nil {
				return err
			}
			if n := r.Count(ops.LevelFail); n > 0 {
				return hinted{fmt.Errorf("doctor: %d check(s) failed", n), "see each failed check's hint above; docs/troubleshooting.md explains them"}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
