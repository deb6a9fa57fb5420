package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// Build information, set by the linker:
// -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234 -X main.date=2025-01-02T03:04:05Z".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// versionInfo is `foyer version --json`.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
}

// newVersionCmd is `foyer version`: the CLI's own build; it needs no daemon.
func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print foyer's version, commit and build date",
		Example: "  foyer version\n  foyer version --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := versionInfo{Version: version, Commit: commit, Date: date}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), v)
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "foyer %s (commit %s, built %s)\n", v.Version, v.Commit, v.Date)
			return err
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}
