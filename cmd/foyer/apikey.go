package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newAPIKeyCmd is `foyer apikey`: tenants' API keys.
func newAPIKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "apikey",
		Short:   "Create, list and revoke a tenant's API keys",
		Example: "  foyer apikey create acme ci --expires 720h\n  foyer policy set acme api-keys=required",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newAPIKeyCreateCmd(), newAPIKeyListCmd(), newAPIKeyRevokeCmd())
	return cmd
}

// newAPIKeyCreateCmd is `foyer apikey create SLUG NAME [--expires D]`.
func newAPIKeyCreateCmd() *cobra.Command {
	var expires string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create SLUG NAME",
		Short: "Create an API key and print its token once (foyer keeps only a hash)",
		Long: "Create an API key and print its token. The token is shown once and never again: foyer\n" +
			"stores only its SHA-256. Clients send it as `Authorization: Bearer <token>` or `X-API-Key: <token>`.",
		Example:           "  foyer apikey create acme ci\n  foyer apikey create acme partner --expires 720h",
		Args:              exactArgs(2, "a SLUG and a key NAME"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			k, err := c.CreateAPIKey(cmd.Context(), args[0], api.CreateAPIKeyRequest{Name: args[1], Expires: expires})
			if err != nil || asJSON {
				return jsonOr(cmd, err, k)
			}
			exp := "never"
			if !k.Expires.IsZero() {
				exp = formatTime(k.Expires)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", k.Token)
			if err == nil {
				_, err = fmt.Fprintf(cmd.ErrOrStderr(), "API key %s of %s created (id %s, expires %s).\n"+
					"Copy the token now: it is not shown again.\n", k.Name, k.Tenant, k.ID, exp)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&expires, "expires", "", "lifetime from now, e.g. 720h (default: never expires)")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// newAPIKeyListCmd is `foyer apikey list SLUG`.
func newAPIKeyListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "list SLUG",
		Short:             "List a tenant's API keys (names, IDs, expiry, last use; never tokens)",
		Example:           "  foyer apikey list acme\n  foyer apikey list acme --json",
		Args:              exactArgs(1, "exactly one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			ks, err := c.APIKeys(cmd.Context(), args[0])
			if err != nil || asJSON {
				return jsonOr(cmd, err, nonNil(ks))
			}
			t := newTable(cmd.OutOrStdout(), "NAME", "ID", "CREATED", "EXPIRES", "LAST USED")
			for _, k := range ks {
				t.row(k.Name, k.ID, formatTime(k.Created), formatTime(k.Expires), formatTime(k.LastUsed))
			}
			return t.flush()
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// newAPIKeyRevokeCmd is `foyer apikey revoke SLUG NAME`.
func newAPIKeyRevokeCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "revoke SLUG NAME",
		Short:             "Revoke (delete) an API key; requests with it are refused at once",
		Example:           "  foyer apikey revoke acme ci",
		Args:              exactArgs(2, "a SLUG and a key NAME"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if err := c.RevokeAPIKey(cmd.Context(), args[0], args[1]); err != nil {
				return err
			}
			return say(cmd, "API key %s of %s revoked", args[1], args[0])
		},
	}
}
