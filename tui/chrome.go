package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

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
	if len(a.stack) > 1 && !bindsEsc(ks) { // a screen's own esc (cancel, leave) says it already
		ks = append(ks, g.Back)
	}
	ks = append(ks, g.Command, g.Help, g.Quit)
	return styles.Fit(KeyLine(st, ks), a.width)
}

// bindsEsc reports whether one of ks is bound to esc.
func bindsEsc(ks []key.Binding) bool {
	for _, k := range ks {
		if k.Enabled() && slices.Contains(k.Keys(), "esc") {
			return true
		}
	}
	return false
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

// helpView is the `?` overlay: the screen's keys first, then the global
// and navigation keys and the screens `:` can open, flowed into as many
// columns as the height needs (a section stays in one column when it
// fits), each line cut to the width, so it fits 80x24.
func (a *App) helpView(w, h int) string {
	st := a.env.Styles
	var blocks [][]string // one per section: title line, then a line per key
	section := func(title string, ks []key.Binding) {
		lines := []string{st.Title.Render(title)}
		for _, k := range ks {
			hk := k.Help()
			lines = append(lines, fmt.Sprintf("  %-6s %s", hk.Key, hk.Desc))
		}
		blocks = append(blocks, lines)
	}
	if t := a.Top(); t != nil {
		ks := t.Keys()
		if h, ok := t.(screen.Helper); ok {
			ks = h.HelpKeys()
		}
		section(t.Title(), ks)
		blocks[0] = append(blocks[0], st.Faint.Render("  (again: reverse)"))
	}
	section("everywhere", a.env.Keys.Global.List())
	section("lists", a.env.Keys.Nav.List())
	screens := []string{st.Title.Render("screens (:name)")}
	for _, e := range a.registry {
		if !e.NeedsArg {
			line := "  " + e.Name
			if w >= 140 { // room for what each is
				line = fmt.Sprintf("  %-14s %s", e.Name, e.Summary)
			}
			screens = append(screens, line)
		}
	}
	blocks = append(blocks, screens)
	blocks = append(blocks, []string{st.Faint.Render("any key closes this help")})
	return styles.Box(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.Overlay.Render(flowColumns(blocks, w-4, h-2))), w, h)
}

// flowColumns lays blocks of lines out in columns at most height lines
// tall, starting a new column when the next block does not fit (a block
// taller than a column is split), and cuts lines so the columns fit width.
func flowColumns(blocks [][]string, width, height int) string {
	height = max(height, 3)
	var cols [][]string
	var cur []string
	for _, b := range blocks {
		if len(cur) > 0 && len(cur)+1+len(b) > height && len(b) <= height {
			cols, cur = append(cols, cur), nil
		}
		if len(cur) > 0 {
			cur = append(cur, "")
		}
		for _, l := range b {
			if len(cur) == height {
				cols, cur = append(cols, cur), nil
			}
			cur = append(cur, l)
		}
	}
	if len(cur) > 0 {
		cols = append(cols, cur)
	}
	const gap = 2
	widths := make([]int, len(cols))
	total := gap * max(len(cols)-1, 0)
	for i, c := range cols {
		for _, l := range c {
			widths[i] = max(widths[i], lipgloss.Width(l))
		}
		total += widths[i]
	}
	for total > width { // narrow the widest column, one cell at a time
		widest := 0
		for i := range widths {
			if widths[i] > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= 8 {
			break
		}
		widths[widest]--
		total--
	}
	rendered := make([]string, 0, 2*len(cols))
	for i, c := range cols {
		for j, l := range c {
			c[j] = ansiCut(l, widths[i])
		}
		if i > 0 {
			rendered = append(rendered, strings.Repeat(" ", gap))
		}
		rendered = append(rendered, strings.Join(c, "\n"))
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, rendered...)
}

// ansiCut cuts a (possibly styled) line to at most w cells.
func ansiCut(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}
