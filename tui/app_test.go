package tui

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/foyerhq/foyer/tui/data"
)

// onlcr maps "\n" to "\r\n" on the way to the emulator, as a terminal's
// ONLCR would: the renderer writes bare "\n" when its output is no tty.
type onlcr struct{ w io.Writer }

func (o onlcr) Write(p []byte) (int, error) {
	if _, err := o.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// screenTest runs the root model in a real tea.Program at a fixed size and
// colour profile, and keeps an emulated screen of its output.
type screenTest struct {
	t   *testing.T
	tm  *teatest.TestModel
	emu *vt.SafeEmulator
	r   io.Reader
}

func startScreen(t *testing.T, app *App, w, h int) *screenTest {
	t.Helper()
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	emu := vt.NewSafeEmulator(w, h)
	// Drain the emulator's replies to terminal queries (unread, Write
	// blocks). The goroutine ends with the test binary: vt v0.1.0's Close
	// races with a Read in progress (its own fields, unguarded).
	go io.Copy(io.Discard, emu)
	return &screenTest{t: t, tm: tm, emu: emu, r: io.TeeReader(tm.Output(), onlcr{emu})}
}

// waitFor waits until the emulated screen shows s.
func (s *screenTest) waitFor(want string) {
	s.t.Helper()
	teatest.WaitFor(s.t, s.r, func([]byte) bool { return strings.Contains(s.emu.String(), want) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

// quit presses q and waits for the program to end.
func (s *screenTest) quit() *App {
	s.t.Helper()
	s.tm.Type("q")
	return s.tm.FinalModel(s.t, teatest.WithFinalTimeout(5*time.Second)).(*App)
}

func newTestApp() (*App, *data.Model) {
	d := &data.Model{Socket: "admin.sock", Conn: data.Connected}
	return NewApp(NewEnv(d, nil, false, false), Screens(), Home, nil, fixedNow), d
}

// feedFixture sends the fixture's lists and frames as the feed would.
func (s *screenTest) feedFixture() {
	s.tm.Send(fixtureLists())
	for _, f := range fixtureFrames(40) {
		s.tm.Send(f)
	}
}

// Ensure that the tenants screen shows every tenant with its numbers,
// badges, health and spike mark at 100x30 (golden file).
func TestTenantsScreen100x30(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 100, 30)
	s.feedFixture()
	s.waitFor("! initech")
	s.waitFor("144") // acme's req/s in the last frame
	teatest.RequireEqualOutput(t, []byte(s.emu.String()))
	s.quit()
}

// Ensure that at 80x24 the tenants screen drops the less important columns
// and keeps name, req/s, 5xx, p99, domains and backends (golden file).
func TestTenantsScreen80x24(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 80, 24)
	s.feedFixture()
	s.waitFor("! initech")
	s.waitFor("144")
	screen := s.emu.String()
	for _, col := range []string{"NAME", "REQ/S", "5XX", "P99", "DOMAINS", "HEALTH", "LAST 60S"} {
		if !strings.Contains(screen, col) {
			t.Errorf("80x24 lost column %s:\n%s", col, screen)
		}
	}
	if strings.Contains(screen, "P50") {
		t.Errorf("80x24 kept P50, the first column to drop:\n%s", screen)
	}
	teatest.RequireEqualOutput(t, []byte(screen))
	s.quit()
}

// Ensure that a resize redraws at the new size: columns come back when the
// terminal widens.
func TestTenantsResize(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 80, 24)
	s.feedFixture()
	s.waitFor("! initech")
	s.emu.Resize(120, 30)
	s.tm.Send(tea.WindowSizeMsg{Width: 120, Height: 30})
	s.waitFor("P50")
	s.quit()
}

// Ensure that the header says "reconnecting..." while the feed has lost
// the daemon, and stops saying it once connected again.
func TestHeaderReconnecting(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 100, 30)
	s.tm.Send(fixtureLists())
	s.waitFor("acme")
	s.tm.Send(data.Conn{State: data.Reconnecting, Time: fixedNow()})
	s.waitFor("reconnecting...")
	s.tm.Send(data.Conn{State: data.Connected, Time: fixedNow()})
	s.tm.Send(fixtureFrames(1)[0])
	teatest.WaitFor(t, s.r, func([]byte) bool { return !strings.Contains(s.emu.String(), "reconnecting") },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	s.quit()
}

// Ensure that ? opens the help overlay with every key and the screens, and
// any key closes it; that : completes a screen name with tab; that enter
// on a tenant opens its detail screen and esc comes back; and that q quits.
func TestGlobalKeys(t *testing.T) {
	app, _ := newTestApp()
	s := startScreen(t, app, 100, 30)
	s.tm.Send(fixtureLists())
	s.waitFor("umbrella")
	s.tm.Type("?")
	s.waitFor("any key closes this help")
	s.waitFor("go to screen")
	s.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	s.waitFor("Tenants 4 of 4")
	s.tm.Type(":te")
	s.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	s.waitFor(":tenants")
	s.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	s.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	s.waitFor("BACKENDS 3/3 healthy") // acme's detail
	s.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	s.waitFor("Tenants 4 of 4")
	if got := s.quit().Top().Title(); got != "tenants" {
		t.Errorf("top screen after quit = %q, want tenants", got)
	}
}

// Ensure that a read-only console says so in the header.
func TestHeaderReadOnly(t *testing.T) {
	d := &data.Model{Socket: "admin.sock", Conn: data.Connected}
	app := NewApp(NewEnv(d, nil, true, false), Screens(), Home, nil, fixedNow)
	s := startScreen(t, app, 100, 30)
	s.tm.Send(fixtureLists())
	s.waitFor("read-only")
	s.quit()
}
