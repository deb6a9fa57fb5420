package detail

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/format"
	"github.com/foyerhq/foyer/tui/styles"
)

// Layout thresholds.
const (
	splitWidth = 140 // from this width the log tail is a column on the right
	tallHeight = 34  // from this height each chart is three rows high
	gutterW    = 8   // the chart's label column
	valueW     = 17  // the chart's numbers column
)

// View draws the sections: stacked below each other, or with the log tail
// in its own column on a wide terminal. Every line is drawn exactly w
// cells wide, and the frame is reused until an Update changes something.
func (m *Model) View(w, h int) string {
	if h <= 0 || w <= 0 {
		return ""
	}
	if m.frame != "" && m.frameW == w && m.frameH == h && m.frameVersion == m.version {
		return m.frame
	}
	m.frame, m.frameW, m.frameH, m.frameVersion = m.draw(w, h), w, h, m.version
	return m.frame
}

func (m *Model) draw(w, h int) string {
	d := m.env.Data
	st := m.env.Styles
	t, ok := d.Tenant(m.slug)
	if !ok {
		msg := st.Faint.Render("reading " + m.slug + "...")
		if !d.ListsTime.IsZero() {
			msg = st.Error.Render("tenant " + m.slug + " does not exist (deleted?): esc goes back")
		}
		return styles.Box(msg, w, h)
	}
	out := []string{m.titleLine(t, w)}
	if w >= splitWidth {
		lw := w * 11 / 20
		rw := w - lw - 3
		out = append(out, join(m.sections(lw, h-1), m.logSection(rw, h-1), lw, rw, h-1)...)
	} else {
		out = append(out, m.sections(w, h-1)...)
		if rest := h - len(out); rest >= 2 {
			out = append(out, m.logSection(w, rest)...)
		}
	}
	blank := strings.Repeat(" ", w)
	for len(out) < h {
		out = append(out, blank)
	}
	return strings.Join(out[:h], "\n")
}

// join puts two columns of lines (each exactly lw and rw cells) side by
// side with a rule between them.
func join(left, right []string, lw, rw, h int) []string {
	out := make([]string, h)
	lb, rb := strings.Repeat(" ", lw), strings.Repeat(" ", rw)
	for i := range h {
		l, r := lb, rb
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = l + " │ " + r
	}
	return out
}

func (m *Model) titleLine(t api.Tenant, w int) string {
	st := m.env.Styles
	s := st.Title.Render(t.Slug)
	if t.Name != "" && t.Name != t.Slug {
		s += " " + t.Name
	}
	state := st.OK.Render(t.State)
	if t.State != "active" {
		state = st.Warn.Render(t.State)
	}
	s += " · " + state
	if m.policy != nil && m.policy.Plan != "" {
		s += st.Faint.Render(" · plan " + m.policy.Plan)
	}
	l := m.latest
	s += st.Faint.Render(fmt.Sprintf(" · %s req/s · 5xx %s · p50 %s p99 %s · in-flight %d", format.Rate(l.Rate1),
		format.Percent(l.ErrorRatio), format.Latency(l.P50), format.Latency(l.P99), l.InFlight))
	return styles.Fit(s, w)
}

// sections are the charts, domains, backends and policy, sized to h.
func (m *Model) sections(w, h int) []string {
	rows := 1
	if h+1 >= tallHeight {
		rows = 3
	}
	var out []string
	out = append(out, m.charts(w, rows)...)
	listMax := 4
	if h >= tallHeight {
		listMax = 8
	}
	out = append(out, m.domainLines(w, listMax)...)
	out = append(out, m.backendLines(w, listMax)...)
	out = append(out, m.policyLines(w)...)
	return out
}

// charts draws req/s, 5xx/s and p99 over five minutes with the time axis.
func (m *Model) charts(w, rows int) []string {
	st := m.env.Styles
	cw := max(w-gutterW-valueW-2, 10)
	type series struct {
		label string
		xs    []float64
		peak  bool
		fmtV  func(float64) string
		style lipgloss.Style
	}
	lat := func(v float64) string { return format.Latency(time.Duration(v)) }
	all := []series{
		{"req/s", m.rates, false, format.Rate, st.Sparkline},
		{"5xx/s", m.errs, false, format.Rate, st.Bad},
		{"p99", m.p99s, true, lat, st.Warn},
	}
	var out []string
	for _, s := range all {
		cells, have := bucket(s.xs, cw, s.peak)
		var top, peak float64 // the chart's scale; the true peak for the label
		for _, v := range cells {
			top = max(top, v)
		}
		for _, v := range s.xs {
			peak = max(peak, v)
		}
		now := 0.0
		if len(s.xs) > 0 {
			now = s.xs[len(s.xs)-1]
		}
		lines := chart(cells, have, top, rows)
		for r, l := range lines {
			label, value := "", ""
			if r == 0 {
				label = s.label
				value = "max " + s.fmtV(peak)
			}
			if r == rows-1 {
				if rows == 1 {
					value = "now " + s.fmtV(now) + " max " + s.fmtV(peak)
				} else {
					value = "now " + s.fmtV(now)
				}
			}
			out = append(out, styles.Fit(st.TableHead.Render(padR(label, gutterW))+s.style.Render(l)+"  "+st.Faint.Render(value), w))
		}
	}
	out = append(out, styles.Fit(strings.Repeat(" ", gutterW)+st.Faint.Render(axis(cw)), w))
	return out
}

// section is a heading line: "DOMAINS 2 · 1 failed".
func (m *Model) section(title, detail string, w int) string {
	st := m.env.Styles
	s := st.TableHead.Render(title)
	if detail != "" {
		s += " " + st.Faint.Render(detail)
	}
	return styles.Fit(s, w)
}

// domainLines lists the tenant's domains: name, state, expiry, and for a
// domain that is not serving, its reason and next step.
func (m *Model) domainLines(w, maxN int) []string {
	st := m.env.Styles
	ds := m.env.Data.ByTenant[m.slug]
	out := []string{m.section("DOMAINS", strconv.Itoa(len(ds)), w)}
	if len(ds) == 0 {
		return append(out, styles.Fit(st.Faint.Render("  none: add one with `foyer domain add "+m.slug+" <domain>`"), w))
	}
	nameW := 0
	for _, d := range ds {
		nameW = max(nameW, ansi.StringWidth(d.Name))
	}
	nameW = min(nameW, max(w/3, 12))
	for i, d := range ds {
		if i == maxN && len(ds) > maxN+1 {
			out = append(out, styles.Fit(st.Faint.Render(fmt.Sprintf("  +%d more (:domains lists them all)", len(ds)-maxN)), w))
			break
		}
		s := "  " + padR(d.Name, nameW) + "  " + domainStyle(st, d.State).Render(padR(d.State, 11))
		if !d.NotAfter.IsZero() {
			s += st.Faint.Render(" until " + d.NotAfter.Format("2006-01-02"))
		}
		if d.Reason != "" {
			s += " " + d.Reason
		}
		if d.Hint != "" {
			s += st.Faint.Render(" → " + d.Hint)
		}
		out = append(out, styles.Fit(s, w))
	}
	return out
}

func domainStyle(st styles.Styles, state string) lipgloss.Style {
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

// backendLines lists the tenant's backends: URL, pool, health, mean
// latency, requests and errors since the daemon started (from the stats
// lines), and the last error.
func (m *Model) backendLines(w, maxN int) []string {
	st := m.env.Styles
	bs := m.env.Data.Backends[m.slug]
	healthy := 0
	for _, b := range bs {
		if b.Health == api.HealthHealthy {
			healthy++
		}
	}
	out := []string{m.section("BACKENDS", fmt.Sprintf("%d/%d healthy", healthy, len(bs)), w)}
	if len(bs) == 0 {
		return append(out, styles.Fit(st.Faint.Render("  none: add one with `foyer backend add "+m.slug+" <url>`"), w))
	}
	byURL := make(map[string]api.BackendStats, len(m.latest.Backends))
	for _, b := range m.latest.Backends {
		byURL[b.URL] = b
	}
	sorted := append([]api.Backend(nil), bs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Pool < sorted[j].Pool })
	urlW := 0
	for _, b := range sorted {
		urlW = max(urlW, ansi.StringWidth(b.URL))
	}
	urlW = min(urlW, max(w/3, 16))
	for i, b := range sorted {
		if i == maxN && len(sorted) > maxN+1 {
			out = append(out, styles.Fit(st.Faint.Render(fmt.Sprintf("  +%d more", len(sorted)-maxN)), w))
			break
		}
		bst := byURL[b.URL]
		s := "  " + padR(b.URL, urlW) + " " + padR(b.Pool, 8) + " " + healthStyle(st, b.Health).Render(padR(b.Health, 9)) +
			" " + padL(format.Latency(bst.MeanLatency), 6) + " " + padL(strconv.FormatUint(bst.Requests, 10), 7) + " req " +
			padL(strconv.FormatUint(bst.Errors, 10), 5) + " err"
		if b.LastError != "" {
			s += " " + st.Error.Render(b.LastError)
		}
		out = append(out, styles.Fit(s, w))
	}
	return out
}

func healthStyle(st styles.Styles, h string) lipgloss.Style {
	switch h {
	case api.HealthHealthy:
		return st.OK
	case api.HealthUnknown, api.HealthDraining:
		return st.Faint
	}
	return st.Bad
}

// policyLines is the plan and the overrides, then the effective values
// that differ from the defaults.
func (m *Model) policyLines(w int) []string {
	st := m.env.Styles
	switch {
	case m.policyErr != nil && m.policy == nil:
		return []string{m.section("POLICY", "", w), styles.Fit("  "+st.Error.Render("cannot read the policy: "+errText(m.policyErr)), w)}
	case m.policy == nil:
		return []string{styles.Fit(m.section("POLICY", "", w)+" "+st.Faint.Render("reading..."), w)}
	}
	p := m.policy
	plan := "no plan"
	if p.Plan != "" {
		plan = "plan " + p.Plan
	}
	keys := make([]string, 0, len(p.Overrides))
	for k := range p.Overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	over := "no overrides"
	if len(keys) > 0 {
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + p.Overrides[k]
		}
		over = "overrides " + strings.Join(parts, " ")
	}
	head := m.section("POLICY", plan+" · "+over, w)
	var eff []string
	for _, v := range p.Effective {
		if v.Source != "default" {
			eff = append(eff, v.Key+"="+v.Value+" ("+v.Source+")")
		}
	}
	line := "  in force: defaults only"
	if len(eff) > 0 {
		line = "  in force: " + strings.Join(eff, ", ")
	}
	out := []string{head, styles.Fit(line, w)}
	if m.policyErr != nil {
		out = append(out, styles.Fit("  "+st.Error.Render("policy may be stale: "+errText(m.policyErr)), w))
	}
	return out
}

// logSection is the tail of the tenant's access log, newest at the
// bottom, filtered by the status class, in h lines.
func (m *Model) logSection(w, h int) []string {
	st := m.env.Styles
	info := fmt.Sprintf("status=%s (s) · %d kept", m.class, m.tail.Len())
	if m.dropped > 0 {
		info += " · " + st.Bad.Render(fmt.Sprintf("dropped %d", m.dropped))
	}
	if m.tailErr != "" {
		info += " · " + st.Error.Render(m.tailErr)
	}
	out := []string{m.section("LOG", info, w)}
	n := h - 1
	if n <= 0 {
		return out[:h]
	}
	var pick []int
	for i := m.tail.Len() - 1; i >= 0 && len(pick) < n; i-- {
		if m.class.Match(m.tail.Ptr(i).Rec.Status) {
			pick = append(pick, i)
		}
	}
	if len(pick) == 0 {
		msg := "  waiting for requests..."
		if m.tail.Len() > 0 {
			msg = "  no " + m.class.String() + " answers among the last " + strconv.Itoa(m.tail.Len())
		}
		return append(out, styles.Fit(st.Faint.Render(msg), w))
	}
	for i := len(pick) - 1; i >= 0; i-- {
		out = append(out, m.tail.Ptr(pick[i]).Line(st, w, false)) // exactly w cells
	}
	return out
}

// errText is an error in words: an *api.Error's message and hint.
func errText(err error) string {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Hint != "" {
		return ae.Msg + " (" + ae.Hint + ")"
	}
	return err.Error()
}

func padR(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

func padL(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-n) + s
}
