package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/ops"
)

// newExportCmd is `foyer export [-o FILE]`.
func newExportCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the configuration (tenants, pools, backends, domains, policies, plans, settings) as YAML",
		Long: "Write the daemon's configuration as one YAML document (docs/config.md): settings that\n" +
			"differ from their defaults, plans, and every tenant with its aliases, policy, pools,\n" +
			"backends, domains, JWT key and API key names. Secrets (HS256 JWT secrets, API key\n" +
			"tokens, secret settings), certificates and runtime state are not written. Edit the\n" +
			"file in git and bring the daemon to it with `foyer apply`.",
		Example: "  foyer export -o foyer.yaml\n  foyer export > foyer.yaml",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			doc, err := c.Export(cmd.Context())
			if err != nil {
				return err
			}
			b, err := ops.RenderConfig(doc)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			if err := writeFileAtomic(out, b); err != nil {
				return err
			}
			return say(cmd, "configuration written to %s (%d tenants, %d plans)", out, len(doc.Tenants), len(doc.Plans))
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

// writeFileAtomic writes b to path through a temporary file in the same
// directory, so a reader never sees half a file.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
