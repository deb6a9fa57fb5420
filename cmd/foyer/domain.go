package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newDomainCmd is `foyer domain`: tenants' custom domains.
func newDomainCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "domain",
		Short:   "Add, list, check and remove tenants' custom domains and see their state",
		Example: "  foyer domain add acme shop.acme.com\n  foyer domain check shop.acme.com\n  foyer domain list",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newDomainAddCmd(), newDomainListCmd(), newDomainRmCmd(), newDomainCheckCmd())
	return cmd
}

// newDomainAddCmd is `foyer domain add SLUG DOMAIN`.
func newDomainAddCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "add SLUG DOMAIN",
		Short:             "Add a custom domain to a tenant and print the DNS records to set; it starts in pending_dns",
		Example:           "  foyer domain add acme shop.acme.com",
		Args:              exactArgs(2, "a SLUG and a DOMAIN"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			d, err := c.AddDomain(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if err := say(cmd, "domain %s added to %s (%s)", d.Name, d.Tenant, d.State); err != nil {
				return err
			}
			printSetup(cmd.OutOrStdout(), d)
			return nil
		},
	}
}

// newDomainListCmd is `foyer domain list [SLUG]`.
func newDomainListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "list [SLUG]",
		Short:             "List custom domains (of one tenant or all) with state, reason and hint",
		Example:           "  foyer domain list\n  foyer domain list acme --json",
		Args:              argsBetween(0, 1, "at most one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			slug := ""
			if len(args) == 1 {
				slug = args[0]
			}
			ds, err := c.Domains(cmd.Context(), slug)
			if err != nil || asJSON {
				return jsonOr(cmd, err, nonNil(ds))
			}
			return domainTable(cmd.OutOrStdout(), ds, true)
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// newDomainRmCmd is `foyer domain rm DOMAIN`.
func newDomainRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "rm DOMAIN",
		Short:             "Remove a custom domain from its tenant",
		Example:           "  foyer domain rm shop.acme.com",
		Args:              exactArgs(1, "exactly one DOMAIN"),
		ValidArgsFunction: completeArg(domainNames),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if err := c.RemoveDomain(cmd.Context(), args[0]); err != nil {
				return err
			}
			return say(cmd, "domain %s removed", args[0])
		},
	}
}

// domainTable prints domains with their state, and why they are stuck and
// what to do when they are; withTenant adds the tenant column.
func domainTable(w io.Writer, ds []api.Domain, withTenant bool) error {
	header := []string{"DOMAIN", "STATE", "REASON", "HINT"}
	if withTenant {
		header = append([]string{"TENANT"}, header...)
	}
	t := newTable(w, header...)
	for _, d := range ds {
		row := []string{d.Name, d.State, orDash(d.Reason), orDash(d.Hint)}
		if withTenant {
			row = append([]string{d.Tenant}, row...)
		}
		t.row(row...)
	}
	return t.flush()
}
