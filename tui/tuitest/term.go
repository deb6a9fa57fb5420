// Package tuitest runs a Bubble Tea model in a real tea.Program (teatest
// v2) at a fixed size and the Ascii colour profile, and keeps an emulated
// screen of its output (charmbracelet/x/vt), so tests assert on what a
// person would see and compare it with golden files. It is test support,
// like store/storetest: only tests import it.
package tuitest

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
)

// Term is a model running at a fixed size with an emulated screen.
type Term struct {
	T   *testing.T
	TM  *teatest.TestModel
	emu *vt.SafeEmulator
	r   io.Reader
}

// Start runs m at w x h cells with the Ascii profile.
func Start(t *testing.T, m tea.Model, w, h int) *Term {
	t.Helper()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	emu := vt.NewSafeEmulator(w, h)
	// Drain the emulator's replies to terminal queries (unread, Write
	// blocks). The goroutine ends with the test binary: vt v0.1.0's Close
	// races with a Read in progress (its own fields, unguarded).
	go io.Copy(io.Discard, emu)
	return &Term{T: t, TM: tm, emu: emu, r: io.TeeReader(tm.Output(), onlcr{emu})}
}

// onlcr maps "\n" to "\r\n" on the way to the emulator, as a terminal's
// ONLCR would: the renderer writes bare "\n" when its output is no tty.
type onlcr struct{ w io.Writer }

func (o onlcr) Write(p []byte) (int, error) {
	if _, err := o.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WaitUntil waits until cond holds for the emulated screen (at most 15 s).
func (s *Term) WaitUntil(cond func(screen string) bool) {
	s.T.Helper()
	teatest.WaitFor(s.T, s.r, func([]byte) bool { return cond(s.emu.String()) },
		teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

// WaitFor waits until the emulated screen shows want.
func (s *Term) WaitFor(want string) {
	s.T.Helper()
	s.WaitUntil(func(screen string) bool { return strings.Contains(screen, want) })
}

// Screen is the emulated screen's text.
func (s *Term) Screen() string { return s.emu.String() }

// Resize changes the emulated screen's size (send the program a
// tea.WindowSizeMsg too).
func (s *Term) Resize(w, h int) { s.emu.Resize(w, h) }

// Golden compares the screen with testdata/<TestName>.golden (-update
// writes it).
func (s *Term) Golden() {
	s.T.Helper()
	teatest.RequireEqualOutput(s.T, []byte(s.emu.String()))
}

// Type types text, one key a rune.
func (s *Term) Type(text string) { s.TM.Type(text) }

// Press sends key presses by name (see Key).
func (s *Term) Press(keys ...string) {
	for _, k := range keys {
		s.TM.Send(Key(k))
	}
}

// Key is the key press named k: enter, esc, tab, up, down, backspace, or
// a single character.
func Key(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// Quit presses ctrl+c and returns the model as the program ended.
func (s *Term) Quit() tea.Model {
	s.T.Helper()
	s.TM.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	return s.TM.FinalModel(s.T, teatest.WithFinalTimeout(5*time.Second))
}
