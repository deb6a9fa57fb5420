package detail_test

import (
	"fmt"
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
	"github.com/foyerhq/foyer/tui/screens/detail"
	"github.com/foyerhq/foyer/tui/screens/logs"
	"github.com/foyerhq/foyer/tui/screens/tenants"
	"github.com/foyerhq/foyer/tui/tuitest"
)

// The tests feed the screen what the feed and the daemon would send,
// built from api types.

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return t0.Add(62 * time.Minute) }

// fixture is acme with two domains (one failed), three backends (one
// down) and five minutes of traffic whose 5xx and p99 rise at the end.
func fixture() *data.Model {
	d := &data.Model{Socket: "admin.sock", Conn: data.Connected}
	d.Apply(data.Lists{
		Time:    t0,
		Status:  api.Status{Version: "v0.9.0", Started: t0, Revision: 7},
		Tenants: []api.Tenant{{Slug: "acme", Name: "Acme Inc.", State: "active"}, {Slug: "globex", Name: "Globex", State: "active"}},
		Backends: map[string][]api.Backend{"acme": {
			{Tenant: "acme", Pool: "default", URL: "http://10.0.0.1:8080", Health: "healthy"},
			{Tenant: "acme", Pool: "default", URL: "http://10.0.0.2:8080", Health: "unhealthy", LastError: "dial tcp 10.0.0.2:8080: connection refused"},
			{Tenant: "acme", Pool: "api", URL: "http://10.0.0.3:9000", Health: "healthy"},
		}},
		Domains: []api.Domain{
			{Name: "shop.acme.test", Tenant: "acme", State: "active", NotAfter: t0.Add(60 * 24 * time.Hour)},
			{Name: "www.acme.test", Tenant: "acme", State: "failed", Reason: "CNAME points elsewhere",
				Hint: "set CNAME www.acme.test to acme.edge.test"},
			{Name: "globex.test", Tenant: "globex", State: "active"},
		},
	})
	var status [6]uint64
	for i := range data.HistoryLen {
		rate := 50 + float64(i%60)
		status[2] += uint64(rate)
		p99 := 20 * time.Millisecond
		if i >= data.HistoryLen-30 {
			status[5] += 3
			p99 = 80 * time.Millisecond
		}
		ts := api.TenantStats{Tenant: "acme", Rate1: rate, ErrorRatio: 0.02, P50: 4 * time.Millisecond, P99: p99, InFlight: 3, Status: status,
			Backends: []api.BackendStats{
				{URL: "http://10.0.0.1:8080", Requests: 9120, Errors: 3, MeanLatency: 12 * time.Millisecond},
				{URL: "http://10.0.0.2:8080", Requests: 310, Errors: 310},
			}}
		d.Apply(data.Frame{Stats: api.Stats{Time: t0.Add(time.Duration(i+1) * time.Second), Tenants: []api.TenantStats{ts}}})
	}
	return d
}

func policy() detail.PolicyRead {
	return detail.PolicyRead{Slug: "acme", Policy: api.TenantPolicy{Tenant: "acme", Plan: "pro",
		Overrides: map[string]string{"rate": "200"},
		Effective: []api.PolicyValue{
			{Key: "burst", Value: "100", Source: "plan"}, {Key: "max_body", Value: "10MB", Source: "default"},
			{Key: "rate", Value: "200", Source: "tenant"},
		}}}
}

// records is n requests to acme: every fourth a 5xx, every third a 404.
func records(n int) logs.Records {
	var r logs.Records
	for i := range n {
		st := 200
		switch {
		case i%4 == 3:
			st = 502
		case i%3 == 2:
			st = 404
		}
		r.Recs = append(r.Recs, api.FollowRecord{Time: t0.Add(time.Duration(300+i) * time.Second), Tenant: "acme", Method: "GET",
			Host: "shop.acme.test", Path: fmt.Sprintf("/item/%d", i), Status: st, Duration: time.Duration(i+1) * time.Millisecond, BytesOut: 2048})
	}
	return r
}

// screenTest is the model under test on an emulated screen.
type screenTest struct{ *tuitest.Term }

// start runs the real root model over d with the detail screen of acme
// open, at w x h with the Ascii profile, and an emulated screen.
func start(t *testing.T, d *data.Model, w, h int) *screenTest {
	t.Helper()
	reg := []screen.Entry{tenants.Entry, detail.Entry}
	app := tui.NewApp(tui.NewEnv(d, nil, false, false), reg, "tenants", nil, fixedNow)
	s := &screenTest{tuitest.Start(t, app, w, h)}
	s.TM.Send(screen.Open{Name: "detail", Arg: "acme"})
	return s
}

// feed sends the policy, the log records and one more data update, and
// waits until the screen shows all of it.
func (s *screenTest) feed() {
	s.TM.Send(policy())
	s.TM.Send(records(12))
	s.TM.Send(data.Updated{What: "stats"})
	s.WaitFor("plan pro")
	s.WaitFor("/item/11")
}

// Ensure that the detail screen at 100x30 shows every section: charts with
// their axis, domains with reason and next step, backends with health,
// latency and last error, the policy, and the log tail (golden file).
func TestDetailScreen100x30(t *testing.T) {
	s := start(t, fixture(), 100, 30)
	s.feed()
	teatest.RequireEqualOutput(t, []byte(s.Screen()))
	s.Quit()
}

// Ensure that at 80x24 the sections still fit, stacked (golden file).
func TestDetailScreen80x24(t *testing.T) {
	s := start(t, fixture(), 80, 24)
	s.feed()
	screen := s.Screen()
	for _, want := range []string{"req/s", "5xx/s", "p99", "-5m", "now", "DOMAINS", "www.acme.test", "BACKENDS", "POLICY", "LOG"} {
		if !strings.Contains(screen, want) {
			t.Errorf("80x24 lost %q:\n%s", want, screen)
		}
	}
	teatest.RequireEqualOutput(t, []byte(screen))
	s.Quit()
}

func newModel(t *testing.T, d *data.Model) *detail.Model {
	t.Helper()
	m := detail.New(tui.NewEnv(d, nil, false, true), "acme").(*detail.Model)
	m.Init()
	return m
}

// Ensure that each section shows what the data says: the failed domain's
// reason and next step, the down backend's error and numbers from the
// stats line, the plan and overrides with their sources, and the charts'
// latest values.
func TestDetailSections(t *testing.T) {
	m := newModel(t, fixture())
	m.Update(policy())
	v := ansi.Strip(m.View(120, 40))
	for _, want := range []string{
		"acme Acme Inc. · active · plan pro",
		"www.acme.test   failed",
		"CNAME points elsewhere → set CNAME www.acme.test to acme.edge.test",
		"shop.acme.test  active      until 2026-04-30",
		"BACKENDS 2/3 healthy",
		"http://10.0.0.2:8080 default  unhealthy",
		"310 req   310 err dial tcp 10.0.0.2:8080: connection refused",
		"http://10.0.0.1:8080 default  healthy     12ms    9120 req     3 err",
		"POLICY plan pro · overrides rate=200",
		"in force: burst=100 (plan), rate=200 (tenant)",
		"max 109", "now 109", "max 80ms", "now 80ms", "now 3.0", // three-row charts at this height
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "max_body") {
		t.Errorf("view lists a default policy value:\n%s", v)
	}
}

// Ensure that s cycles the log tail's status class and the tail shows
// only that class, newest last; that records of another tenant are not
// kept; and that the dropped count appears.
func TestDetailLogFilter(t *testing.T) {
	m := newModel(t, fixture())
	r := records(12)
	r.Recs = append(r.Recs, api.FollowRecord{Tenant: "globex", Path: "/not-acme", Status: 200})
	r.Dropped = 7
	m.Update(r)
	tail := func() string {
		v := ansi.Strip(m.View(100, 30))
		return v[strings.Index(v, "LOG "):]
	}
	if got := tail(); !strings.Contains(got, "/item/0 ") || !strings.Contains(got, "/item/11") || strings.Contains(got, "/not-acme") ||
		!strings.Contains(got, "dropped 7") {
		t.Fatalf("unfiltered tail:\n%s", got)
	}
	for range 4 { // all -> 2xx -> 3xx -> 4xx -> 5xx
		m.Update(tea.KeyPressMsg{Code: 's', Text: "s"})
	}
	if m.Class() != 5 {
		t.Fatalf("class after four presses = %v, want 5xx", m.Class())
	}
	got := tail()
	for _, i := range []int{3, 7, 11} {
		if !strings.Contains(got, fmt.Sprintf("502 GET    shop.acme.test/item/%d ", i)) {
			t.Errorf("5xx tail lacks /item/%d:\n%s", i, got)
		}
	}
	if strings.Contains(got, " 200 ") || strings.Contains(got, " 404 ") {
		t.Errorf("5xx tail shows other classes:\n%s", got)
	}
	if strings.Index(got, "/item/3 ") > strings.Index(got, "/item/11") {
		t.Errorf("tail is not oldest first:\n%s", got)
	}
	m.Update(tea.KeyPressMsg{Code: 's', Text: "s"})
	if m.Class() != 0 {
		t.Errorf("class after a fifth press = %v, want all", m.Class())
	}
}

// Ensure that a policy the daemon refused is said in words, inline, and
// that a tenant that no longer exists is said instead of a blank screen.
func TestDetailErrorsInline(t *testing.T) {
	d := fixture()
	m := newModel(t, d)
	m.Update(detail.PolicyRead{Slug: "acme", Err: &api.Error{Status: 404, Msg: "tenant acme not found", Hint: "list tenants with foyer tenant list"}})
	if v := ansi.Strip(m.View(100, 30)); !strings.Contains(v, "cannot read the policy: tenant acme not found (list tenants with foyer tenant list)") {
		t.Errorf("policy error not shown:\n%s", v)
	}
	d.Apply(data.Lists{Time: t0.Add(time.Minute), Tenants: []api.Tenant{{Slug: "globex"}}})
	m.Update(data.Updated{What: "lists"})
	if v := ansi.Strip(m.View(100, 30)); !strings.Contains(v, "tenant acme does not exist (deleted?): esc goes back") {
		t.Errorf("gone tenant not said:\n%s", v)
	}
}

// Ensure that every width and height from tiny to wide renders exactly
// w x h cells (the root relies on it), including the split layout.
func TestDetailViewSize(t *testing.T) {
	m := newModel(t, fixture())
	m.Update(policy())
	m.Update(records(50))
	for _, sz := range [][2]int{{20, 5}, {80, 22}, {100, 28}, {139, 40}, {160, 50}, {220, 60}} {
		v := m.View(sz[0], sz[1])
		lines := strings.Split(v, "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w != sz[0] {
				t.Errorf("%dx%d: line %d is %d cells: %q", sz[0], sz[1], i, w, ansi.Strip(l))
				break
			}
		}
	}
	if v := ansi.Strip(m.View(160, 50)); !strings.Contains(v, " │ ") {
		t.Errorf("160 wide is not split:\n%s", v)
	}
}

// BenchmarkViewDetail is the frame after a stats line: the detail screen
// rebuilds its series and draws everything at 160x50 (split layout,
// three-row charts) with five minutes of history and a full log tail.
func BenchmarkViewDetail(b *testing.B) {
	m := detail.New(tui.NewEnv(fixture(), nil, false, false), "acme").(*detail.Model)
	m.Update(policy())
	m.Update(records(detail.TailSize))
	m.View(160, 50) // the log lines are drawn once per width
	b.ReportAllocs()
	for b.Loop() {
		m.Update(data.Updated{What: "stats"})
		_ = m.View(160, 50)
	}
}

// BenchmarkViewDetailUnchanged is a frame with nothing new since the last
// (most frames: the data changes about once a second).
func BenchmarkViewDetailUnchanged(b *testing.B) {
	m := detail.New(tui.NewEnv(fixture(), nil, false, false), "acme").(*detail.Model)
	m.Update(policy())
	m.Update(records(detail.TailSize))
	m.View(160, 50)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View(160, 50)
	}
}
