package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newTenantAliasCmd is `foyer tenant alias add|rm SLUG ALIAS`.
func newTenantAliasCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "alias",
		Short:   "Add or remove a tenant's extra hosts ALIAS.<base-domain>",
		Example: "  foyer tenant alias add acme www-acme\n  foyer tenant alias rm acme www-acme",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	for _, verb := range []string{"add", "rm"} {
		cmd.AddCommand(&cobra.Command{
			Use:               verb + " SLUG ALIAS",
			Short:             map[string]string{"add": "Route ALIAS.<base-domain> to the tenant", "rm": "Stop routing ALIAS.<base-domain> to the tenant"}[verb],
			Example:           "  foyer tenant alias " + verb + " acme www-acme",
			Args:              exactArgs(2, "a SLUG and an ALIAS"),
			ValidArgsFunction: completeArg(tenantSlugs),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := client(cmd)
				if err != nil {
					return err
				}
				if verb == "add" {
					if err := c.AddAlias(cmd.Context(), args[0], args[1]); err != nil {
						return err
					}
					return say(cmd, "alias %s of %s added", args[1], args[0])
				}
				if err := c.RemoveAlias(cmd.Context(), args[0], args[1]); err != nil {
					return err
				}
				return say(cmd, "alias %s of %s removed", args[1], args[0])
			},
		})
	}
	return cmd
}

// newTenantJWTKeyCmd is `foyer tenant jwt-key SLUG --file F | --hs256-secret-file F | --remove`.
func newTenantJWTKeyCmd() *cobra.Command {
	var file, secretFile string
	var remove bool
	cmd := &cobra.Command{
		Use:   "jwt-key SLUG",
		Short: "Set the key the tenant's JWTs are verified with: a PEM public key, a JWKS, or an HS256 secret",
		Long: "Set the key the tenant's JWTs are verified with. The CLI reads the file and sends its\n" +
			"content; the daemon never reads your paths and never shows the key again.\n" +
			"Turn JWT identification on with `foyer policy set SLUG jwt=on jwt-alg=RS256`.",
		Example: "  foyer tenant jwt-key acme --file acme.pem\n  foyer tenant jwt-key acme --file jwks.json\n" +
			"  foyer tenant jwt-key acme --hs256-secret-file secret.bin\n  foyer tenant jwt-key acme --remove",
		Args:              exactArgs(1, "exactly one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, set := range []bool{file != "", secretFile != "", remove} {
				if set {
					n++
				}
			}
			if n != 1 {
				return &usageError{msg: "give exactly one of --file, --hs256-secret-file or --remove", path: subPath(cmd)}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if remove {
				if err := c.RemoveJWTKey(cmd.Context(), args[0]); err != nil {
					return err
				}
				return say(cmd, "JWT key of %s removed", args[0])
			}
			req := api.SetJWTKeyRequest{Kind: "hs256-secret"}
			path := secretFile
			if file != "" {
				path = file
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("reading the key file: %w", err)
			}
			if file != "" {
				req.Kind = "pem"
				if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
					req.Kind = "jwks"
				}
			}
			req.Data = data
			if err := c.SetJWTKey(cmd.Context(), args[0], req); err != nil {
				return err
			}
			return say(cmd, "JWT key of %s set (%s)", args[0], req.Kind)
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "a PEM public key or certificate, or a JWKS document (.json)")
	cmd.Flags().StringVar(&secretFile, "hs256-secret-file", "", "a file holding the HS256 secret (32 bytes or more)")
	cmd.Flags().BoolVar(&remove, "remove", false, "delete the tenant's JWT key")
	return cmd
}
