package main

import (
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newBackendCmd is `foyer backend`: the upstreams of a tenant's pools.
func newBackendCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "backend",
		Short:   "Add, list and remove the backends a tenant's traffic goes to",
		Example: "  foyer backend add acme http://10.0.0.5:8080\n  foyer backend list acme",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newBackendAddCmd(), newBackendRmCmd(), newBackendListCmd(),
		newBackendDrainCmd(true), newBackendDrainCmd(false))
	return cmd
}

// newBackendAddCmd is `foyer backend add SLUG URL [--pool P] [--weight W]`.
func newBackendAddCmd() *cobra.Command {
	var pool string
	var weight int
	cmd := &cobra.Command{
		Use:               "add SLUG URL",
		Short:             "Add a backend URL to a tenant's pool",
		Example:           "  foyer backend add acme http://10.0.0.5:8080\n  foyer backend add acme http://10.0.0.6:8080 --pool api --weight 2",
		Args:              exactArgs(2, "a SLUG and a URL"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			b, err := c.AddBackend(cmd.Context(), args[0], pool, api.AddBackendRequest{URL: args[1], Weight: weight})
			if err != nil {
				return err
			}
			if b.Pool != "default" {
				return say(cmd, "backend %s added to %s/%s (note: only the default pool gets traffic until path rules are built)", b.URL, b.Tenant, b.Pool)
			}
			return say(cmd, "backend %s added to %s/%s", b.URL, b.Tenant, b.Pool)
		},
	}
	cmd.Flags().StringVar(&pool, "pool", "default", "the tenant's pool to add it to")
	cmd.Flags().IntVar(&weight, "weight", 1, "relative share of the pool's traffic, from 1 to 1000")
	return cmd
}

// newBackendRmCmd is `foyer backend rm SLUG URL [--pool P]`.
func newBackendRmCmd() *cobra.Command {
	var pool string
	cmd := &cobra.Command{
		Use:               "rm SLUG URL",
		Short:             "Remove a backend URL from a tenant's pool",
		Example:           "  foyer backend rm acme http://10.0.0.5:8080\n  foyer backend rm acme http://10.0.0.6:8080 --pool api",
		Args:              exactArgs(2, "a SLUG and a URL"),
		ValidArgsFunction: completeArg(tenantSlugs, backendURLs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			if err := c.RemoveBackend(cmd.Context(), args[0], pool, args[1]); err != nil {
				return err
			}
			return say(cmd, "backend %s removed from %s/%s", args[1], args[0], pool)
		},
	}
	cmd.Flags().StringVar(&pool, "pool", "default", "the tenant's pool to remove it from")
	return cmd
}

// newBackendListCmd is `foyer backend list SLUG`.
func newBackendListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "list SLUG",
		Short:             "List a tenant's backends over all its pools",
		Example:           "  foyer backend list acme\n  foyer backend list acme --json",
		Args:              exactArgs(1, "exactly one SLUG"),
		ValidArgsFunction: completeArg(tenantSlugs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			bs, err := c.Backends(cmd.Context(), args[0])
			if err != nil || asJSON {
				return jsonOr(cmd, err, nonNil(bs))
			}
			return backendHealthTable(cmd.OutOrStdout(), bs)
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// backendTable prints backends as a table.
func backendTable(w io.Writer, bs []api.Backend) error {
	t := newTable(w, "POOL", "URL", "WEIGHT")
	for _, b := range bs {
		t.row(b.Pool, b.URL, strconv.Itoa(b.Weight))
	}
	return t.flush()
}

// backendHealthTable prints backends as a table with their runtime health.
func backendHealthTable(w io.Writer, bs []api.Backend) error {
	t := newTable(w, "POOL", "URL", "WEIGHT", "HEALTH", "SINCE", "LAST ERROR")
	for _, b := range bs {
		since := "-"
		if b.Changed != nil {
			since = formatTime(*b.Changed)
		}
		t.row(b.Pool, b.URL, strconv.Itoa(b.Weight), orDash(b.Health), since, orDash(b.LastError))
	}
	return t.flush()
}

// newBackendDrainCmd is `foyer backend drain|undrain SLUG URL [--pool P]`.
func newBackendDrainCmd(drain bool) *cobra.Command {
	var pool string
	use, short, done := "drain", "Send no new requests to a backend; requests in flight finish", "drained: no new requests"
	if !drain {
		use, short, done = "undrain", "Send requests to a drained backend again", "back in service"
	}
	cmd := &cobra.Command{
		Use:               use + " SLUG URL",
		Short:             short,
		Example:           "  foyer backend " + use + " acme http://10.0.0.5:8080\n  foyer backend " + use + " acme http://10.0.0.6:8080 --pool api",
		Args:              exactArgs(2, "a SLUG and a URL"),
		ValidArgsFunction: completeArg(tenantSlugs, backendURLs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			b, err := c.DrainBackend(cmd.Context(), args[0], pool, args[1], drain)
			if err != nil {
				return err
			}
			return say(cmd, "backend %s of %s/%s %s", b.URL, b.Tenant, b.Pool, done)
		},
	}
	cmd.Flags().StringVar(&pool, "pool", "default", "the tenant's pool it is in")
	return cmd
}
