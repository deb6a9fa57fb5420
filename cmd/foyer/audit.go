package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// newAuditCmd is `foyer audit [--limit N]`: who changed what, when.
func newAuditCmd() *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:     "audit",
		Short:   "Show who changed what and when, newest first",
		Example: "  foyer audit\n  foyer audit --limit 100 --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 {
				return &usageError{msg: "--limit must be at least 1", path: cmd.CommandPath()}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			page, err := auditEntries(cmd, c, limit)
			if err != nil || asJSON {
				return jsonOr(cmd, err, page)
			}
			t := newTable(cmd.OutOrStdout(), "TIME", "ACTOR", "CHANGES")
			for _, e := range page.Items {
				t.row(formatTime(e.Time), e.Actor, strings.Join(e.Actions, "; "))
			}
			return t.flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many entries to show")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// auditEntries reads up to limit entries, newest first, following the
// cursor when the daemon's pages are smaller than limit. Next is the cursor
// after the last entry returned.
func auditEntries(cmd *cobra.Command, c *api.Client, limit int) (api.List[api.AuditEntry], error) {
	out := api.List[api.AuditEntry]{Items: []api.AuditEntry{}}
	for {
		page, err := c.Audit(cmd.Context(), limit-len(out.Items), out.Next)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, page.Items...)
		out.Next = page.Next
		if page.Next == "" || len(out.Items) >= limit || len(page.Items) == 0 {
			return out, nil
		}
	}
}
