package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newServeCmd is `foyer serve`: the daemon. (Being written: the appliance
// wiring lands in the next commit.)
func newServeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the foyer daemon: the HTTPS reverse proxy and the admin socket",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("foyer serve: not built yet")
		},
	}
}
