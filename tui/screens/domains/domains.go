// Package domains is the console's list of every custom domain: its
// tenant, its state (a coloured badge), its certificate's expiry, why it is
// stuck and what to do next, and when it was last checked. r re-checks the
// selected domain now (POST /v1/domains/{name}/check) and shows each
// check's result in a panel; / filters; enter opens the tenant's detail.
package domains

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
)

// Entry registers the screen as "domains".
var Entry = screen.Entry{Name: "domains", Summary: "every custom domain: state, expiry, last check; r re-checks", New: New}

// checkTimeout bounds one re-check (DNS and HTTP lookups on the daemon).
const checkTimeout = 30 * time.Second

// Checked is the answer to a re-check of Name: the daemon's checks, or the
// error it gave (a model test sends it as the daemon would).
type Checked struct {
	Name   string
	Result api.DomainCheck
	Err    error
}

// Model is the domains screen.
type Model struct {
	screen.List // cursor, scroll, filter prompt
	env         *screen.Env
	view        []int              // indexes into env.Data.Domains: filtered
	selected    string             // domain name under the cursor
	checking    map[string]bool    // re-checks in flight
	results     map[string]Checked // the last re-check of each domain
	longest     int                // the longest domain name, in cells

	check key.Binding
}

// New opens the domains screen.
func New(env *screen.Env, _ string) screen.Screen {
	m := &Model{env: env, List: screen.List{Height: 10}, checking: map[string]bool{}, results: map[string]Checked{},
		check: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-check"))}
	m.refilter()
	return m
}

// Init has nothing to start: the root's feed fills the data.
func (m *Model) Init() tea.Cmd { return nil }

// Title is "domains".
func (m *Model) Title() string { return "domains" }

// Capturing is true while the filter prompt is open.
func (m *Model) Capturing() bool { return m.Typing }

// Keys are the screen's own keys.
func (m *Model) Keys() []key.Binding {
	k := m.env.Keys.Nav
	if m.Typing {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}
	}
	return []key.Binding{k.Enter, k.Filter, m.check}
}

// HelpKeys lists every key for the help overlay.
func (m *Model) HelpKeys() []key.Binding {
	k := m.env.Keys.Nav
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the domain's tenant")),
		key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter by name, tenant or state")),
		key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-check the domain now (not with --readonly)")),
		k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom,
	}
}

// Selected is the domain under the cursor ("" when the list is empty).
func (m *Model) Selected() string { return m.selected }

// Update handles data changes, check results and keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case data.Updated:
		if msg.What == "lists" {
			m.refilter()
		}
	case Checked:
		delete(m.checking, msg.Name)
		m.results[msg.Name] = msg
		return m, screen.FlashCmd(checkSummary(msg), msg.Err != nil)
	case tea.KeyPressMsg:
		if m.Typing {
			if m.TypeKey(msg) {
				m.refilter()
			}
			return m, nil
		}
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.env.Keys.Nav
	if handled, refilter := m.NavKey(m.env.Keys, msg, len(m.view)); handled {
		if refilter {
			m.refilter()
		}
		m.move(0) // the name under the cursor follows it
		return nil
	}
	switch {
	case key.Matches(msg, k.Enter):
		if d, ok := m.current(); ok {
			return screen.OpenCmd("detail", d.Tenant)
		}
	case key.Matches(msg, m.check):
		return m.recheck()
	}
	return nil
}

// recheck starts a check of the selected domain; it changes the domain's
// state, so a read-only console refuses it.
func (m *Model) recheck() tea.Cmd {
	d, ok := m.current()
	switch {
	case !ok:
		return nil
	case m.env.ReadOnly:
		return screen.FlashCmd("read-only console: a re-check changes the domain's state; run foyer tui without --readonly", true)
	case m.env.Client == nil:
		return screen.FlashCmd("no daemon to ask: the console has no client", true)
	case m.checking[d.Name]:
		return screen.FlashCmd(d.Name+" is being checked already", false)
	}
	m.checking[d.Name] = true
	c, name := m.env.Client, d.Name
	return tea.Batch(screen.FlashCmd("checking "+name+"...", false), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
		defer cancel()
		res, err := c.CheckDomain(ctx, name)
		return Checked{Name: name, Result: res, Err: err}
	})
}

// checkSummary is a re-check's outcome in one line, for the footer.
func checkSummary(c Checked) string {
	if c.Err != nil {
		return c.Name + ": check failed: " + errText(c.Err)
	}
	if c.Result.Verified {
		return c.Name + ": verified (" + c.Result.Domain.State + ")"
	}
	failed := 0
	for _, l := range c.Result.Checks {
		if !l.OK {
			failed++
		}
	}
	return fmt.Sprintf("%s: not verified, %d of %d checks failed (see the panel)", c.Name, failed, len(c.Result.Checks))
}

// Checking reports whether a re-check of name is in flight.
func (m *Model) Checking(name string) bool { return m.checking[name] }

// current is the domain under the cursor.
func (m *Model) current() (api.Domain, bool) {
	if m.Cursor < len(m.view) {
		return m.env.Data.Domains[m.view[m.Cursor]], true
	}
	return api.Domain{}, false
}

// refilter rebuilds the visible list, keeping the selected domain.
func (m *Model) refilter() {
	f := strings.ToLower(m.Filter)
	m.view = m.view[:0]
	m.longest = 0
	for i, d := range m.env.Data.Domains {
		m.longest = max(m.longest, ansi.StringWidth(d.Name))
		if f == "" || strings.Contains(d.Name, f) || strings.Contains(d.Tenant, f) || strings.Contains(d.State, f) {
			m.view = append(m.view, i)
		}
	}
	m.Cursor = 0
	for i, di := range m.view {
		if m.env.Data.Domains[di].Name == m.selected {
			m.Cursor = i
			break
		}
	}
	m.move(0)
}

func (m *Model) move(n int) {
	m.Move(n, len(m.view))
	m.selected = ""
	if d, ok := m.current(); ok {
		m.selected = d.Name
	}
}

// expiry is a certificate's expiry as a date and days left, counted from
// when the lists were read (so the screen does not depend on a clock).
func expiry(d api.Domain, asOf time.Time) string {
	if d.NotAfter.IsZero() {
		return "-"
	}
	days := int(d.NotAfter.Sub(asOf).Hours() / 24)
	return fmt.Sprintf("%s %dd", d.NotAfter.Format("2006-01-02"), days)
}
