package domains

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/styles"
)

// Column widths; NAME grows into spare room, REASON (wide terminals only)
// takes the rest.
const (
	nameMin  = 18
	nameMax  = 34
	tenantW  = 12
	stateW   = 11
	expiresW = 14
	checkedW = 11
	reasonAt = 110 // terminals this wide show the REASON / NEXT column
)

// View draws the title, the table and, below it, the panel of the selected
// domain: its reason and next step, and its last re-check's results.
func (m *Model) View(w, h int) string {
	st := m.env.Styles
	panel := m.panel(w)
	m.Height = max(h-2-len(panel), 1)
	m.move(0)
	nameW, reasonW := m.widths(w)
	var b strings.Builder
	b.WriteString(m.titleLine(w))
	b.WriteByte('\n')
	cells := []string{pad("NAME", nameW), pad("TENANT", tenantW), pad("STATE", stateW), pad("EXPIRES", expiresW), pad("CHECKED", checkedW)}
	if reasonW > 0 {
		cells = append(cells, pad("REASON / NEXT", reasonW))
	}
	b.WriteString(styles.Fit(st.TableHead.Render("  "+strings.Join(cells, "  ")), w))
	d := m.env.Data
	lines := 2
	switch {
	case len(d.Domains) == 0 && d.ListErr != "":
		b.WriteString("\n" + st.Error.Render("cannot read the domains: "+d.ListErr))
		lines++
	case len(d.Domains) == 0:
		b.WriteString("\n" + st.Faint.Render("no custom domains yet: add one with `foyer domain add <tenant> <domain>`"))
		lines++
	case len(m.view) == 0:
		b.WriteString("\n" + st.Faint.Render(`no domain matches "`+m.Filter+`"`))
		lines++
	}
	end := min(m.Offset+m.Height, len(m.view))
	for i := m.Offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(m.rowLine(d.Domains[m.view[i]], nameW, reasonW, w, i == m.Cursor))
		lines++
	}
	for ; lines < h-len(panel); lines++ {
		b.WriteByte('\n')
	}
	for _, l := range panel {
		b.WriteString("\n" + l)
	}
	return styles.Box(b.String(), w, h)
}

func (m *Model) widths(w int) (nameW, reasonW int) {
	fixed := 2 + tenantW + stateW + expiresW + checkedW + 4*2
	nameW = min(max(w-fixed-2, nameMin), max(m.longest, nameMin), nameMax)
	if w >= reasonAt {
		reasonW = max(w-fixed-nameW-2, 10)
	}
	return nameW, reasonW
}

func (m *Model) titleLine(w int) string {
	st := m.env.Styles
	s := st.Title.Render("Domains") + st.Faint.Render(fmt.Sprintf(" %d of %d", len(m.view), len(m.env.Data.Domains)))
	if counts := m.stateCounts(); counts != "" {
		s += st.Faint.Render(" · " + counts)
	}
	if m.Typing || m.Filter != "" {
		cur := ""
		if m.Typing {
			cur = "▏"
		}
		s += "  " + st.FilterInput.Render("/"+m.Filter+cur)
	}
	if m.env.ReadOnly {
		s += "  " + st.Faint.Render("(read-only: no re-checks)")
	}
	if e := m.env.Data.ListErr; e != "" && len(m.env.Data.Domains) > 0 {
		s += "  " + st.Error.Render("lists stale: "+e)
	}
	return styles.Fit(s, w)
}

// stateCounts is "2 active, 1 failed" over every domain, in lifecycle order.
func (m *Model) stateCounts() string {
	n := map[string]int{}
	for _, d := range m.env.Data.Domains {
		n[d.State]++
	}
	var out []string
	for _, s := range []string{"active", "issuing", "verified", "pending_dns", "expiring", "failed", "moved", "suspended"} {
		if n[s] > 0 {
			out = append(out, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	return strings.Join(out, ", ")
}

func (m *Model) rowLine(d api.Domain, nameW, reasonW, w int, selected bool) string {
	st := m.env.Styles
	state := pad(d.State, stateW)
	if m.checking[d.Name] {
		state = pad("checking…", stateW)
	}
	if !selected {
		state = badge(st, d.State).Render(state)
	}
	checked := "-"
	if !d.Updated.IsZero() {
		checked = d.Updated.Format("01-02 15:04")
	}
	cells := []string{pad(d.Name, nameW), pad(d.Tenant, tenantW), state,
		pad(expiry(d, m.env.Data.ListsTime), expiresW), pad(checked, checkedW)}
	if reasonW > 0 {
		cells = append(cells, pad(reasonText(d), reasonW))
	}
	line := styles.Fit("  "+strings.Join(cells, "  "), w)
	if selected {
		return st.Selected.Render(line)
	}
	return line
}

// reasonText is "reason → next step", or what is known of them.
func reasonText(d api.Domain) string {
	switch {
	case d.Reason != "" && d.Hint != "":
		return d.Reason + " → " + d.Hint
	case d.Reason != "":
		return d.Reason
	}
	return d.Hint
}

// badge is the style of a domain state: green when serving, amber on the
// way or near expiry, red when failed.
func badge(st styles.Styles, state string) lipgloss.Style {
	switch state {
	case "active":
		return st.OK
	case "failed", "moved":
		return st.Bad
	case "suspended":
		return st.Faint
	}
	return st.Warn
}

// panel is the selected domain's reason and next step, and its last
// re-check: one line per check, ✓ or ✗, with the hint of each failure.
func (m *Model) panel(w int) []string {
	st := m.env.Styles
	d, ok := m.current()
	if !ok {
		return nil
	}
	var out []string
	head := st.Title.Render(d.Name) + " " + badge(st, d.State).Render(d.State)
	if r := reasonText(d); r != "" {
		head += st.Faint.Render(" · ") + r
	}
	out = append(out, styles.Fit(strings.Repeat("─", w), w), styles.Fit(head, w))
	res, have := m.results[d.Name]
	switch {
	case m.checking[d.Name]:
		out = append(out, st.Faint.Render("checking now..."))
	case !have:
		out = append(out, st.Faint.Render("not re-checked here yet: r checks DNS and HTTP now"))
	case res.Err != nil:
		out = append(out, st.Error.Render("check failed: "+errText(res.Err)))
	default:
		verdict := st.Bad.Render("✗ not verified")
		if res.Result.Verified {
			verdict = st.OK.Render("✓ verified")
		}
		out = append(out, verdict+st.Faint.Render(" (resolver "+res.Result.Resolver+", now "+res.Result.Domain.State+")"))
		for _, c := range res.Result.Checks {
			mark := st.OK.Render("✓")
			if !c.OK {
				mark = st.Bad.Render("✗")
			}
			l := mark + " " + pad(c.Name, 5) + " " + c.Detail
			if !c.OK && c.Hint != "" {
				l += st.Faint.Render(" → " + c.Hint)
			}
			out = append(out, l)
		}
	}
	for i := range out {
		out[i] = styles.Fit(out[i], w)
	}
	return out
}

// errText is an error in words: an *api.Error's message and hint.
func errText(err error) string {
	var ae *api.Error
	if errors.As(err, &ae) {
		if ae.Hint != "" {
			return ae.Msg + " (" + ae.Hint + ")"
		}
		return ae.Msg
	}
	return err.Error()
}

func pad(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}
