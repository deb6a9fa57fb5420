package main

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newPlanCmd is `foyer plan`: named policy templates tenants reference.
func newPlanCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "plan",
		Short:   "Add, change, list and remove plans: named policies tenants share",
		Example: "  foyer plan add free rate=10 burst=20 max-in-flight=5\n  foyer policy set acme --plan free",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newPlanAddCmd(), newPlanSetCmd(), newPlanListCmd(), newPlanRmCmd())
	return cmd
}

// newPlanAddCmd is `foyer plan add NAME KEY=VALUE...`.
func newPlanAddCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "add NAME [KEY=VALUE]...",
		Short:   "Add a plan with the given policy keys (the rest take their defaults)",
		Example: "  foyer plan add free rate=10 burst=20 max-in-flight=5\n  foyer plan add pro rate=500 hsts=true",
		Args:    argsBetween(1, -1, "a NAME and KEY=VALUE pairs"),
		RunE: func(cmd *cobra.Command, args []string) error {
			kv, err := parseKV(cmd, args[1:])
			if err != nil {
				return err
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			p, err := c.CreatePlan(cmd.Context(), api.CreatePlanRequest{Name: args[0], Policy: kv})
			if err != nil {
				return err
			}
			return say(cmd, "plan %s added: %s", p.Name, orDash(policyString(p.Policy)))
		},
	}
}

// newPlanSetCmd is `foyer plan set NAME KEY=VALUE...`.
func newPlanSetCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "set NAME KEY=VALUE...",
		Short:             "Change a plan's keys (KEY= removes one); every tenant on it follows at once",
		Example:           "  foyer plan set free rate=20\n  foyer plan set free burst=",
		Args:              argsBetween(2, -1, "a NAME and KEY=VALUE pairs"),
		ValidArgsFunction: completeArg(planNames),
		RunE: func(cmd *cobra.Command, args []string) error {
			kv, err := parseKV(cmd, args[1:])
			if err != nil {
				return err
			}
			req := api.SetPolicyRequest{Set: map[string]string{}}
			for k, v := range kv {
				if v == "" {
					req.Unset = append(req.Unset, k)
				} else {
					req.Set[k] = v
				}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			p, err := c.SetPlan(cmd.Context(), args[0], req)
			if err != nil {
				return err
			}
			return say(cmd, "plan %s: %s (%d tenant(s))", p.Name, orDash(policyString(p.Policy)), len(p.Tenants))
		},
	}
}

// newPlanListCmd is `foyer plan list`.
func newPlanListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List every plan with its keys and the tenants on it",
		Example: "  foyer plan list\n  foyer plan list --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			ps, err := c.Plans(cmd.Context())
			if err != nil || asJSON {
				return jsonOr(cmd, err, nonNil(ps))
			}
			t := newTable(cmd.OutOrStdout(), "PLAN", "POLICY", "TENANTS")
			for _, p := range ps {
				t.row(p.Name, orDash(policyString(p.Policy)), orDash(strings.Join(p.Tenants, ",")))
			}
			return t.flush()
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// newPlanRmCmd is `foyer plan rm NAME`.
func newPlanRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "rm NAME",
		Short:             "Remove a plan; refused while a tenant is on it",
		Example:           "  foyer plan rm free",
		Args:              exactArgs(1, "exactly one NAME"),
		ValidArgsFunction: completeArg(planNames),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if err := c.DeletePlan(cmd.Context(), args[0]); err != nil {
				return err
			}
			return say(cmd, "plan %s removed", args[0])
		},
	}
}

// policyString renders keys as "k=v k=v", sorted.
func policyString(p map[string]string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + p[k]
	}
	return strings.Join(keys, " ")
}
