package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newSSHKeyCmd is `foyer ssh-key`: the keys that may log in to the SSH
// console, and its host key.
func newSSHKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ssh-key",
		Short: "Add, list and remove the keys that may log in to the SSH console",
		Long: "The SSH console (setting ssh-listen, or foyer serve --ssh ADDR) serves the same console as\n" +
			"`foyer tui` to people who log in with a public key added here, and runs CLI commands sent\n" +
			"without a terminal (ssh -p 2222 ops@box tenant list --json). A key's role is admin\n" +
			"(everything), viewer (reads only) or tenant:SLUG (only that tenant, as a tenant token);\n" +
			"the API enforces it. Passwords are never accepted. See docs/ssh-console.md.",
		Example: "  foyer settings set ssh-listen :2222\n" +
			"  foyer ssh-key add ops --role admin --key-file ~/.ssh/id_ed25519.pub\n  ssh -p 2222 ops@box",
		Args: cobra.ArbitraryArgs,
		RunE: runGroup,
	}
	cmd.AddCommand(newSSHKeyAddCmd(), newSSHKeyListCmd(), newSSHKeyRmCmd(), newSSHKeyHostCmd())
	return cmd
}

// newSSHKeyAddCmd is `foyer ssh-key add NAME --role ROLE --key LINE|--key-file PATH`.
func newSSHKeyAddCmd() *cobra.Command {
	var role, key, keyFile string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add NAME --role admin|viewer|tenant:SLUG (--key 'ssh-ed25519 ...' | --key-file PATH)",
		Short: "Allow a public key to log in to the SSH console with a role",
		Long: "Add a public key (one line of an OpenSSH .pub file: ssh-ed25519, ecdsa-sha2-nistp256/384/521,\n" +
			"or ssh-rsa of 2048 bits or more) under NAME with a role. --key-file reads the file here and\n" +
			"sends its content. foyer keeps the public key and its SHA256 fingerprint; the audit trail\n" +
			"names every change made over SSH by the key's name and fingerprint.",
		Example: "  foyer ssh-key add ops --role admin --key-file ~/.ssh/id_ed25519.pub\n" +
			"  foyer ssh-key add support --role viewer --key 'ssh-ed25519 AAAAC3Nz... support@laptop'\n" +
			"  foyer ssh-key add acme-dev --role tenant:acme --key-file acme-dev.pub",
		Args:              exactArgs(1, "a key NAME"),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (key == "") == (keyFile == "") {
				return &usageError{msg: "give exactly one of --key or --key-file", path: subPath(cmd)}
			}
			if keyFile != "" {
				b, err := os.ReadFile(keyFile)
				if err != nil {
					return hinted{fmt.Errorf("reading the key file: %w", err), "give the .pub file (the public key), e.g. ~/.ssh/id_ed25519.pub"}
				}
				key = firstKeyLine(string(b))
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			k, err := c.AddSSHKey(cmd.Context(), api.AddSSHKeyRequest{Name: args[0], Role: role, PublicKey: key})
			if err != nil || asJSON {
				return jsonOr(cmd, err, k)
			}
			return say(cmd, "ssh key %s added (role %s, %s)", k.Name, k.Role, k.Fingerprint)
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "admin, viewer, or tenant:SLUG to limit the key to one tenant")
	cmd.Flags().StringVar(&key, "key", "", "the public key: one authorized_keys line, 'ssh-ed25519 AAAA... [comment]'")
	cmd.Flags().StringVar(&keyFile, "key-file", "", "read the public key from this .pub file")
	_ = cmd.MarkFlagRequired("role")
	_ = cmd.RegisterFlagCompletionFunc("role", completeSSHKeyRole)
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// firstKeyLine is the first line of a .pub or authorized_keys file that
// is not blank or a comment.
func firstKeyLine(s string) string {
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

// completeSSHKeyRole offers admin, viewer and tenant:SLUG for every tenant.
func completeSSHKeyRole(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	out, dir := completeTokenRole(cmd, args, toComplete)
	return append([]string{"viewer"}, out...), dir
}

// sshKeyNames lists every key's name.
func sshKeyNames(ctx context.Context, c *api.Client, _ []string) ([]string, error) {
	ks, err := c.SSHKeys(ctx)
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.Name
	}
	return names, err
}

// newSSHKeyListCmd is `foyer ssh-key list`.
func newSSHKeyListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the SSH console's keys (name, role, fingerprint, added)",
		Example: "  foyer ssh-key list\n  foyer ssh-key list --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			ks, err := c.SSHKeys(cmd.Context())
			if err != nil || asJSON {
				return jsonOr(cmd, err, nonNil(ks))
			}
			t := newTable(cmd.OutOrStdout(), "NAME", "ROLE", "FINGERPRINT", "ADDED")
			for _, k := range ks {
				t.row(k.Name, k.Role, k.Fingerprint, formatTime(k.Created))
			}
			return t.flush()
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// newSSHKeyRmCmd is `foyer ssh-key rm NAME`.
func newSSHKeyRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "rm NAME",
		Short:             "Remove a key: it logs in no more (open sessions run until they end)",
		Example:           "  foyer ssh-key rm support",
		Args:              exactArgs(1, "a key NAME"),
		ValidArgsFunction: completeArg(sshKeyNames),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if err := c.RemoveSSHKey(cmd.Context(), args[0]); err != nil {
				return err
			}
			return say(cmd, "ssh key %s removed", args[0])
		},
	}
}

// newSSHKeyHostCmd is `foyer ssh-key host`.
func newSSHKeyHostCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "host",
		Short: "Print the SSH console's host key fingerprint and public key",
		Long: "Print the host key's SHA256 fingerprint (compare it with what ssh shows on the first\n" +
			"connection) and its public key as a known_hosts entry needs it. The host key is generated\n" +
			"when the console first starts and kept in foyer.db, so a restored backup keeps it.",
		Example: "  foyer ssh-key host\n" +
			"  echo \"[box]:2222 $(foyer ssh-key host --json | jq -r .public_key)\" >> ~/.ssh/known_hosts",
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			k, err := c.SSHHostKey(cmd.Context())
			if err != nil || asJSON {
				return jsonOr(cmd, err, k)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n%s\n", k.Fingerprint, k.PublicKey)
			return err
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}
