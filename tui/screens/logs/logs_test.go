package logs_test

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
	"github.com/foyerhq/foyer/tui/screens/logs"
	"github.com/foyerhq/foyer/tui/screens/tenants"
	"github.com/foyerhq/foyer/tui/tuitest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return t0.Add(62 * time.Minute) }

func lists() data.Lists {
	return data.Lists{Time: t0, Status: api.Status{Version: "v0.9.0", Started: t0},
		Tenants: []api.Tenant{{Slug: "acme", State: "active"}, {Slug: "globex", State: "active"}, {Slug: "initech", State: "active"}}}
}

// records is n requests cycling over three tenants, statuses 200, 301,
// 404, 503 and an unanswered one, and paths /api/... and /static/....
func records(n int) logs.Records {
	tenants := []string{"acme", "globex", "initech"}
	statuses := []int{200, 301, 404, 503, 200, 0}
	var r logs.Records
	for i := range n {
		p := fmt.Sprintf("/api/v1/orders/%d", i)
		if i%2 == 1 {
			p = fmt.Sprintf("/static/app-%d.js", i)
		}
		r.Recs = append(r.Recs, api.FollowRecord{Time: t0.Add(time.Duration(i) * time.Second), Tenant: tenants[i%3], Method: "GET",
			Host: tenants[i%3] + ".test", Path: p, Status: statuses[i%6], Duration: time.Duration(i%40+1) * time.Millisecond, BytesOut: int64(512 * (i%5 + 1))})
	}
	return r
}

// screenTest is the model under test on an emulated screen.
type screenTest struct{ *tuitest.Term }

// start runs the real root model with the logs screen open at w x h with
// the Ascii profile, and an emulated screen.
func start(t *testing.T, w, h int) *screenTest {
	t.Helper()
	d := &data.Model{Socket: "admin.sock", Conn: data.Connected}
	app := tui.NewApp(tui.NewEnv(d, nil, false, false), []screen.Entry{tenants.Entry, logs.Entry}, "tenants", nil, fixedNow)
	s := &screenTest{tuitest.Start(t, app, w, h)}
	s.TM.Send(lists())
	s.TM.Send(screen.Open{Name: "logs"})
	return s
}

// Ensure that the logs screen at 100x30 shows the filters in its title,
// the newest records that fit and the dropped count (golden file).
func TestLogsScreen100x30(t *testing.T) {
	s := start(t, 100, 30)
	r := records(40)
	r.Dropped = 3
	s.TM.Send(r)
	s.TM.Type("s") // 2xx
	s.WaitFor("status=2xx")
	s.WaitFor("/api/v1/orders/36")
	teatest.RequireEqualOutput(t, []byte(s.Screen()))
	s.Quit()
}

// Ensure that at 80x24 the columns still fit, the path shortened
// (golden file), with a tenant filter typed at the prompt.
func TestLogsScreen80x24(t *testing.T) {
	s := start(t, 80, 24)
	s.TM.Send(records(60))
	s.TM.Type("tacme")
	s.TM.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	s.WaitFor("20 of 60")
	teatest.RequireEqualOutput(t, []byte(s.Screen()))
	s.Quit()
}

func newModel(t *testing.T, n int) *logs.Model {
	t.Helper()
	d := &data.Model{}
	d.Apply(lists())
	return logs.NewSize(tui.NewEnv(d, nil, false, true), n)
}

func press(m *logs.Model, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "space":
			msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
		default:
			msg = tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
		}
		m.Update(msg)
	}
}

// lines are the record lines on screen (after the title and headings).
func lines(m *logs.Model) []string {
	all := strings.Split(ansi.Strip(m.View(100, 200)), "\n")[2:]
	var out []string
	for _, l := range all {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	return out
}

// Ensure that each filter (tenant, status class, path substring) keeps
// only matching records, that they combine, that a record without a status
// counts as 5xx, that new records are filtered as they come, and that c
// clears every filter.
func TestLogsFilters(t *testing.T) {
	m := newModel(t, 100)
	m.Update(records(60))
	if m.Shown() != 60 {
		t.Fatalf("shown %d of 60 with no filter", m.Shown())
	}
	press(m, "t", "i", "n", "i", "t", "e", "c", "h", "enter")
	for _, l := range lines(m) {
		if !strings.Contains(l, " initech ") {
			t.Fatalf("tenant filter let through %q", l)
		}
	}
	if m.Shown() != 20 {
		t.Errorf("initech: %d shown, want 20", m.Shown())
	}
	press(m, "s", "s", "s", "s") // 5xx: initech's unanswered requests (i%6 == 5)
	if m.Shown() != 10 {
		t.Errorf("initech 5xx: %d shown, want 10", m.Shown())
	}
	for _, l := range lines(m) {
		if !strings.Contains(l, " --- ") {
			t.Errorf("5xx filter let through %q", l)
		}
	}
	press(m, "/", "a", "p", "p", "-", "5", "enter") // app-5, app-53, app-59
	if m.Shown() != 3 {
		t.Errorf("path app-5: %d shown, want 3: %q", m.Shown(), lines(m))
	}
	for _, l := range lines(m) {
		if !strings.Contains(l, "/static/app-5") {
			t.Errorf("path filter let through %q", l)
		}
	}
	m.Update(logs.Records{Recs: []api.FollowRecord{
		{Tenant: "initech", Path: "/static/app-5x.css", Status: 500},
		{Tenant: "initech", Path: "/api/new", Status: 500},
		{Tenant: "acme", Path: "/static/app-5x.css", Status: 500},
		{Tenant: "initech", Path: "/static/app-5y.css", Status: 200},
	}})
	if m.Shown() != 4 {
		t.Errorf("after four new records %d shown, want 4 (one matches)", m.Shown())
	}
	press(m, "c")
	if m.Shown() != 64 {
		t.Errorf("after c: %d shown, want 64", m.Shown())
	}
}

// Ensure that the screen keeps only the newest records (the ring is
// bounded), oldest first on screen, and that filtering after the fact
// sees only what is kept.
func TestLogsRingBound(t *testing.T) {
	m := newModel(t, 50)
	for range 10 {
		m.Update(records(30))
	}
	if m.Len() != 50 || m.Shown() != 50 {
		t.Fatalf("kept %d (shown %d), want 50", m.Len(), m.Shown())
	}
	ls := lines(m)
	if len(ls) != 50 || !strings.Contains(ls[0], "/api/v1/orders/10") || !strings.Contains(ls[49], "/static/app-29.js") {
		t.Errorf("kept lines %d, first %q, last %q", len(ls), ls[0], ls[len(ls)-1])
	}
	press(m, "s") // 2xx among the kept only (i%6 is 0 or 4): 7 in 10..29 of one batch, 10 in 0..29 of the next
	if m.Shown() != 17 {
		t.Errorf("2xx among the kept: %d, want 17", m.Shown())
	}
}

// Ensure that space pauses (the view holds still while records arrive,
// with a count of the new ones), that scrolling up moves back in time,
// and that space again resumes at the newest record.
func TestLogsPause(t *testing.T) {
	m := newModel(t, 500)
	m.Update(records(10))
	press(m, "space")
	if !m.Paused() {
		t.Fatal("space did not pause")
	}
	m.Update(logs.Records{Recs: []api.FollowRecord{{Tenant: "acme", Path: "/while-paused", Status: 200}}, Dropped: 4})
	v := ansi.Strip(m.View(100, 20))
	if strings.Contains(v, "/while-paused") || !strings.Contains(v, "PAUSED (+1)") || !strings.Contains(v, "dropped 4") {
		t.Errorf("paused view:\n%s", v)
	}
	m.View(100, 6) // four record lines
	press(m, "up", "up")
	v = ansi.Strip(m.View(100, 6))
	if !strings.Contains(v, "/api/v1/orders/4") || strings.Contains(v, "/static/app-9.js") {
		t.Errorf("scrolled view:\n%s", v)
	}
	press(m, "space")
	if v := ansi.Strip(m.View(100, 20)); m.Paused() || !strings.Contains(v, "/while-paused") || !strings.Contains(v, "following") {
		t.Errorf("resumed view (paused %v):\n%s", m.Paused(), v)
	}
	if m.Dropped() != 4 {
		t.Errorf("dropped %d, want 4", m.Dropped())
	}
}

// Ensure that the ring keeps the newest values in order when it wraps.
func TestRing(t *testing.T) {
	r := logs.NewRing[int](3)
	for i := range 7 {
		r.Push(i)
	}
	if r.Len() != 3 || r.Total() != 7 || r.At(0) != 4 || r.At(2) != 6 {
		t.Errorf("ring len %d total %d values %d %d %d", r.Len(), r.Total(), r.At(0), r.At(1), r.At(2))
	}
	r.Reset()
	r.Push(9)
	if r.Len() != 1 || r.At(0) != 9 {
		t.Errorf("after reset: len %d first %d", r.Len(), r.At(0))
	}
}

// BenchmarkViewLogs is one frame of the logs screen at 160x50 with a full
// ring of 2,000 records and a path filter.
func BenchmarkViewLogs(b *testing.B) {
	d := &data.Model{}
	m := logs.NewSize(tui.NewEnv(d, nil, false, false), logs.RingSize)
	for range 10 {
		m.Update(records(logs.RingSize / 5))
	}
	press(m, "/", "a", "p", "i", "enter")
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View(160, 50)
	}
}
