package wizard

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/screens/forms"
	"github.com/foyerhq/foyer/tui/styles"
)

// stepNames are the steps as the progress line shows them.
var stepNames = []string{"domain", "DNS records", "check", "certificate", "active"}

// View draws the progress line and the current step.
func (m *Model) View(w, h int) string {
	st := m.env.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("add a custom domain to "+m.slug) + "\n")
	for i, n := range stepNames {
		if i > 0 {
			b.WriteString(st.Faint.Render(" → "))
		}
		switch {
		case Step(i) == m.step:
			b.WriteString(st.Selected.Render(" " + n + " "))
		case Step(i) < m.step:
			b.WriteString(st.OK.Render("✓ " + n))
		default:
			b.WriteString(st.Faint.Render(n))
		}
	}
	b.WriteString("\n\n")
	switch m.step {
	case StepDomain:
		m.viewDomain(&b, w)
	case StepRecords:
		m.viewRecords(&b, w)
	case StepCheck:
		m.viewCheck(&b, w)
	case StepIssuing:
		m.viewIssuing(&b)
	case StepActive:
		m.viewActive(&b)
	}
	if m.err != nil {
		b.WriteString("\n" + forms.ErrorText(st, m.err) + "\n")
	}
	return styles.Box(b.String(), w, h)
}

func (m *Model) viewDomain(b *strings.Builder, w int) {
	st := m.env.Styles
	b.WriteString("The customer's domain (the host their visitors type):\n\n")
	m.in.SetWidth(max(w-12, 10))
	b.WriteString("› Domain  " + m.in.View() + "\n")
	b.WriteString(st.Faint.Render("          a host name such as shop.customer.com: no scheme, no path") + "\n")
	if m.busy {
		b.WriteString("\n" + st.Faint.Render("adding...") + "\n")
	}
}

// recordLines are the DNS records, one a line: NAME TYPE VALUE, with
// nothing around the values so each copies cleanly.
func recordLines(d api.Domain) (point []string, txt string) {
	s := d.Setup
	if s == nil {
		return nil, ""
	}
	if s.CNAME != "" {
		point = append(point, d.Name+"  CNAME "+s.CNAME)
	}
	for _, ip := range s.Addresses {
		typ := "A    "
		if strings.Contains(ip, ":") {
			typ = "AAAA "
		}
		point = append(point, d.Name+"  "+typ+" "+ip)
	}
	if s.TXTName != "" {
		txt = s.TXTName + "  TXT   " + s.TXTValue
	}
	return point, txt
}

func (m *Model) viewRecords(b *strings.Builder, w int) {
	st := m.env.Styles
	wrap := lipgloss.NewStyle().Width(max(w-1, 10))
	point, txt := recordLines(m.domain)
	b.WriteString("Give the customer these DNS records. Point " + m.domain.Name + " here with one of:\n\n")
	if len(point) == 0 {
		b.WriteString(st.Warn.Render("(no records to show: set the cname-target, base-domain or public-ips setting)") + "\n")
	}
	for _, l := range point {
		b.WriteString(l + "\n")
	}
	if txt != "" {
		b.WriteString("\nOptionally, to prove ownership before the DNS switch (then the certificate can\nbe ready before traffic moves):\n\n")
		b.WriteString(txt + "\n")
	}
	b.WriteString("\n" + st.Faint.Render(wrap.Render("The domain is pending until its DNS points here; foyer checks it in the background too. Press enter once the records are set to watch the check live.")) + "\n")
}

func (m *Model) viewCheck(b *strings.Builder, w int) {
	st := m.env.Styles
	b.WriteString("Checking " + m.domain.Name)
	switch {
	case m.check != nil && m.check.Resolver != "":
		b.WriteString(" (DNS server " + m.check.Resolver + ")")
	}
	b.WriteString(":\n\n")
	if m.check == nil {
		b.WriteString(st.Faint.Render("checking...") + "\n")
		return
	}
	m.checkLines(b, w)
	b.WriteString("\n" + st.Faint.Render(m.againLine()) + "\n")
}

// checkLines writes a tick or cross per check, and the hint under a
// failure.
func (m *Model) checkLines(b *strings.Builder, w int) {
	st := m.env.Styles
	wrap := lipgloss.NewStyle().Width(max(w-6, 10))
	for _, c := range m.check.Checks {
		mark := st.OK.Render("✓")
		if !c.OK {
			mark = st.Bad.Render("✗")
		}
		name := strings.ToUpper(c.Name)
		detail := strings.TrimPrefix(c.Detail, name+" ") // the daemon's DNS lines start with the type
		b.WriteString(mark + " " + padRight(name, 5) + " " + styles.Fit(detail, max(w-9, 10)) + "\n")
		if !c.OK && c.Hint != "" {
			for _, l := range strings.Split(wrap.Render(c.Hint), "\n") {
				b.WriteString("        " + st.Faint.Render(strings.TrimRight(l, " ")) + "\n")
			}
		}
	}
}

func (m *Model) againLine() string {
	switch {
	case m.busy:
		return "checking..."
	case CheckEvery > 0:
		return "checked " + strconv.Itoa(m.checks) + "×; again every " + CheckEvery.String() + " (c: now, r: the records)"
	}
	return "checked " + strconv.Itoa(m.checks) + "× (c: again, r: the records)"
}

func (m *Model) viewIssuing(b *strings.Builder) {
	st := m.env.Styles
	b.WriteString(st.OK.Render("✓ "+m.domain.Name+" points here") + "\n\n")
	states := []string{"pending_dns", "verified", "issuing", "active"}
	cur := m.domain.State
	for i, s := range states {
		if i > 0 {
			b.WriteString(st.Faint.Render(" → "))
		}
		switch {
		case s == cur:
			b.WriteString(st.Warn.Render(s + "…"))
		case indexOf(states, s) < indexOf(states, cur):
			b.WriteString(st.OK.Render(s))
		default:
			b.WriteString(st.Faint.Render(s))
		}
	}
	b.WriteString("\n\n")
	switch cur {
	case "failed", "expiring":
		b.WriteString(st.Bad.Render("✗ "+cur+": "+m.domain.Reason) + "\n")
		if m.domain.Hint != "" {
			b.WriteString("  " + st.Faint.Render("hint: "+m.domain.Hint) + "\n")
		}
		b.WriteString("\n" + st.Faint.Render("foyer retries by itself; c checks again now.") + "\n")
	default:
		b.WriteString("Obtaining its certificate; this screen moves on when the domain is active.\n")
	}
}

func (m *Model) viewActive(b *strings.Builder) {
	st := m.env.Styles
	b.WriteString(st.OK.Render("✓ "+m.domain.Name+" is active: it serves "+m.slug+" over HTTPS.") + "\n\n")
	if !m.domain.NotAfter.IsZero() {
		b.WriteString("Certificate expires " + m.domain.NotAfter.UTC().Format("2006-01-02 15:04 UTC") + "; foyer renews it by itself.\n")
	}
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

func padRight(s string, n int) string {
	for len(s) < n {
		s += " "
	}
	return s
}
