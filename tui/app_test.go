package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/tuitest"
)

// screenTest is the model under test on an emulated screen.
type screenTest struct{ *tuitest.Term }

func startScreen(t *testing.T, app *App, w, h int) *screenTest {
	t.Helper()
	return &screenTest{tuitest.Start(t, app, w, h)}
}

func newTestApp() (*App, *data.Model) {
	d := &data.Model{Socket: "admin.sock", Conn: data.Connected}
	return NewApp(NewEnv(d, nil, false, false), Screens(), Home, nil, fixedNow), d
}

// feedFixture sends the fixture's lists and frames as the feed would.
func (s *screenTest) feedFixture() {
	s.TM.Send(fixtureLists())
	for _, f := range fixtureFrames(40) {
		s.TM.Send(f)
	}
}

// Ensure that the tenants screen shows every tenant with its numbers,
// badges, health and spike mark at 100x30 (golden file).
func TestTenantsScreen100x30(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 100, 30)
	s.feedFixture()
	s.WaitFor("! initech")
	s.WaitFor("144") // acme's req/s in the last frame
	teatest.RequireEqualOutput(t, []byte(s.Screen()))
	s.Quit()
}

// Ensure that at 80x24 the tenants screen drops the less important columns
// and keeps name, req/s, 5xx, p99, domains and backends (golden file).
func TestTenantsScreen80x24(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 80, 24)
	s.feedFixture()
	s.WaitFor("! initech")
	s.WaitFor("144")
	screen := s.Screen()
	for _, col := range []string{"NAME", "REQ/S", "5XX", "P99", "DOMAINS", "HEALTH", "LAST 60S"} {
		if !strings.Contains(screen, col) {
			t.Errorf("80x24 lost column %s:\n%s", col, screen)
		}
	}
	if strings.Contains(screen, "P50") {
		t.Errorf("80x24 kept P50, the first column to drop:\n%s", screen)
	}
	teatest.RequireEqualOutput(t, []byte(screen))
	s.Quit()
}

// Ensure that a resize redraws at the new size: columns come back when the
// terminal widens.
func TestTenantsResize(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 80, 24)
	s.feedFixture()
	s.WaitFor("! initech")
	s.Resize(120, 30)
	s.TM.Send(tea.WindowSizeMsg{Width: 120, Height: 30})
	s.WaitFor("P50")
	s.Quit()
}

// Ensure that the header says "reconnecting..." while the feed has lost
// the daemon, and stops saying it once connected again.
func TestHeaderReconnecting(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 100, 30)
	s.TM.Send(fixtureLists())
	s.WaitFor("acme")
	s.TM.Send(data.Conn{State: data.Reconnecting, Time: fixedNow()})
	s.WaitFor("reconnecting...")
	s.TM.Send(data.Conn{State: data.Connected, Time: fixedNow()})
	s.TM.Send(fixtureFrames(1)[0])
	s.WaitUntil(func(screen string) bool { return !strings.Contains(screen, "reconnecting") })
	s.Quit()
}

// Ensure that ? opens the help overlay with every key and the screens, and
// any key closes it; that : completes a screen name with tab; that enter
// on a tenant opens its detail screen and esc comes back; and that q quits.
func TestGlobalKeys(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 100, 30)
	s.TM.Send(fixtureLists())
	s.WaitFor("umbrella")
	s.TM.Type("?")
	s.WaitFor("any key closes this help")
	s.WaitFor("go to screen")
	s.TM.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	s.WaitFor("Tenants 4 of 4")
	s.TM.Type(":te")
	s.TM.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	s.WaitFor(":tenants")
	s.TM.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	s.TM.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	s.WaitFor("BACKENDS 3/3 healthy") // acme's detail
	s.TM.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	s.WaitFor("Tenants 4 of 4")
	if got := s.Quit().(*App).Top().Title(); got != "tenants" {
		t.Errorf("top screen after quit = %q, want tenants", got)
	}
}

// Ensure that a read-only console says so in the header.
func TestHeaderReadOnly(t *testing.T) {
	d := &data.Model{Socket: "admin.sock", Conn: data.Connected}
	app := NewApp(NewEnv(d, nil, true, false), Screens(), Home, nil, fixedNow)
	s := startScreen(t, app, 100, 30)
	s.TM.Send(fixtureLists())
	s.WaitFor("read-only")
	s.Quit()
}
