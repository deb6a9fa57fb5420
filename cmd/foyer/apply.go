package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/ops"
)

// newApplyCmd is `foyer apply -f FILE [--dry-run] [--prune]`.
func newApplyCmd() *cobra.Command {
	var file string
	var dryRun, prune, asJSON bool
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Bring the configuration to a YAML file in one transaction (all or nothing)",
		Long: "Read a configuration file (docs/config.md; `foyer export` writes one), show what will be\n" +
			"created, changed and removed, and apply it in one store transaction: a refused entry\n" +
			"changes nothing and is named by file, line and field. What the store has and the file\n" +
			"lacks is kept (and listed) unless --prune removes it. API keys the store lacks are\n" +
			"created and their tokens printed once.",
		Example: "  foyer apply -f foyer.yaml --dry-run\n  foyer apply -f foyer.yaml\n  foyer apply -f foyer.yaml --prune",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, name, err := readConfigFile(cmd, file)
			if err != nil {
				return err
			}
			conf, err := ops.ParseConfig(name, data)
			if err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			res, err := c.Apply(cmd.Context(), api.ApplyRequest{Document: conf.Doc, DryRun: dryRun, Prune: prune})
			if err != nil {
				return conf.Explain(err)
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), res)
			}
			return ops.WriteDiff(cmd.OutOrStdout(), res)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the configuration file (- for standard input)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show the changes and validate them, but change nothing")
	cmd.Flags().BoolVar(&prune, "prune", false, "remove what the store has and the file lacks")
	addJSONFlag(cmd, &asJSON)
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// readConfigFile reads the file named by -f, or standard input for "-".
func readConfigFile(cmd *cobra.Command, file string) ([]byte, string, error) {
	if file == "-" {
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return nil, "", fmt.Errorf("reading standard input: %w", err)
		}
		return b, "<stdin>", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, "", fmt.Errorf("reading the configuration file: %w", err)
	}
	return b, file, nil
}
