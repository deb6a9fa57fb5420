package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newTenantCmd is `foyer tenant`: the tenants and their lifecycle.
func newTenantCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "tenant",
		Short:   "Add, list, show, rename, suspend, resume and remove tenants",
		Example: "  foyer tenant add acme --name \"Acme Inc.\"\n  foyer tenant list",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newTenantAddCmd(), newTenantListCmd(), newTenantShowCmd(), newTenantSetCmd(),
		newTenantStateCmd("suspend", "suspended", "Suspend a tenant: its requests get 503 from foyer"),
		newTenantStateCmd("resume", "active", "Resume a suspended tenant: traffic reaches its backends again"),
		newTenantRmCmd(), newTenantAliasCmd(), newTenantJWTKeyCmd())
	return cmd
}

// newTenantAddCmd is `foyer tenant add SLUG [--name N]`.
func newTenantAddCmd() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "add SLUG",
		Short:   "Add a tenant; it answers at SLUG.<base-domain> once it has a backend",
		Example: "  foyer tenant add acme\n  foyer tenant add acme --name \"Acme Inc.\"",
		Args:    exactArgs(1, "exactly one SLUG"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			t, err := c.CreateTenant(cmd.Context(), api.CreateTenantRequest{Slug: args[0], Name: name})
			if err != nil {
				return err
			}
			return say(cmd, "tenant %s added", t.Slug)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "display name (default: the slug)")
	return cmd
}

// newTenantListCmd is `foyer tenant list`.
func newTenantListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List every tenant with its name and state",
		Example: "  foyer tenant list\n  foyer tenant list --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			ts, err := c.AllTenants(cmd.Context())
			if err != nil || asJSON {
				return jsonOr(cmd, err, nonNil(ts))
			}
			t := newTable(cmd.OutOrStdout(), "SLUG", "NAME", "STATE", "CREATED")
			for _, tn := range ts {
				t.row(tn.Slug, orDash(tn.Name), tn.State, formatTime(tn.Created))
			}
			return t.flush()
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// newTenantShowCmd is `foyer tenant show SLUG`.
func newTenantShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "show SLUG",
		Short:             "Show a tenant with its pools, backends, domains and hosts",
		Example:           "  foyer tenant show acme\n  foyer tenant show acme --json",
		Args:              exactArgs(1, "exactly one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			d, err := c.Tenant(cmd.Context(), args[0])
			if err != nil || asJSON {
				return jsonOr(cmd, err, d)
			}
			if err := printTenant(cmd, d); err != nil {
				return err
			}
			return printBreaker(cmd, c, args[0]) // breaker.go
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// printTenant prints a tenant's record, then a table for each of its pools,
// backends and domains.
func printTenant(cmd *cobra.Command, d api.TenantDetail) error {
	w := cmd.OutOrStdout()
	t := newTable(w)
	t.row("slug", d.Slug)
	t.row("name", orDash(d.Name))
	t.row("state", d.State)
	t.row("created", formatTime(d.Created))
	t.row("hosts", orDash(strings.Join(d.Hosts, ", ")))
	t.row("")
	t.row("POOL", "ALGORITHM")
	for _, p := range d.Pools {
		t.row(p.Name, orDash(p.Algorithm))
	}
	t.row("")
	if err := t.flush(); err != nil {
		return err
	}
	if err := backendTable(w, d.Backends); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return domainTable(w, d.Domains, false)
}

// newTenantSetCmd is `foyer tenant set SLUG --name N`.
func newTenantSetCmd() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:               "set SLUG --name NAME",
		Short:             "Change a tenant's display name",
		Example:           "  foyer tenant set acme --name \"Acme Corporation\"",
		Args:              exactArgs(1, "exactly one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			t, err := c.UpdateTenant(cmd.Context(), args[0], api.UpdateTenantRequest{Name: &name})
			if err != nil {
				return err
			}
			return say(cmd, "tenant %s renamed to %q", t.Slug, t.Name)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "new display name (required)")
	cmd.MarkFlagRequired("name")
	return cmd
}

// newTenantStateCmd is `foyer tenant suspend|resume SLUG`: it sets the
// tenant's state to state.
func newTenantStateCmd(verb, state, short string) *cobra.Command {
	return &cobra.Command{
		Use:               verb + " SLUG",
		Short:             short,
		Example:           "  foyer tenant " + verb + " acme",
		Args:              exactArgs(1, "exactly one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			t, err := c.UpdateTenant(cmd.Context(), args[0], api.UpdateTenantRequest{State: &state})
			if err != nil {
				return err
			}
			return say(cmd, "tenant %s is %s", t.Slug, t.State)
		},
	}
}

// newTenantRmCmd is `foyer tenant rm SLUG [--force]`.
func newTenantRmCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:               "rm SLUG",
		Short:             "Remove a tenant (with --force, also its backends and domains)",
		Example:           "  foyer tenant rm acme\n  foyer tenant rm acme --force",
		Args:              exactArgs(1, "exactly one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if err := c.DeleteTenant(cmd.Context(), args[0], force); err != nil {
				return err
			}
			return say(cmd, "tenant %s removed", args[0])
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "also remove the tenant's backends and domains")
	return cmd
}

// nonNil returns s, or an empty slice for nil, so --json prints [] rather
// than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
