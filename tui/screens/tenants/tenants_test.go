package tenants

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/keymap"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
	"github.com/foyerhq/foyer/tui/tuitest"
)

func newTest(t *testing.T) (*Model, *data.Model) {
	t.Helper()
	d := &data.Model{}
	d.Apply(data.Lists{Time: time.Unix(1, 0), Tenants: []api.Tenant{
		{Slug: "acme", Name: "Acme Inc.", State: "active"},
		{Slug: "globex", Name: "Globex", State: "suspended"},
		{Slug: "initech", Name: "Initech", State: "active"},
	}})
	d.Apply(data.Frame{Stats: api.Stats{Time: time.Unix(2, 0), Tenants: []api.TenantStats{
		{Tenant: "acme", Rate1: 5, P99: 30 * time.Millisecond},
		{Tenant: "initech", Rate1: 50, P99: 10 * time.Millisecond},
	}}})
	env := &screen.Env{Data: d, Styles: styles.New(true), Keys: keymap.Default()}
	m := New(env, "").(*Model)
	return m, d
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(tuitest.Key(k))
	}
}

// order is the tenants in the order the screen shows them.
func order(m *Model) string {
	var out []string
	for _, line := range strings.Split(ansi.Strip(m.View(100, 20)), "\n")[2:] {
		if f := strings.Fields(strings.TrimPrefix(line, "!")); len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return strings.Join(out, " ")
}

// Ensure that each sort key sorts by its column (numbers biggest first),
// that the same key again reverses, and that the cursor stays on its
// tenant.
func TestSort(t *testing.T) {
	m, _ := newTest(t)
	if got := order(m); got != "acme globex initech" {
		t.Fatalf("default order = %q", got)
	}
	press(m, "R")
	if got := order(m); got != "initech acme globex" {
		t.Errorf("by req/s = %q", got)
	}
	press(m, "R")
	if got := order(m); got != "globex acme initech" {
		t.Errorf("by req/s reversed = %q", got)
	}
	press(m, "P")
	if got := order(m); got != "acme initech globex" {
		t.Errorf("by p99 = %q", got)
	}
	press(m, "down")
	sel := m.Selected()
	press(m, "N")
	if m.Selected() != sel {
		t.Errorf("cursor moved from %s to %s on sort", sel, m.Selected())
	}
}

// Ensure that / filters by slug or name while typing, keeps the keyboard
// (Capturing) until enter, and esc clears the filter, while typing or after.
func TestFilter(t *testing.T) {
	m, _ := newTest(t)
	press(m, "/", "g", "l")
	if !m.Capturing() {
		t.Fatal("not capturing while typing a filter")
	}
	if got := order(m); got != "globex" {
		t.Errorf("filter gl = %q", got)
	}
	press(m, "backspace", "backspace", "i", "n", "c", "enter")
	if m.Capturing() {
		t.Error("still capturing after enter")
	}
	if got := order(m); got != "acme" { // "Acme Inc." matches by name
		t.Errorf("filter inc = %q", got)
	}
	press(m, "esc")
	if got := order(m); got != "acme globex initech" {
		t.Errorf("after esc = %q", got)
	}
	press(m, "/", "x", "esc")
	if got := order(m); got != "acme globex initech" || m.Capturing() {
		t.Errorf("after / x esc = %q (capturing %v)", got, m.Capturing())
	}
}

// Ensure that enter asks the root to open the detail screen of the tenant
// under the cursor, and that new lists keep the cursor on it.
func TestEnterOpensDetail(t *testing.T) {
	m, d := newTest(t)
	press(m, "down")
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter gave no command")
	}
	if got, want := cmd(), (screen.Open{Name: "detail", Arg: "globex"}); got != want {
		t.Errorf("enter sent %#v, want %#v", got, want)
	}
	d.Apply(data.Lists{Time: time.Unix(3, 0), Tenants: []api.Tenant{{Slug: "aaa"}, {Slug: "globex"}, {Slug: "zed"}}})
	m.Update(data.Updated{What: "lists"})
	if m.Selected() != "globex" {
		t.Errorf("after new lists the cursor is on %q, want globex", m.Selected())
	}
}

// Ensure that the sparkline puts the newest sample in the last cell and
// leaves cells before the first sample blank.
func TestSparkline(t *testing.T) {
	if got := sparkline([]float64{0, 10}, 4); got != "   █" && got != "  ▁█" {
		t.Errorf("sparkline = %q", got)
	}
	if got := sparkline(nil, 3); got != "   " {
		t.Errorf("empty sparkline = %q", got)
	}
}

// Ensure that the action keys open their forms on the tenant under the
// cursor (s resumes a suspended tenant), a opens the add form with no
// tenant, and that under --readonly each says so in the footer instead.
func TestActionKeys(t *testing.T) {
	m, _ := newTest(t)
	sent := func(k string) tea.Msg {
		t.Helper()
		_, cmd := m.Update(tea.KeyPressMsg{Code: []rune(k)[0], Text: k})
		if cmd == nil {
			t.Fatalf("%s gave no command", k)
		}
		return cmd()
	}
	for k, want := range map[string]screen.Open{
		"a": {Name: "add-tenant"}, "e": {Name: "edit-tenant", Arg: "acme"}, "x": {Name: "delete-tenant", Arg: "acme"},
		"d": {Name: "add-domain", Arg: "acme"}, "b": {Name: "backends", Arg: "acme"}, "K": {Name: "apikeys", Arg: "acme"},
		"p": {Name: "policy", Arg: "acme"}, "s": {Name: "suspend-tenant", Arg: "acme"},
	} {
		if got := sent(k); got != want {
			t.Errorf("%s sent %#v, want %#v", k, got, want)
		}
	}
	press(m, "down") // globex, suspended
	if got, want := sent("s"), (screen.Open{Name: "resume-tenant", Arg: "globex"}); got != want {
		t.Errorf("s on a suspended tenant sent %#v, want %#v", got, want)
	}

	m.env.ReadOnly = true
	for _, k := range []string{"a", "e", "s", "x", "d", "b", "K", "p"} {
		if f, ok := sent(k).(screen.Flash); !ok || !f.Err || !strings.Contains(f.Text, "read-only") {
			t.Errorf("read-only %s sent %#v, want a read-only flash", k, f)
		}
	}
}
