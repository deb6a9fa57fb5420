package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newDomainCheckCmd is `foyer domain check DOMAIN`.
func newDomainCheckCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check DOMAIN",
		Short: "Check a custom domain's DNS live, one line per check, and update its state",
		Long: "Check a custom domain's DNS live: its CNAME, A and AAAA records (stale AAAA records " +
			"are flagged), the ownership TXT record, CAA records that would refuse the configured CA, " +
			"and an HTTP self-test that the domain reaches this foyer. A domain that passes becomes " +
			"verified and its certificate is obtained at once.",
		Example:           "  foyer domain check shop.acme.com",
		Args:              exactArgs(1, "exactly one DOMAIN"),
		ValidArgsFunction: completeArg(domainNames),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			res, err := c.CheckDomain(cmd.Context(), args[0])
			if err != nil || asJSON {
				return jsonOr(cmd, err, res)
			}
			return printCheck(cmd.OutOrStdout(), res)
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// printCheck prints one line per check, then the domain's state.
func printCheck(w io.Writer, res api.DomainCheck) error {
	fmt.Fprintf(w, "checking %s (resolver %s)\n", res.Domain.Name, res.Resolver)
	t := newTable(w, "CHECK", "RESULT", "FOUND", "HINT")
	for _, c := range res.Checks {
		result := "fail"
		if c.OK {
			result = "ok"
		}
		t.row(c.Name, result, c.Detail, orDash(c.Hint))
	}
	if err := t.flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "state: %s (%s)\n", res.Domain.State, orDash(res.Domain.Reason))
	return err
}

// printSetup prints the DNS records that make d point here.
func printSetup(w io.Writer, d api.Domain) {
	s := d.Setup
	if s == nil {
		return
	}
	fmt.Fprintln(w, "Point it here with one of:")
	if s.CNAME != "" {
		fmt.Fprintf(w, "  %s  CNAME  %s\n", d.Name, s.CNAME)
	}
	for _, ip := range s.Addresses {
		typ := "A"
		if strings.Contains(ip, ":") {
			typ = "AAAA"
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", d.Name, typ, ip)
	}
	if s.CNAME == "" && len(s.Addresses) == 0 {
		fmt.Fprintln(w, "  (set cname-target, base-domain or public-ips to see the records)")
	}
	fmt.Fprintln(w, "Optionally, to verify ownership before the DNS switch:")
	fmt.Fprintf(w, "  %s  TXT  %q\n", s.TXTName, s.TXTValue)
	fmt.Fprintf(w, "Then: foyer domain check %s\n", d.Name)
}
