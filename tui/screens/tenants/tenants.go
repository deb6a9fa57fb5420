// Package tenants is the console's home screen: one row per tenant with
// its live numbers (req/s and a sparkline of the last minute, the share of
// 2xx/4xx/5xx, p50/p99, in-flight, bandwidth), its domains with the worst
// certificate state, and its backends' health. Sort by any column with
// its shift+letter key, filter with /, enter opens the tenant's detail.
// A tenant whose 5xx share or p99 is more than twice its own five-minute
// average is highlighted and marked "!".
package tenants

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/screens/forms"
	"github.com/foyerhq/foyer/tui/styles"
)

// Entry registers the screen as "tenants".
var Entry = screen.Entry{Name: "tenants", Summary: "every tenant with its live traffic (home)", New: New}

// Model is the tenants screen.
type Model struct {
	screen.List // cursor, scroll, filter prompt
	env         *screen.Env
	rows        []row // every tenant, rebuilt when the data changes
	view        []int // indexes into rows: filtered and sorted
	sortBy      int   // index into columns
	desc        bool
	selected    string // slug under the cursor, kept across rebuilds
	sortKeys    key.Binding
}

// New opens the tenants screen.
func New(env *screen.Env, _ string) screen.Screen {
	var ks []string
	for _, c := range columns {
		ks = append(ks, c.key)
	}
	m := &Model{env: env, sortBy: nameCol, List: screen.List{Height: 10},
		sortKeys: key.NewBinding(key.WithKeys(ks...), key.WithHelp("N/R/E/P…", "sort"))}
	m.rebuild()
	return m
}

// Init has nothing to start: the root's feed fills the data.
func (m *Model) Init() tea.Cmd { return nil }

// Title is "tenants".
func (m *Model) Title() string { return "tenants" }

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
	if m.env.ReadOnly {
		return []key.Binding{k.Enter, k.Filter, m.sortKeys}
	}
	// The footer fits 80 columns: the other actions (e s x d b K p) are
	// in the help overlay.
	add := key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add"))
	return []key.Binding{k.Enter, k.Filter, add, m.sortKeys}
}

// HelpKeys lists every key of the screen, one sort key per column, for
// the help overlay.
func (m *Model) HelpKeys() []key.Binding {
	k := m.env.Keys.Nav
	out := []key.Binding{k.Enter, k.Filter, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear the filter"))}
	if !m.env.ReadOnly {
		out = append(out, m.env.Keys.Actions.List()...)
	}
	for _, c := range columns {
		out = append(out, key.NewBinding(key.WithKeys(c.key), key.WithHelp(c.key, "sort by "+strings.ToLower(c.title))))
	}
	return out
}

// Update handles data changes and keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case data.Updated:
		if msg.What == "lists" || msg.What == "stats" {
			m.rebuild()
		}
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

// key handles a key while the prompt is closed.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.env.Keys.Nav
	if handled, refilter := m.NavKey(m.env.Keys, msg, len(m.view)); handled { // esc on the home screen clears the filter
		if refilter {
			m.refilter()
		}
		m.move(0) // the slug under the cursor follows it
		return nil
	}
	switch {
	case key.Matches(msg, k.Enter):
		if m.selected != "" {
			return screen.OpenCmd("detail", m.selected)
		}
	case key.Matches(msg, m.sortKeys):
		m.sortOn(msg.String())
	default:
		return m.action(msg)
	}
	return nil
}

// action opens the form (tui/screens/forms) or wizard an action key
// names, on the tenant under the cursor; under --readonly it says no.
func (m *Model) action(msg tea.KeyPressMsg) tea.Cmd {
	a := m.env.Keys.Actions
	if !key.Matches(msg, a.List()...) {
		return nil
	}
	if m.env.ReadOnly {
		return screen.FlashCmd(forms.ReadOnlyMsg, true)
	}
	if key.Matches(msg, a.Add) {
		return screen.OpenCmd("add-tenant", "")
	}
	if m.selected == "" {
		return screen.FlashCmd("no tenant selected: add one with a", true)
	}
	for _, o := range []struct {
		b    key.Binding
		name string
	}{{a.Edit, "edit-tenant"}, {a.Delete, "delete-tenant"}, {a.Domain, "add-domain"},
		{a.Backends, "backends"}, {a.APIKeys, "apikeys"}, {a.Policy, "policy"}} {
		if key.Matches(msg, o.b) {
			return screen.OpenCmd(o.name, m.selected)
		}
	}
	if m.rows[m.view[m.Cursor]].state == "suspended" {
		return screen.OpenCmd("resume-tenant", m.selected)
	}
	return screen.OpenCmd("suspend-tenant", m.selected)
}

// sortOn sorts by the column of key k; the same key again reverses.
func (m *Model) sortOn(k string) {
	for i, c := range columns {
		if c.key == k {
			if m.sortBy == i {
				m.desc = !m.desc
			} else {
				m.sortBy, m.desc = i, c.desc
			}
		}
	}
	m.refilter()
}

// rebuild recomputes every row from the shared data.
func (m *Model) rebuild() {
	m.rows = buildRows(m.env.Data, m.rows)
	m.refilter()
}

// refilter applies the filter and sort, keeping the selected tenant.
func (m *Model) refilter() {
	m.view = filterRows(m.rows, m.Filter, m.view)
	sortRows(m.rows, m.view, columns[m.sortBy], m.desc)
	m.Cursor = 0
	for i, ri := range m.view {
		if m.rows[ri].slug == m.selected {
			m.Cursor = i
			break
		}
	}
	m.move(0)
}

// move moves the cursor by n rows, clamped, and keeps it visible.
func (m *Model) move(n int) {
	m.Move(n, len(m.view))
	m.selected = ""
	if m.Cursor < len(m.view) {
		m.selected = m.rows[m.view[m.Cursor]].slug
	}
}

// Selected is the slug under the cursor ("" when the list is empty).
func (m *Model) Selected() string { return m.selected }

// View draws the title line, the headings and the visible rows.
func (m *Model) View(w, h int) string {
	st := m.env.Styles
	m.Height = max(h-2, 1)
	m.Scroll(len(m.view))
	var b strings.Builder
	b.WriteString(m.titleLine(w))
	cols, nameW := layout(w)
	b.WriteByte('\n')
	b.WriteString(m.headLine(cols, nameW, w))
	d := m.env.Data
	switch {
	case len(m.rows) == 0 && d.ListErr != "":
		b.WriteString("\n" + st.Error.Render("cannot read the tenants: "+d.ListErr))
	case len(m.rows) == 0 && d.ListsTime.IsZero():
		b.WriteString("\n" + st.Faint.Render("reading the tenants..."))
	case len(m.rows) == 0 && !m.env.ReadOnly:
		b.WriteString("\n" + st.Faint.Render("no tenants yet: press a to add one (or `foyer tenant add <slug>`)"))
	case len(m.rows) == 0:
		b.WriteString("\n" + st.Faint.Render("no tenants yet: add one with `foyer tenant add <slug>`"))
	case len(m.view) == 0:
		b.WriteString("\n" + st.Faint.Render("no tenant matches "+`"`+m.Filter+`"`))
	}
	end := min(m.Offset+m.Height, len(m.view))
	for i := m.Offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(m.rowLine(&m.rows[m.view[i]], cols, nameW, w, i == m.Cursor))
	}
	return styles.Box(b.String(), w, h)
}
