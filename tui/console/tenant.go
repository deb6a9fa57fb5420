package console

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// tenantPage is what a tenant key's terminal session shows: its tenant
// (state, hosts, domains, backends with health), re-read every refresh
// and on r. It reads only what a tenant's identity may (GET
// /v1/tenants/{slug}), so the full console's cross-tenant lists, which
// the API refuses to a tenant key, are not part of it.
type tenantPage struct {
	c       *api.Client
	key     api.SSHKey
	slug    string
	refresh time.Duration // <= 0: only on r

	width, height int
	detail        api.TenantDetail
	err           error
	loaded        bool
}

// tenantMsg is a read of the tenant.
type tenantMsg struct {
	detail api.TenantDetail
	err    error
}

// tickMsg asks for a re-read.
type tickMsg struct{}

func newTenantPage(c *api.Client, k api.SSHKey, slug string, refresh time.Duration) *tenantPage {
	return &tenantPage{c: c, key: k, slug: slug, refresh: refresh, width: 80, height: 24}
}

// Init reads the tenant.
func (p *tenantPage) Init() tea.Cmd { return p.fetch }

func (p *tenantPage) fetch() tea.Msg {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := p.c.Tenant(ctx, p.slug)
	return tenantMsg{detail: d, err: err}
}

func (p *tenantPage) tick() tea.Cmd {
	if p.refresh <= 0 {
		return nil
	}
	return tea.Tick(p.refresh, func(time.Time) tea.Msg { return tickMsg{} })
}

// Update handles the reads, the window size and the keys (r, q, ctrl+c).
func (p *tenantPage) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.width, p.height = msg.Width, msg.Height
	case tenantMsg:
		p.loaded = true
		p.err = msg.err
		if msg.err == nil {
			p.detail = msg.detail
		}
		return p, p.tick()
	case tickMsg:
		return p, p.fetch
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "ctrl+c", "esc":
			return p, tea.Quit
		case "r":
			return p, p.fetch
		}
	}
	return p, nil
}

// View draws the page, every line cut to the window's width.
func (p *tenantPage) View() tea.View {
	var b strings.Builder
	line := func(format string, args ...any) {
		b.WriteString(ansi.Truncate(fmt.Sprintf(format, args...), p.width, "…"))
		b.WriteString("\n")
	}
	line("foyer · tenant %s", p.slug)
	line("signed in over SSH as %s (role %s)", p.key.Name, p.key.Role)
	line("%s", strings.Repeat("─", max(p.width, 1)))
	switch {
	case !p.loaded:
		line("loading...")
	case p.err != nil:
		line("error: %s", p.err)
	default:
		d := p.detail
		line("Tenant  %s (%s)  state %s", d.Slug, d.Name, d.State)
		line("Hosts   %s", strings.Join(d.Hosts, ", "))
		line("")
		line("Domains (%d)", len(d.Domains))
		for _, dm := range d.Domains {
			line("  %-40s %s", dm.Name, dm.State)
		}
		line("")
		line("Backends (%d)", len(d.Backends))
		for _, be := range d.Backends {
			line("  %-10s %-40s %s", be.Pool, be.URL, be.Health)
		}
	}
	line("")
	line("r refresh · q quit")
	v := tea.NewView(b.String())
	v.AltScreen = true
	return v
}
