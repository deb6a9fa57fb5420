package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that an operator can run the whole day in foyer tui, as a person
// would in a real terminal (a private tmux server at 120x40): add a tenant
// and its backend, see the tenant's req/s move under traffic, open its
// detail view and come back; that the CLI then finds the tenant with that
// backend; and that the console draws cleanly at 80x24 and re-renders
// cleanly when the terminal is resized to 100x30.
func TestTUIEndToEnd(t *testing.T) {
	requireTool(t, "tmux") // before the daemon starts: skip (or fail under CI) at once
	dir := t.TempDir()
	d := startDaemon(t, dir)
	d.must("settings", "set", "base-domain", "example.test")
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(be.Close)

	p := newTmuxPane(t, 120, 40, d.bin+" --data "+dir+" tui; echo EXIT=$?; sleep 60")
	p.waitShows("Tenants 0 of 0")

	addTenantAndBackend(p, "acme", "Acme Inc.", be.URL)
	p.waitShows("Tenants 1 of 1")
	p.waitFor("acme's row with a healthy backend", 15*time.Second, func(s string) bool {
		return rowField(s, "acme", 1) == "active" && strings.Contains(rowLine(s, "acme"), "1/1")
	})
	d.applied()

	sendUntilRateMoves(t, p, d, "acme")

	// enter opens the detail view: its backends section names the tenant's
	// backend, which the tenants screen does not show; esc comes back.
	p.run("send-keys", "-t", "e2e", "Enter")
	backend := strings.TrimPrefix(be.URL, "http://")
	p.waitFor("acme's detail with its backends section", 15*time.Second, func(s string) bool {
		return strings.Contains(s, "BACKENDS 1/1 healthy") && strings.Contains(s, backend)
	})
	p.run("send-keys", "-t", "e2e", "Escape")
	p.waitFor("the tenants screen again", 15*time.Second, func(s string) bool {
		return !strings.Contains(s, backend) && strings.Contains(s, "Tenants 1 of 1") && rowField(s, "acme", 0) == "acme"
	})

	// the CLI sees what the keystrokes made
	var ts []api.Tenant
	d.mustJSON(&ts, "tenant", "list")
	if len(ts) != 1 || ts[0].Slug != "acme" || ts[0].Name != "Acme Inc." || ts[0].State != "active" {
		t.Fatalf("foyer tenant list --json: %+v, want only acme (Acme Inc., active)", ts)
	}
	var td api.TenantDetail
	d.mustJSON(&td, "tenant", "show", "acme")
	if len(td.Backends) != 1 || td.Backends[0].URL != be.URL {
		t.Fatalf("foyer tenant show acme --json: backends %+v, want one at %s", td.Backends, be.URL)
	}

	// 80x24: header on the first line, footer on the last, nothing wrapped
	p.run("resize-window", "-t", "e2e", "-x", "80", "-y", "24")
	p.waitFor("a clean 80x24 frame", 15*time.Second, func(s string) bool { return cleanFrame(s, 80, 24, "acme") == "" })
	if got := p.screen(); strings.Contains(got, "4XX") {
		t.Errorf("at 80 columns the 4XX column should be dropped:\n%s", got)
	}
	// 100x30: re-rendered for the new size, with the columns that fit again
	p.run("resize-window", "-t", "e2e", "-x", "100", "-y", "30")
	p.waitFor("a clean 100x30 frame with the 4XX column back", 15*time.Second, func(s string) bool {
		return cleanFrame(s, 100, 30, "acme") == "" && strings.Contains(s, "4XX")
	})

	p.run("send-keys", "-t", "e2e", "-l", "q")
	p.waitShows("EXIT=0")
}

// addTenantAndBackend adds a tenant and one backend for it with
// keystrokes, as an operator would: a on the tenants screen opens the add
// form (slug, tab, name, enter); b opens the tenant's backends, a its add
// form (the pool is filled in: tab to the URL; enter moves on to the
// weight, left empty, and enter on the last field adds); esc comes back.
func addTenantAndBackend(p *tmuxPane, slug, name, url string) {
	p.t.Helper()
	keys := func(k ...string) { p.run(append([]string{"send-keys", "-t", "e2e"}, k...)...) }
	typed := func(s string) { keys("-l", s) }

	typed("a")
	p.waitShows("add a tenant")
	typed(slug)
	keys("Tab")
	typed(name)
	p.waitShows(name)
	keys("Enter")
	p.waitShows("tenant " + slug + " added")
	p.waitFor(slug+"'s row", 15*time.Second, func(s string) bool { return rowField(s, slug, 0) == slug })

	typed("b")
	p.waitShows("backends of " + slug)
	typed("a")
	p.waitShows("add a backend to " + slug)
	keys("Tab")
	typed(url)
	keys("Enter")
	p.waitShows("› Weight")
	keys("Enter")
	p.waitFor("the backend in "+slug+"'s list", 15*time.Second, func(s string) bool {
		return strings.Contains(s, "backends of "+slug) && strings.Contains(s, url)
	})
	keys("Escape")
	p.waitShows("Tenants 1 of 1")
}

// sendUntilRateMoves sends GETs for slug's host until the tenant's REQ/S
// cell on screen shows a non-zero number. Bounded: at most 60 rounds of 10
// requests, and 30 seconds.
func sendUntilRateMoves(t *testing.T, p *tmuxPane, d *daemon, slug string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	host := slug + ".example.test"
	for round := 0; ; round++ {
		for range 10 {
			if code, body := hostGet(t, c, d.url("http")+"/", host); code != 200 || body != "ok" {
				t.Fatalf("GET %s: %d %q", host, code, body)
			}
		}
		s := p.screen()
		if r := rowField(s, slug, 2); r != "" && r != "0.0" && r != "0" {
			return
		}
		if round == 60 || time.Now().After(deadline) {
			t.Fatalf("%s's req/s did not move on screen after %d requests:\n%s", slug, (round+1)*10, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rowLine is the screen's line for tenant slug ("" if none).
func rowLine(screen, slug string) string {
	for _, line := range strings.Split(screen, "\n") {
		if f := strings.Fields(strings.TrimPrefix(line, "!")); len(f) > 0 && f[0] == slug {
			return line
		}
	}
	return ""
}

// cleanFrame says what is wrong with a w x h capture of the tenants screen
// ("" when nothing is): it must have exactly h lines, none wider than w,
// the header on the first, the footer on the last, the column titles and
// slug's row exactly once each. A frame drawn for another size, or a line
// that wrapped, breaks one of these.
func cleanFrame(screen string, w, h int, slug string) string {
	lines := strings.Split(strings.TrimSuffix(screen, "\n"), "\n")
	if len(lines) != h {
		return fmt.Sprintf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > w {
			return fmt.Sprintf("line %d is %d cells wide, more than %d", i+1, n, w)
		}
	}
	if !strings.HasPrefix(strings.TrimSpace(lines[0]), "foyer ") {
		return "the first line is not the header: " + lines[0]
	}
	if !strings.HasSuffix(strings.TrimSpace(lines[h-1]), "q quit") {
		return "the last line is not the footer: " + lines[h-1]
	}
	count := func(cond func(string) bool) int {
		n := 0
		for _, l := range lines {
			if cond(l) {
				n++
			}
		}
		return n
	}
	if n := count(func(l string) bool { return strings.Contains(l, "NAME") && strings.Contains(l, "REQ/S") }); n != 1 {
		return fmt.Sprintf("the column titles appear %d times", n)
	}
	if n := count(func(l string) bool { return rowLine(l, slug) != "" }); n != 1 {
		return fmt.Sprintf("%s's row appears %d times", slug, n)
	}
	return ""
}

// Ensure that cleanFrame accepts a whole frame of the right size and
// rejects one that wrapped, one drawn for another size, and one cut short.
func TestCleanFrame(t *testing.T) {
	header := " foyer dev tenants    tenants 1"
	table := "  NAME   STATE   REQ/S\n  acme   active    1.0"
	footer := "enter open  ? help  q quit"
	frame := func(h int, top, bottom string) string {
		lines := []string{top, "Tenants 1 of 1"}
		lines = append(lines, strings.Split(table, "\n")...)
		for len(lines) < h-1 {
			lines = append(lines, "")
		}
		return strings.Join(append(lines, bottom), "\n") + "\n"
	}
	if msg := cleanFrame(frame(10, header, footer), 40, 10, "acme"); msg != "" {
		t.Fatalf("a clean frame was refused: %s", msg)
	}
	for name, c := range map[string]struct {
		screen string
		w, h   int
	}{
		"too tall":       {frame(12, header, footer), 40, 10},
		"too wide":       {frame(10, header+strings.Repeat(" ", 40)+"x", footer), 40, 10},
		"header wrapped": {frame(10, "admin.sock", footer), 40, 10},
		"footer pushed":  {frame(10, header, ""), 40, 10},
		"row twice":      {strings.Replace(frame(10, header, footer), "\n\n", "\n  acme   active    1.0\n", 1), 40, 10},
	} {
		if cleanFrame(c.screen, c.w, c.h, "acme") == "" {
			t.Errorf("%s: cleanFrame found nothing wrong", name)
		}
	}
}
