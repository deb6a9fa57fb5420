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
		Use:   "list",
		Short: "List every certificate: imported and obtained, with issuer, expiry, renewal, and the weekly CA budget",
		Long: `List every certificate foyer serves: imported ones (foyer cert add) and
obtained ones (ACME or the internal CA, kept in the store), each with its
source, issuer, expiry and renewal state; then, for ACME, how much of the
CA's weekly limit each registered domain has used (Let's Encrypt allows 50
new certificates per registered domain per 7 days; renewals are counted
too, so the figure is an upper bound).`,
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
			budgets, err := c.CertBudgets(cmd.Context())
			if err != nil {
				return err
			}
			if err := certTable(cmd.OutOrStdout(), cs, time.Now()); err != nil {
				return err
			}
			return budgetTable(cmd.OutOrStdout(), budgets)
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// certTable prints certificates with the days left before each expires,
// counted from now.
func certTable(w io.Writer, cs []api.Cert, now time.Time) error {
	t := newTable(w, "NAME", "SOURCE", "COVERS", "ISSUER", "EXPIRES", "DAYS LEFT", "RENEWAL")
	for _, c := range cs {
		t.row(c.Name, orDash(c.Source), orDash(strings.Join(c.Names, ",")), orDash(issuerCN(c.Issuer)),
			formatTime(c.NotAfter), daysLeft(c.NotAfter, now), orDash(c.Renewal))
	}
	return t.flush()
}

// budgetTable prints each registered domain's use of the weekly limit,
// or nothing when no ACME certificate was issued this week.
func budgetTable(w io.Writer, bs []api.CertBudget) error {
	if len(bs) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nACME certificates issued in the last 7 days, per registered domain (renewals included):")
	t := newTable(w, "REGISTERED DOMAIN", "ISSUED", "LIMIT", "LEFT")
	for _, b := range bs {
		t.row(b.RegisteredDomain, strconv.Itoa(b.Issued), strconv.Itoa(b.Limit), strconv.Itoa(max(b.Limit-b.Issued, 0)))
	}
	return t.flush()
}

// issuerCN shortens an issuer's distinguished name to its common name.
func issuerCN(dn string) string {
	for _, part := range strings.Split(dn, ",") {
		if v, ok := strings.CutPrefix(part, "CN="); ok {
			return v
		}
	}
	return dn
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
