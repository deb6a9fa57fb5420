package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newDemoCmd is `foyer demo`. (Being written: lands with the appliance.)
func newDemoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Serve three demo tenants on embedded defaults (data in ./.demo)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("foyer demo: not built yet")
		},
	}
}
