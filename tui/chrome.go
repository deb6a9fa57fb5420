package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/format"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
)

// header is the top line: version, screen path and connection on the
// left; totals, uptime and socket on the right (cut from the right when
// narrow).
func (a *App) header() string {
	st, d := a.env.Styles, a.env.Data
	ver := d.Status.Version
	if ver == "" {
		ver = "?"
	}
	titles := make([]string, 0, len(a.stack))
	for _, s := range a.stack {
		titles = append(titles, s.Title())
	}
	left := st.HeaderKey.Render(" foyer "+ver) + st.Header.Render(" "+strings.Join(titles, " › ")+" ")
	if a.env.ReadOnly {
		left += st.HeaderKey.Render(" read-only ")
	}
	switch d.Conn {
	case data.Reconnecting:
		left += st.HeaderWarn.Render(" reconnecting... ")
	case data.Connecting:
		left += st.HeaderWarn.Render(" connecting... ")
	}
	parts := []string{
		fmt.Sprintf("tenants %d", len(d.Tenants)),
		"req/s " + format.Rate(d.Totals.Rate1),
		"in-flight " + strconv.FormatInt(d.Totals.InFlight, 10),
		"up " + format.Uptime(d.Uptime(a.now())),
		d.Socket,
	}
	right := st.Header.Render(strings.Join(parts, " · ") + " ")
	gap := a.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return styles.Fit(left+st.Header.Render(" "+strings.Join(parts, " · ")), a.width)
	}
	return left + st.Header.Render(strings.Repeat(" ", gap)) + right
}

// footer is the bottom line: the prompt, a flash message, or the keys of
// the screen on top and the global ones.
func (a *App) footer() string {
	st := a.env.Styles
	if a.prompt {
		hint := strings.Join(a.completions(a.input), " ")
		return styles.Fit(st.FilterInput.Render(":"+a.input+"▏")+"  "+st.Faint.Render(hint), a.width)
	}
	if a.flash.Text != "" {
		s := st.Footer
		if a.flash.Err {
			s = st.Error
		}
		return styles.Fit(s.Render(a.flash.Text), a.width)
	}
	var ks []key.Binding
	if t := a.Top(); t != nil {
		ks = append(ks, t.Keys()...)
	}
	g := a.env.Keys.Global
	if len(a.stack) > 1 {
		ks = append(ks, g.Back)
	}
	ks = append(ks, g.Command, g.Help, g.Quit)
	return styles.Fit(KeyLine(st, ks), a.width)
}

// KeyLine renders bindings as "key desc  key desc".
func KeyLine(st styles.Styles, ks []key.Binding) string {
	var b strings.Builder
	for i, k := range ks {
		if !k.Enabled() {
			continue
		}
		h := k.Help()
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(st.FooterKey.Render(h.Key))
		b.WriteString(st.Footer.Render(" " + h.Desc))
	}
	return b.String()
}

// helpView is the `?` overlay: the screen's keys on the left; the global
// and navigation keys and the screens `:` can open on the right.
func (a *App) helpView(w, h int) string {
	st := a.env.Styles
	section := func(b *strings.Builder, title string, ks []key.Binding) {
		b.WriteString(st.Title.Render(title) + "\n")
		for _, k := range ks {
			hk := k.Help()
			fmt.Fprintf(b, "  %-8s %s\n", hk.Key, hk.Desc)
		}
	}
	var left, right strings.Builder
	if t := a.Top(); t != nil {
		ks := t.Keys()
		if h, ok := t.(screen.Helper); ok {
			ks = h.HelpKeys()
		}
		section(&left, t.Title(), ks)
		left.WriteString("\n(sorting again reverses)")
	}
	section(&right, "everywhere", a.env.Keys.Global.List())
	section(&right, "lists", a.env.Keys.Nav.List())
	right.WriteString(st.Title.Render("screens (:name, tab completes)") + "\n")
	for _, e := range a.registry {
		if !e.NeedsArg {
			fmt.Fprintf(&right, "  %-8s %s\n", e.Name, e.Summary)
		}
	}
	right.WriteString(st.Faint.Render("any key closes this help"))
	body := lipgloss.JoinHorizontal(lipgloss.Top, left.String(), "    ", right.String())
	return styles.Box(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.Overlay.Render(body)), w, h)
}
