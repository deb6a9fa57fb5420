package tenants

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/foyerhq/foyer/tui/styles"
)

// maxName is the widest the NAME column grows.
const maxName = 28

// layout picks the columns that fit in w cells, dropping the highest drop
// first, and the NAME column's width (it takes spare room up to maxName).
func layout(w int) (cols []int, nameW int) {
	keep := make([]bool, len(columns))
	need := 0
	for i, c := range columns {
		keep[i] = true
		need += c.width + 2 // two-cell gutter; the first holds the "!" mark
	}
	for need > w {
		worst := -1
		for i, c := range columns {
			if keep[i] && c.drop > 0 && (worst < 0 || c.drop > columns[worst].drop) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		keep[worst] = false
		need -= columns[worst].width + 2
	}
	nameW = columns[nameCol].width + min(max(w-need, 0), maxName-columns[nameCol].width)
	for i := range columns {
		if keep[i] {
			cols = append(cols, i)
		}
	}
	return cols, nameW
}

func pad(s string, w int, right bool) string {
	n := ansi.StringWidth(s)
	switch {
	case n > w:
		return ansi.Truncate(s, w, "…")
	case right:
		return strings.Repeat(" ", w-n) + s
	}
	return s + strings.Repeat(" ", w-n)
}

func (m *Model) titleLine(w int) string {
	st := m.env.Styles
	c := columns[m.sortBy]
	dir := "↑"
	if m.desc {
		dir = "↓"
	}
	s := st.Title.Render("Tenants") + st.Faint.Render(fmt.Sprintf(" %d of %d · sort %s %s", len(m.view), len(m.rows), strings.ToLower(c.title), dir))
	if m.Typing || m.Filter != "" {
		cursor := ""
		if m.Typing {
			cursor = "▏"
		}
		s += "  " + st.FilterInput.Render("/"+m.Filter+cursor)
	}
	if e := m.env.Data.ListErr; e != "" && len(m.rows) > 0 {
		s += "  " + st.Error.Render("lists stale: "+e)
	}
	return styles.Fit(s, w)
}

func (m *Model) headLine(cols []int, nameW, w int) string {
	st := m.env.Styles
	var b strings.Builder
	for _, i := range cols {
		c := columns[i]
		cw := c.width
		if i == nameCol {
			cw = nameW
		}
		b.WriteString("  ")
		h := pad(c.title, cw, c.right)
		if i == m.sortBy {
			b.WriteString(st.SortedHead.Render(h))
		} else {
			b.WriteString(st.TableHead.Render(h))
		}
	}
	return styles.Fit(b.String(), w)
}

// rowLine draws one tenant; the row under the cursor is reversed, a
// spiking tenant is marked "!" and highlighted, badges and health coloured.
func (m *Model) rowLine(r *row, cols []int, nameW, w int, selected bool) string {
	st := m.env.Styles
	plain := selected || r.spike
	var b strings.Builder
	for _, i := range cols {
		c := columns[i]
		cw := c.width
		if i == nameCol {
			cw = nameW
		}
		if i == nameCol && r.spike {
			b.WriteString("! ")
		} else {
			b.WriteString("  ")
		}
		cell := pad(c.cell(r), cw, c.right)
		if !plain {
			cell = m.colour(i, r, cell)
		}
		b.WriteString(cell)
	}
	line := styles.Fit(b.String(), w)
	switch {
	case selected:
		return st.Selected.Render(line)
	case r.spike:
		return st.Highlight.Render(line)
	}
	return line
}

// colour styles the cells whose value is a verdict: state, 5xx, domains,
// backends.
func (m *Model) colour(i int, r *row, cell string) string {
	st := m.env.Styles
	switch columns[i].title {
	case "STATE":
		if r.state != "active" {
			return st.Warn.Render(cell)
		}
	case "5XX":
		if r.s5 > 0 {
			return st.Bad.Render(cell)
		}
	case "DOMAINS":
		switch r.badge {
		case "active":
			return st.OK.Render(cell)
		case "failed":
			return st.Bad.Render(cell)
		case "":
			return st.Faint.Render(cell)
		default:
			return st.Warn.Render(cell)
		}
	case "HEALTH":
		switch {
		case r.backends == 0:
			return st.Faint.Render(cell)
		case r.healthy == 0:
			return st.Bad.Render(cell)
		case r.healthy < r.backends:
			return st.Warn.Render(cell)
		}
		return st.OK.Render(cell)
	case "LAST 60S":
		return st.Sparkline.Render(cell)
	}
	return cell
}
