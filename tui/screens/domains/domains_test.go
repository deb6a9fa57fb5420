package domains_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/screens/domains"
	"github.com/foyerhq/foyer/tui/screens/tenants"
	"github.com/foyerhq/foyer/tui/tuitest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return t0.Add(62 * time.Minute) }

// lists is five domains of three tenants, one in each interesting state.
func lists() data.Lists {
	return data.Lists{Time: t0, Status: api.Status{Version: "v0.9.0", Started: t0},
		Tenants: []api.Tenant{{Slug: "acme", State: "active"}, {Slug: "initech", State: "active"}, {Slug: "umbrella", State: "active"}},
		Domains: []api.Domain{
			{Name: "shop.acme.test", Tenant: "acme", State: "active", NotAfter: t0.Add(80 * 24 * time.Hour), Updated: t0.Add(-2 * time.Hour)},
			{Name: "www.acme.test", Tenant: "acme", State: "expiring", NotAfter: t0.Add(9 * 24 * time.Hour), Updated: t0.Add(-time.Hour),
				Reason: "renewal failed twice", Hint: "see foyer domain show www.acme.test"},
			{Name: "app.initech.test", Tenant: "initech", State: "failed", Updated: t0.Add(-10 * time.Minute),
				Reason: "CAA forbids the CA", Hint: "add CAA 0 issue \"letsencrypt.org\""},
			{Name: "initech.test", Tenant: "initech", State: "pending_dns", Updated: t0.Add(-5 * time.Minute),
				Reason: "no CNAME yet", Hint: "set CNAME initech.test to initech.edge.test"},
			{Name: "umbrella.test", Tenant: "umbrella", State: "issuing", Updated: t0.Add(-time.Minute)},
		}}
}

// checked is a re-check of app.initech.test that still fails on CAA.
func checked() domains.Checked {
	d := lists().Domains[0]
	d.Name, d.Tenant, d.State = "app.initech.test", "initech", "failed"
	return domains.Checked{Name: "app.initech.test", Result: api.DomainCheck{Domain: d, Resolver: "127.0.0.1:53", Checks: []api.CheckLine{
		{Name: "cname", OK: true, Detail: "app.initech.test -> initech.edge.test"},
		{Name: "caa", OK: false, Detail: "CAA allows only pki.goog", Hint: "add CAA 0 issue \"letsencrypt.org\""},
		{Name: "http", OK: true, Detail: "token served"},
	}}}
}

// screenTest is the model under test on an emulated screen.
type screenTest struct{ *tuitest.Term }

func start(t *testing.T, w, h int) *screenTest {
	t.Helper()
	d := &data.Model{Socket: "admin.sock", Conn: data.Connected}
	app := tui.NewApp(tui.NewEnv(d, nil, false, false), []screen.Entry{tenants.Entry, domains.Entry}, "tenants", nil, fixedNow)
	s := &screenTest{tuitest.Start(t, app, w, h)}
	s.TM.Send(lists())
	s.TM.Send(screen.Open{Name: "domains"})
	return s
}

// Ensure that the domains screen at 100x30 lists every domain with its
// tenant, state, expiry and last check, and the selected one's re-check
// in the panel below (golden file).
func TestDomainsScreen100x30(t *testing.T) {
	s := start(t, 100, 30)
	s.WaitFor("Domains 5 of 5")
	s.TM.Send(checked())
	s.WaitFor("✗ caa")
	s.WaitFor("checks failed (see the panel)") // the footer says the outcome
	teatest.RequireEqualOutput(t, []byte(s.Screen()))
	s.Quit()
}

// Ensure that at 80x24 the table still fits, filtered to one tenant's
// domains (golden file).
func TestDomainsScreen80x24(t *testing.T) {
	s := start(t, 80, 24)
	s.WaitFor("Domains 5 of 5")
	s.TM.Type("/acme")
	s.TM.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	s.WaitFor("Domains 2 of 5")
	s.WaitFor("enter open") // the prompt closed: the footer has the screen's keys again
	teatest.RequireEqualOutput(t, []byte(s.Screen()))
	s.Quit()
}

func newModel(t *testing.T, readOnly bool) *domains.Model {
	t.Helper()
	m, _ := newModelData(t, readOnly)
	return m
}

func newModelData(t *testing.T, readOnly bool) (*domains.Model, *data.Model) {
	t.Helper()
	d := &data.Model{}
	d.Apply(lists())
	return domains.New(tui.NewEnv(d, nil, readOnly, true), "").(*domains.Model), d
}

func key(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

// Ensure that a re-check's result (a fake answer, as the daemon would
// give) shows ✓ and ✗ per check with the failure's hint, that an error
// comes back in words, and that enter opens the domain's tenant.
func TestDomainsRecheckResult(t *testing.T) {
	m := newModel(t, false)
	if m.Selected() != "app.initech.test" {
		t.Fatalf("selected %q", m.Selected())
	}
	v := ansi.Strip(m.View(100, 30))
	if !strings.Contains(v, "app.initech.test failed · CAA forbids the CA → add CAA") || !strings.Contains(v, "r checks DNS and HTTP now") {
		t.Errorf("panel before a check:\n%s", v)
	}
	_, cmd := m.Update(checked())
	if f, ok := cmd().(screen.Flash); !ok || f.Err || f.Text != "app.initech.test: not verified, 1 of 3 checks failed (see the panel)" {
		t.Errorf("the result's footer line = %#v", f)
	}
	v = ansi.Strip(m.View(100, 30))
	for _, want := range []string{"✗ not verified (resolver 127.0.0.1:53, now failed)", "✓ cname app.initech.test -> initech.edge.test",
		"✗ caa   CAA allows only pki.goog → add CAA 0 issue \"letsencrypt.org\"", "✓ http  token served"} {
		if !strings.Contains(v, want) {
			t.Errorf("panel lacks %q:\n%s", want, v)
		}
	}
	m.Update(domains.Checked{Name: "app.initech.test", Err: &api.Error{Status: 502, Msg: "resolver 127.0.0.1:53 timed out", Hint: "check the dns-resolver setting"}})
	if v := ansi.Strip(m.View(100, 30)); !strings.Contains(v, "check failed: resolver 127.0.0.1:53 timed out (check the dns-resolver setting)") {
		t.Errorf("error not in words:\n%s", v)
	}
	_, cmd = m.Update(key("enter"))
	if cmd == nil {
		t.Fatal("enter gave no command")
	}
	if got := cmd(); got != (screen.Open{Name: "detail", Arg: "initech"}) {
		t.Errorf("enter sent %#v", got)
	}
}

// Ensure that r asks the daemon only when it may: a read-only console
// refuses with a footer message and starts no check; without a client it
// says so; the result of another domain's check does not show for this one.
func TestDomainsRecheckRefused(t *testing.T) {
	m := newModel(t, true)
	_, cmd := m.Update(key("r"))
	if cmd == nil {
		t.Fatal("r in read-only mode gave no message")
	}
	f, ok := cmd().(screen.Flash)
	if !ok || !f.Err || !strings.Contains(f.Text, "read-only") {
		t.Errorf("r in read-only mode sent %#v", f)
	}
	if m.Checking("app.initech.test") {
		t.Error("a check started in read-only mode")
	}
	m = newModel(t, false)
	_, cmd = m.Update(key("r"))
	if f, ok := cmd().(screen.Flash); !ok || !f.Err || m.Checking("app.initech.test") {
		t.Errorf("r without a client sent %#v (checking %v)", f, m.Checking("app.initech.test"))
	}
	m.Update(key("down"))
	m.Update(checked())
	if v := ansi.Strip(m.View(100, 30)); strings.Contains(v, "✗ caa") {
		t.Errorf("initech.test's panel shows app.initech.test's check:\n%s", v)
	}
}

// Ensure that / filters by name, tenant or state, that esc clears it,
// and that new lists keep the cursor on its domain.
func TestDomainsFilter(t *testing.T) {
	m, d := newModelData(t, false)
	for _, k := range []string{"/", "f", "a", "i", "l"} {
		m.Update(key(k))
	}
	if !m.Capturing() {
		t.Fatal("not capturing while typing")
	}
	m.Update(key("enter"))
	v := ansi.Strip(m.View(100, 30))
	if !strings.Contains(v, "Domains 1 of 5") || !strings.Contains(v, "app.initech.test") || strings.Contains(v, "shop.acme.test") {
		t.Errorf("filter fail:\n%s", v)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if v := ansi.Strip(m.View(100, 30)); !strings.Contains(v, "Domains 5 of 5") {
		t.Errorf("esc did not clear the filter:\n%s", v)
	}
	m.Update(key("down"))
	m.Update(key("down"))
	if m.Selected() != "shop.acme.test" {
		t.Fatalf("after two downs the cursor is on %q", m.Selected())
	}
	l := lists()
	l.Domains = append(l.Domains, api.Domain{Name: "aaa.test", Tenant: "acme", State: "verified"})
	d.Apply(l)
	m.Update(data.Updated{What: "lists"})
	if m.Selected() != "shop.acme.test" {
		t.Errorf("after new lists the cursor is on %q, want shop.acme.test", m.Selected())
	}
}

// Ensure that a wide terminal adds the REASON / NEXT column with each
// stuck domain's reason and next step, and every size renders exactly
// w x h cells.
func TestDomainsWide(t *testing.T) {
	m := newModel(t, false)
	v := ansi.Strip(m.View(140, 30))
	if !strings.Contains(v, "REASON / NEXT") || !strings.Contains(v, "no CNAME yet → set CNAME initech.test to initech.edge.test") {
		t.Errorf("wide view:\n%s", v)
	}
	for _, sz := range [][2]int{{30, 6}, {80, 22}, {140, 30}} {
		lines := strings.Split(m.View(sz[0], sz[1]), "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w != sz[0] {
				t.Errorf("%dx%d: line %d is %d cells", sz[0], sz[1], i, w)
				break
			}
		}
	}
}
