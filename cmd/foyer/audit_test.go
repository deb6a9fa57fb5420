package main

import (
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that audit shows who changed what, newest first, and that --limit
// is honoured, following the cursor past the daemon's page size.
func TestAuditCommand(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	f.mustCLI("tenant", "add", "beta")
	f.mustCLI("tenant", "rm", "beta")
	lines := strings.Split(strings.TrimSpace(f.mustCLI("audit")), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "TIME") ||
		!strings.HasSuffix(lines[1], "via admin.sock  tenant.delete beta") || !strings.HasSuffix(lines[3], "tenant.create acme") {
		t.Fatalf("audit:\n%s", strings.Join(lines, "\n"))
	}
	var page api.List[api.AuditEntry]
	f.mustJSON(&page, "audit", "--limit", "2")
	if len(page.Items) != 2 || page.Next == "" || page.Items[0].Actions[0] != "tenant.delete beta" {
		t.Fatalf("audit --limit 2 --json: %+v", page)
	}
}

// Ensure that asking for more entries than one page holds reads them all.
func TestAuditFollowsCursor(t *testing.T) {
	f := newCLIFixture(t)
	for i := range 1005 {
		f.mustCLI("settings", "set", "upstream-idle-conns-per-host", strings.Repeat("1", 1+i%3))
	}
	var page api.List[api.AuditEntry]
	f.mustJSON(&page, "audit", "--limit", "1003")
	if len(page.Items) != 1003 || page.Next == "" {
		t.Fatalf("audit --limit 1003: %d entries, next %q", len(page.Items), page.Next)
	}
}
