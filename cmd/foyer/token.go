package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newTokenCmd is `foyer token`: bearer tokens of the HTTPS API listener.
func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke bearer tokens for the HTTPS API",
		Long: "Bearer tokens authenticate calls to the HTTPS API listener (settings api-listen and\n" +
			"api-host), which serves the same API as admin.sock. A token's role is admin (everything)\n" +
			"or tenant:SLUG (only that tenant: read it and its backends, add, list, check and\n" +
			"remove its domains).",
		Example: "  foyer settings set api-host api.saas.example.com\n  foyer settings set api-listen :8443\n" +
			"  foyer token create acme-dashboard --role tenant:acme",
		Args: cobra.ArbitraryArgs,
		RunE: runGroup,
	}
	cmd.AddCommand(newTokenCreateCmd(), newTokenListCmd(), newTokenRevokeCmd())
	return cmd
}

// newTokenCreateCmd is `foyer token create NAME --role admin|tenant:SLUG`.
func newTokenCreateCmd() *cobra.Command {
	var role string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create NAME --role admin|tenant:SLUG",
		Short: "Create a token and print it once (foyer keeps only a hash)",
		Long: "Create a bearer token and print it. The token is shown once and never again: foyer\n" +
			"stores only its SHA-256. Clients send it as `Authorization: Bearer <token>` to the\n" +
			"HTTPS API listener.",
		Example:           "  foyer token create acme-dashboard --role tenant:acme\n  foyer token create deploy --role admin",
		Args:              exactArgs(1, "a token NAME"),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			k, err := c.CreateToken(cmd.Context(), api.CreateTokenRequest{Name: args[0], Role: role})
			if err != nil || asJSON {
				return jsonOr(cmd, err, k)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", k.Token)
			if err == nil {
				_, err = fmt.Fprintf(cmd.ErrOrStderr(), "Token %s created (role %s, id %s).\n"+
					"Copy it now: it cannot be shown again.\n", k.Name, k.Role, k.ID)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "admin, or tenant:SLUG to limit the token to one tenant")
	_ = cmd.MarkFlagRequired("role")
	_ = cmd.RegisterFlagCompletionFunc("role", completeTokenRole)
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// completeTokenRole offers admin and tenant:SLUG for every tenant.
func completeTokenRole(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	out := []string{"admin"}
	c, err := client(cmd)
	if err != nil {
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	slugs, _ := tenantSlugs(ctx, c, nil)
	for _, s := range slugs {
		out = append(out, "tenant:"+s)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// tokenNames lists every token's name.
func tokenNames(ctx context.Context, c *api.Client, _ []string) ([]string, error) {
	ks, err := c.Tokens(ctx)
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.Name
	}
	return names, err
}

// newTokenListCmd is `foyer token list`.
func newTokenListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List tokens (names, roles, IDs, creation, last use; never the tokens)",
		Example: "  foyer token list\n  foyer token list --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			ks, err := c.Tokens(cmd.Context())
			if err != nil || asJSON {
				return jsonOr(cmd, err, nonNil(ks))
			}
			t := newTable(cmd.OutOrStdout(), "NAME", "ROLE", "ID", "CREATED", "LAST USED")
			for _, k := range ks {
				t.row(k.Name, k.Role, k.ID, formatTime(k.Created), formatTime(k.LastUsed))
			}
			return t.flush()
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// newTokenRevokeCmd is `foyer token revoke NAME`.
func newTokenRevokeCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "revoke NAME",
		Short:             "Revoke (delete) a token; calls with it get 401 at once",
		Example:           "  foyer token revoke acme-dashboard",
		Args:              exactArgs(1, "a token NAME"),
		ValidArgsFunction: completeArg(tokenNames),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if err := c.RevokeToken(cmd.Context(), args[0]); err != nil {
				return err
			}
			return say(cmd, "token %s revoked", args[0])
		},
	}
}
