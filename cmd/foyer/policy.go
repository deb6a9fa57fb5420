package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newPolicyCmd is `foyer policy`: a tenant's traffic policy (rate and
// concurrency limits, IP rules, API keys, header rules, HSTS, redirect,
// maintenance) and its plan.
func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "policy",
		Short:   "Show and change a tenant's traffic policy and plan (applied live)",
		Example: "  foyer policy show acme\n  foyer policy set acme rate=50 burst=100 --plan pro",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newPolicyShowCmd(), newPolicySetCmd(), newPolicyUnsetCmd())
	return cmd
}

// parseKV reads KEY=VALUE arguments; an empty VALUE is allowed (KEY=).
func parseKV(cmd *cobra.Command, args []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, &usageError{msg: fmt.Sprintf("%q is not KEY=VALUE, e.g. rate=50", a), path: cmd.CommandPath()}
		}
		out[k] = v
	}
	return out, nil
}

// newPolicyShowCmd is `foyer policy show SLUG`.
func newPolicyShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "show SLUG",
		Short:             "Show every policy key's effective value and where it comes from (default, plan or tenant)",
		Example:           "  foyer policy show acme\n  foyer policy show acme --json",
		Args:              exactArgs(1, "exactly one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			p, err := c.Policy(cmd.Context(), args[0])
			if err != nil || asJSON {
				return jsonOr(cmd, err, p)
			}
			return printPolicy(cmd, p)
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func printPolicy(cmd *cobra.Command, p api.TenantPolicy) error {
	if _, err := fmt.Fprintf(cmd.OutOrStdout(), "tenant %s, plan %s\n\n", p.Tenant, orDash(p.Plan)); err != nil {
		return err
	}
	t := newTable(cmd.OutOrStdout(), "KEY", "VALUE", "FROM", "DESCRIPTION")
	for _, v := range p.Effective {
		t.row(v.Key, orDash(v.Value), v.Source, v.Doc)
	}
	return t.flush()
}

// newPolicySetCmd is `foyer policy set SLUG KEY=VALUE... [--plan P]`.
func newPolicySetCmd() *cobra.Command {
	var plan string
	cmd := &cobra.Command{
		Use:   "set SLUG [KEY=VALUE]...",
		Short: "Override policy keys for a tenant and/or put it on a plan",
		Long: "Override policy keys for a tenant and/or put it on a plan. A key set here wins over the\n" +
			"tenant's plan, which wins over the default. Keys: " + strings.Join(policyKeyList, ", ") + ".\n" +
			"See docs/traffic.md for what each does.",
		Example: "  foyer policy set acme rate=50 burst=100\n  foyer policy set acme --plan pro\n" +
			"  foyer policy set acme api-keys=required allow=203.0.113.0/24\n" +
			"  foyer policy set acme response-headers-set=X-Frame-Options:DENY response-headers-remove=Server",
		Args:              argsBetween(1, -1, "a SLUG and KEY=VALUE pairs or --plan"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := parseKV(cmd, args[1:])
			if err != nil {
				return err
			}
			req := api.SetPolicyRequest{Set: set}
			if cmd.Flags().Changed("plan") {
				req.Plan = &plan
			} else if len(set) == 0 {
				return &usageError{msg: "policy set takes KEY=VALUE pairs or --plan, e.g. foyer policy set acme rate=50", path: cmd.CommandPath()}
			}
			return setPolicy(cmd, args[0], req)
		},
	}
	cmd.Flags().StringVar(&plan, "plan", "", "put the tenant on this plan (\"\" for none)")
	return cmd
}

// newPolicyUnsetCmd is `foyer policy unset SLUG KEY...`.
func newPolicyUnsetCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "unset SLUG KEY...",
		Short:             "Remove a tenant's overrides: the keys fall back to its plan or the default",
		Example:           "  foyer policy unset acme rate burst",
		Args:              argsBetween(2, -1, "a SLUG and one or more KEYs"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return setPolicy(cmd, args[0], api.SetPolicyRequest{Unset: args[1:]})
		},
	}
}

func setPolicy(cmd *cobra.Command, slug string, req api.SetPolicyRequest) error {
	c, err := client(cmd)
	if err != nil {
		return err
	}
	p, err := c.SetPolicy(cmd.Context(), slug, req)
	if err != nil {
		return err
	}
	var over []string
	for _, v := range p.Effective {
		if v.Source == "tenant" {
			over = append(over, v.Key+"="+v.Value)
		}
	}
	return say(cmd, "policy of %s: plan %s, overrides %s", slug, orDash(p.Plan), orDash(strings.Join(over, " ")))
}

// policyKeyList is every policy key, for help text (kept in step with
// store.PolicyKeys by TestPolicyKeyList; the CLI does not import store).
var policyKeyList = []string{"allow", "api-keys", "burst", "deny", "hsts", "ip-burst", "ip-rate",
	"maintenance", "maintenance-message", "max-in-flight", "queue", "queue-timeout", "rate",
	"redirect-https", "request-headers-remove", "request-headers-set", "response-headers-remove",
	"response-headers-set"}

// planNames lists every plan's name, for completion.
func planNames(ctx context.Context, c *api.Client, _ []string) ([]string, error) {
	ps, err := c.Plans(ctx)
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names, err
}
