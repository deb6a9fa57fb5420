package logs

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/format"
	"github.com/foyerhq/foyer/tui/styles"
)

// Column widths of a log line; the path takes what is left.
const (
	timeW   = 8
	tenantW = 12
	statusW = 3
	methodW = 6
	durW    = 6
	bytesW  = 6
)

// Row is a record with its line as last drawn: a record never changes, so
// View draws each line once per width rather than every frame.
type Row struct {
	Rec  api.FollowRecord
	line string
	w    int  // the width line was drawn at; 0 none
	wt   bool // whether line has the tenant column
}

// Line returns the row drawn in w cells (see Line), from its cache when
// it was drawn at this width before.
func (r *Row) Line(st styles.Styles, w int, withTenant bool) string {
	if r.w != w || r.wt != withTenant || r.line == "" {
		r.line, r.w, r.wt = Line(st, &r.Rec, w, withTenant), w, withTenant
	}
	return r.line
}

// Head is the column headings over Line's output (withTenant as in Line).
func Head(st styles.Styles, w int, withTenant bool) string {
	cells := []string{pad("TIME", timeW, false)}
	if withTenant {
		cells = append(cells, pad("TENANT", tenantW, false))
	}
	cells = append(cells, pad("ST", statusW, false), pad("METHOD", methodW, false),
		pad("PATH", pathWidth(w, withTenant), false), pad("DUR", durW, true), pad("OUT", bytesW, true))
	return styles.Fit(st.TableHead.Render(strings.Join(cells, " ")), w)
}

// Line draws one record in w cells: time (in the record's own zone, as the
// daemon wrote it), tenant (when withTenant), status coloured by class,
// method, host and path, duration, bytes out. An upstream failure shows
// its outcome in place of the status.
func Line(st styles.Styles, r *api.FollowRecord, w int, withTenant bool) string {
	var b strings.Builder
	b.WriteString(r.Time.Format("15:04:05"))
	if withTenant {
		t := r.Tenant
		if t == "" {
			t = "-"
		}
		b.WriteString(" " + pad(t, tenantW, false))
	}
	code := "---"
	if r.Status > 0 {
		code = strconv.Itoa(r.Status)
	}
	b.WriteString(" " + statusStyle(st, r.Status).Render(pad(code, statusW, false)))
	b.WriteString(" " + pad(r.Method, methodW, false))
	b.WriteString(" " + pad(r.Host+r.Path, pathWidth(w, withTenant), false))
	b.WriteString(" " + pad(format.Latency(r.Duration), durW, true))
	b.WriteString(" " + pad(format.Bytes(float64(r.BytesOut)), bytesW, true))
	if w >= lineMin(withTenant) { // the cells add up to w exactly
		return b.String()
	}
	return styles.Fit(b.String(), w)
}

func statusStyle(st styles.Styles, code int) lipgloss.Style {
	switch {
	case code >= 500 || code == 0:
		return st.Bad
	case code >= 400:
		return st.Warn
	}
	return st.OK
}

// fixedWidth is a line's width without the path.
func fixedWidth(withTenant bool) int {
	fixed := timeW + statusW + methodW + durW + bytesW + 5 // the five gaps
	if withTenant {
		fixed += tenantW + 1
	}
	return fixed
}

// lineMin is the narrowest width whose line is drawn without cutting.
func lineMin(withTenant bool) int { return fixedWidth(withTenant) + 8 }

func pathWidth(w int, withTenant bool) int { return max(w-fixedWidth(withTenant), 8) }

func pad(s string, w int, right bool) string {
	n := width(s)
	switch {
	case n > w:
		return ansi.Truncate(s, w, "…")
	case right:
		return strings.Repeat(" ", w-n) + s
	}
	return s + strings.Repeat(" ", w-n)
}

// width is s's width in cells; plain ASCII (most of a log line) is
// counted without the grapheme machinery.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// Class is a status-class filter: 0 is every status, 2 to 5 one class
// (2xx..5xx); a record with no status (the upstream failed) counts as 5xx.
type Class int

// Next is the class the status key moves to: all, 2xx, 3xx, 4xx, 5xx, all.
func (c Class) Next() Class {
	if c == 0 {
		return 2
	}
	if c >= 5 {
		return 0
	}
	return c + 1
}

// String is "all" or "2xx".."5xx".
func (c Class) String() string {
	if c == 0 {
		return "all"
	}
	return strconv.Itoa(int(c)) + "xx"
}

// Match reports whether a record's status is in the class.
func (c Class) Match(status int) bool {
	if c == 0 {
		return true
	}
	if status == 0 {
		return c == 5
	}
	return Class(status/100) == c
}
