package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newStatusCmd is `foyer status`: what the daemon runs and how big its
// configuration is.
func newStatusCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "Show the daemon's version, uptime, listeners, revision and counts",
		Example: "  foyer status\n  foyer status --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			s, err := c.Status(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			return printStatus(cmd, s)
		},
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// printStatus prints s as a two-column table.
func printStatus(cmd *cobra.Command, s api.Status) error {
	t := newTable(cmd.OutOrStdout())
	t.row("version", fmt.Sprintf("%s (commit %s)", orDash(s.Version), orDash(s.Commit)))
	t.row("uptime", formatUptime(s.UptimeSeconds))
	t.row("data", orDash(s.DataDir))
	t.row("listeners", formatListeners(s.Listeners))
	t.row("revision", revisionLine(s))
	if s.TableError != "" {
		t.row("table error", s.TableError)
	}
	t.row("tenants", strconv.Itoa(s.Counts.Tenants))
	t.row("backends", strconv.Itoa(s.Counts.Backends))
	t.row("domains", strconv.Itoa(s.Counts.Domains))
	t.row("certs", strconv.Itoa(s.Counts.Certs))
	return t.flush()
}

// revisionLine says the store's revision and whether the route table in
// service is built from it.
func revisionLine(s api.Status) string {
	if s.TableRevision >= s.Revision {
		return fmt.Sprintf("%d (route table up to date)", s.Revision)
	}
	return fmt.Sprintf("%d (route table at %d)", s.Revision, s.TableRevision)
}

// formatUptime rounds an uptime to the second; "-" when unknown.
func formatUptime(sec float64) string {
	if sec <= 0 {
		return "-"
	}
	return (time.Duration(sec) * time.Second).String()
}

// formatListeners lists "name addr" pairs sorted by name.
func formatListeners(l map[string]string) string {
	names := make([]string, 0, len(l))
	for n := range l {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		if l[n] != "" {
			parts = append(parts, n+" "+l[n])
		}
	}
	return orDash(strings.Join(parts, ", "))
}
