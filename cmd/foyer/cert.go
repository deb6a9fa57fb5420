package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// maxPEMFile bounds a certificate or key file the CLI reads; real ones are
// a few kilobytes.
const maxPEMFile = 1 << 20

// newCertCmd is `foyer cert`: imported TLS certificates.
func newCertCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "cert",
		Short:   "Import, list and remove TLS certificates",
		Example: "  foyer cert add shop.acme.com --cert fullchain.pem --key privkey.pem\n  foyer cert list",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newCertAddCmd(), newCertListCmd(), newCertRmCmd())
	return cmd
}

// newCertAddCmd is `foyer cert add DOMAIN --cert FILE --key FILE`. The CLI
// reads the files and sends their content: the daemon never reads an
// operator's path.
func newCertAddCmd() *cobra.Command {
	var certFile, keyFile string
	cmd := &cobra.Command{
		Use:               "add DOMAIN --cert FILE --key FILE",
		Short:             "Import a PEM certificate chain and its private key under a name",
		Example:           "  foyer cert add shop.acme.com --cert fullchain.pem --key privkey.pem",
		Args:              exactArgs(1, "exactly one DOMAIN (the certificate's name)"),
		ValidArgsFunction: completeArg(domainNames),
		RunE: func(cmd *cobra.Command, args []string) error {
			certPEM, err := readPEMFile("--cert", certFile)
			if err != nil {
				return err
			}
			keyPEM, err := readPEMFile("--key", keyFile)
			if err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			ct, err := c.AddCert(cmd.Context(), api.AddCertRequest{Name: args[0], CertPEM: certPEM, KeyPEM: keyPEM})
			if err != nil {
				return err
			}
			return say(cmd, "certificate %s added for %s (expires %s)", ct.Name, strings.Join(ct.Names, ", "), formatTime(ct.NotAfter))
		},
	}
	cmd.Flags().StringVar(&certFile, "cert", "", "PEM file with the certificate chain, leaf first (required)")
	cmd.Flags().StringVar(&keyFile, "key", "", "PEM file with the private key (required)")
	cmd.MarkFlagRequired("cert")
	cmd.MarkFlagRequired("key")
	cmd.MarkFlagFilename("cert", "pem", "crt", "cer")
	cmd.MarkFlagFilename("key", "pem", "key")
	return cmd
}

// readPEMFile reads the file named by flag, with an error that names the
// flag and the path.
func readPEMFile(flag, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: cannot read %s: %w", flag, path, underlying(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPEMFile+1))
	if err != nil {
		return "", fmt.Errorf("%s: cannot read %s: %w", flag, path, underlying(err))
	}
	if len(b) > maxPEMFile {
		return "", fmt.Errorf("%s: %s is larger than %d bytes; is it a PEM file?", flag, path, maxPEMFile)
	}
	return string(b), nil
}

// underlying strips an *os.PathError down to its cause, so a message does
// not name the path twice.
func underlying(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// newCertListCmd is `foyer cert list`.
func newCertListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List imported certificates with their names, issuer and expiry",
		Example: "  foyer cert list\n  foyer cert list --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			cs, err := c.Certs(cmd.Context())
			if err != nil || asJSON {
				return jsonOr(cmd, err, nonNil(cs))
			}
			return certTable(cmd.OutOrStdout(), cs, time.Now())
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// certTable prints certificates with the days left before each expires,
// counted from now.
func certTable(w io.Writer, cs []api.Cert, now time.Time) error {
	t := newTable(w, "NAME", "COVERS", "ISSUER", "EXPIRES", "DAYS LEFT")
	for _, c := range cs {
		t.row(c.Name, orDash(strings.Join(c.Names, ",")), orDash(c.Issuer), formatTime(c.NotAfter), daysLeft(c.NotAfter, now))
	}
	return t.flush()
}

// daysLeft is the whole days from now until t, or "expired".
func daysLeft(t, now time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return "expired"
	}
	return strconv.Itoa(int(math.Floor(d.Hours() / 24)))
}

// newCertRmCmd is `foyer cert rm DOMAIN`.
func newCertRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "rm DOMAIN",
		Short:             "Remove an imported certificate",
		Example:           "  foyer cert rm shop.acme.com",
		Args:              exactArgs(1, "exactly one DOMAIN (the certificate's name)"),
		ValidArgsFunction: completeArg(certNames),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if err := c.RemoveCert(cmd.Context(), args[0]); err != nil {
				return err
			}
			return say(cmd, "certificate %s removed", args[0])
		},
	}
}
