package tui

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Ensure that the help overlay fits the terminal at 80x24 and 100x30 and
// still shows the home screen's last key, the global keys and the way out.
func TestHelpFits(t *testing.T) {
	app, _ := newTestApp()
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {160, 50}} {
		w, h := sz[0], sz[1]
		v := app.helpView(w, h)
		if got := lipgloss.Height(v); got != h {
			t.Errorf("%dx%d: help is %d lines", w, h, got)
		}
		for i, l := range strings.Split(v, "\n") {
			if lw := ansi.StringWidth(l); lw > w {
				t.Errorf("%dx%d: line %d is %d cells wide: %q", w, h, i, lw, ansi.Strip(l))
			}
		}
		plain := ansi.Strip(v)
		for _, want := range []string{"sort by health", "quit", "go to screen", "any key closes this help"} {
			if !strings.Contains(plain, want) {
				t.Errorf("%dx%d: help lacks %q:\n%s", w, h, want, plain)
			}
		}
	}
}
