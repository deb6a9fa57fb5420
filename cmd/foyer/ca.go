package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newCACmd is `foyer ca`: foyer's internal CA.
func newCACmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "ca",
		Short:   "Work with foyer's internal CA (setting internal-ca)",
		Example: "  foyer ca export-root --out foyer-ca.pem",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newCAExportRootCmd())
	return cmd
}

// newCAExportRootCmd is `foyer ca export-root [--out FILE]`.
func newCAExportRootCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export-root [--out FILE]",
		Short: "Print the internal CA's root certificate (PEM) for clients to trust",
		Long: "Print the root certificate of foyer's internal CA, or write it to --out FILE.\n" +
			"Clients that trust it accept the certificates foyer issues while internal-ca is on,\n" +
			"e.g. curl --cacert FILE. The CA's private key never leaves the store.",
		Example: "  foyer ca export-root --out foyer-ca.pem\n  curl --cacert foyer-ca.pem https://acme.saas.test/",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			return exportRoot(cmd.Context(), c, out, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the PEM to FILE instead of stdout")
	cmd.MarkFlagFilename("out", "pem", "crt")
	return cmd
}

// exportRoot fetches the root from the daemon and writes it to path, or
// to stdout when path is "". `foyer demo` uses it too.
func exportRoot(ctx context.Context, c *api.Client, path string, stdout io.Writer) error {
	root, err := c.CARoot(ctx)
	if err != nil {
		return err
	}
	if path == "" {
		_, err := io.WriteString(stdout, root.CertPEM)
		return err
	}
	if err := os.WriteFile(path, []byte(root.CertPEM), 0o644); err != nil {
		return fmt.Errorf("--out: cannot write %s: %w", path, underlying(err))
	}
	return nil
}
