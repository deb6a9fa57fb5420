package logs

import (
	"fmt"
	"strings"

	"github.com/foyerhq/foyer/tui/styles"
)

// View draws the title line with the filters and the stream's state, the
// headings, and the newest records that fit (or, paused, the frozen ones
// at the scroll position). Each record's line is drawn once per width
// (Row), and the lines are exactly w cells, so a frame is cheap.
func (m *Model) View(w, h int) string {
	st := m.env.Styles
	if h <= 0 || w <= 0 {
		return ""
	}
	m.height = max(h-2, 1)
	lines := make([]string, 0, h)
	lines = append(lines, m.titleLine(w), Head(st, w, true))
	n := m.shown.Len()
	if m.paused {
		n = len(m.frozen)
	}
	end := n - m.scroll
	start := max(end-m.height, 0)
	if n == 0 {
		lines = append(lines, styles.Fit(st.Faint.Render(m.emptyText()), w))
	}
	exact := w >= lineMin(true)
	for i := start; i < end; i++ {
		var row *Row
		if m.paused {
			row = &m.frozen[i]
		} else {
			row = m.shown.Ptr(i)
		}
		l := row.Line(st, w, true)
		if !exact {
			l = styles.Fit(l, w)
		}
		lines = append(lines, l)
	}
	blank := strings.Repeat(" ", w)
	for len(lines) < h {
		lines = append(lines, blank)
	}
	return strings.Join(lines[:h], "\n")
}

func (m *Model) emptyText() string {
	switch {
	case m.ring.Len() > 0:
		return "no record matches the filters (c clears them)"
	case m.env.Client == nil && m.errText == "":
		return "waiting for requests..."
	}
	return "waiting for requests: the log shows each one as it finishes"
}

// titleLine is "Logs  tenant=… status=… path~…  N lines · following · dropped D".
func (m *Model) titleLine(w int) string {
	st := m.env.Styles
	s := st.Title.Render("Logs")
	filters := []string{"tenant=" + orAll(m.tenant), "status=" + m.class.String(), "path~" + orAll(m.path)}
	switch m.typing {
	case 't':
		filters[0] = st.FilterInput.Render("tenant=" + m.input + "▏")
	case '/':
		filters[2] = st.FilterInput.Render("path~" + m.input + "▏")
	}
	s += "  " + strings.Join(filters, " ")
	s += st.Faint.Render(fmt.Sprintf("  %d of %d", m.shown.Len(), m.ring.Len()))
	if m.paused {
		s += "  " + st.Warn.Render(fmt.Sprintf("PAUSED (+%d)", m.fresh))
	} else {
		s += "  " + st.OK.Render("following")
	}
	if m.dropped > 0 {
		s += "  " + st.Bad.Render(fmt.Sprintf("dropped %d", m.dropped))
	}
	if m.errText != "" {
		s += "  " + st.Error.Render(m.errText)
	}
	return styles.Fit(s, w)
}

func orAll(s string) string {
	if s == "" {
		return "*"
	}
	return s
}
