package main

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// completionTimeout bounds a completion's call to the daemon, so a shell
// never hangs on a daemon that does not answer.
const completionTimeout = 2 * time.Second

// completer lists candidates for the positional argument at index pos;
// args are the arguments already typed.
type completer func(ctx context.Context, c *api.Client, args []string) ([]string, error)

// completeArg turns per-position completers into a ValidArgsFunction. It
// completes nothing (and no file names) when the daemon is down.
func completeArg(byPos ...completer) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) >= len(byPos) || byPos[len(args)] == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := client(cmd)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		names, err := byPos[len(args)](ctx, c, args)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return withPrefix(names, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// withPrefix keeps the names that start with prefix.
func withPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// tenantSlugs lists every tenant's slug.
func tenantSlugs(ctx context.Context, c *api.Client, _ []string) ([]string, error) {
	ts, err := c.AllTenants(ctx)
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Slug
	}
	return names, err
}

// domainNames lists every custom domain.
func domainNames(ctx context.Context, c *api.Client, _ []string) ([]string, error) {
	ds, err := c.Domains(ctx, "")
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	return names, err
}

// certNames lists every imported certificate's name.
func certNames(ctx context.Context, c *api.Client, _ []string) ([]string, error) {
	cs, err := c.Certs(ctx)
	var names []string
	for _, ct := range cs {
		if ct.Source == "imported" { // only imported ones can be removed
			names = append(names, ct.Name)
		}
	}
	return names, err
}

// backendURLs lists the backend URLs of the tenant named by args[0].
func backendURLs(ctx context.Context, c *api.Client, args []string) ([]string, error) {
	bs, err := c.Backends(ctx, args[0])
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = b.URL
	}
	return names, err
}

// settingKeys lists every setting's key.
func settingKeys(ctx context.Context, c *api.Client, _ []string) ([]string, error) {
	ss, err := c.Settings(ctx)
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Key
	}
	return names, err
}
