package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newSettingsCmd is `foyer settings`: the appliance-wide settings stored
// in foyer.db and applied live.
func newSettingsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "settings",
		Short:   "List, read and change the appliance's settings (applied live)",
		Example: "  foyer settings list\n  foyer settings set base-domain saas.example.com",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newSettingsListCmd(), newSettingsGetCmd(), newSettingsSetCmd())
	return cmd
}

// newSettingsListCmd is `foyer settings list`.
func newSettingsListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List every setting with its value and what it does",
		Example: "  foyer settings list\n  foyer settings list --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			ss, err := c.Settings(cmd.Context())
			if err != nil || asJSON {
				return jsonOr(cmd, err, ss)
			}
			t := newTable(cmd.OutOrStdout(), "KEY", "VALUE", "DESCRIPTION")
			for _, s := range ss {
				t.row(s.Key, orDash(s.Value), s.Doc)
			}
			return t.flush()
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// newSettingsGetCmd is `foyer settings get KEY`.
func newSettingsGetCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "get KEY",
		Short:             "Print one setting's value",
		Example:           "  foyer settings get base-domain\n  foyer settings get idle-timeout --json",
		Args:              exactArgs(1, "exactly one KEY"),
		ValidArgsFunction: completeArg(settingKeys),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			s, err := c.Setting(cmd.Context(), args[0])
			if err != nil || asJSON {
				return jsonOr(cmd, err, s)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), s.Value)
			return err
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// newSettingsSetCmd is `foyer settings set KEY VALUE`.
func newSettingsSetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:               "set KEY VALUE",
		Short:             "Change one setting; the daemon validates and applies it at once",
		Example:           "  foyer settings set base-domain saas.example.com\n  foyer settings set trusted-proxies \"\"",
		Args:              exactArgs(2, "a KEY and a VALUE (\"\" to clear)"),
		ValidArgsFunction: completeArg(settingKeys),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			s, err := c.SetSetting(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			return say(cmd, "%s set to %q", s.Key, s.Value)
		},
	}
	// Flags go before KEY: a VALUE may start with dashes (a PEM root for
	// acme-roots) and must not be read as a flag.
	cmd.Flags().SetInterspersed(false)
	return cmd
}
