package screen

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/tui/keymap"
)

// Ensure that the list keeps its cursor in range and in view, and that
// the filter prompt edits, keeps and clears the filter.
func TestList(t *testing.T) {
	k := keymap.Default()
	l := List{Height: 3}
	press := func(code rune, text string) tea.KeyPressMsg { return tea.KeyPressMsg{Code: code, Text: text} }
	for range 5 {
		l.NavKey(k, press(tea.KeyDown, ""), 4)
	}
	if l.Cursor != 3 || l.Offset != 1 {
		t.Fatalf("after 5 downs over 4 rows: cursor %d offset %d, want 3 and 1", l.Cursor, l.Offset)
	}
	l.NavKey(k, press(tea.KeyHome, ""), 4)
	if handled, _ := l.NavKey(k, press('g', "g"), 4); !handled || l.Cursor != 0 || l.Offset != 0 {
		t.Fatalf("top: cursor %d offset %d", l.Cursor, l.Offset)
	}
	if handled, _ := l.NavKey(k, press('/', "/"), 4); !handled || !l.Typing {
		t.Fatal("/ did not open the prompt")
	}
	for _, r := range "ab" {
		if !l.TypeKey(press(r, string(r))) {
			t.Fatalf("typing %c changed nothing", r)
		}
	}
	l.TypeKey(press(tea.KeyBackspace, ""))
	if l.TypeKey(press(tea.KeyEnter, "")) || l.Typing || l.Filter != "a" {
		t.Fatalf("after enter: typing %v filter %q", l.Typing, l.Filter)
	}
	if handled, refilter := l.NavKey(k, press(tea.KeyEscape, ""), 4); !handled || !refilter || l.Filter != "" {
		t.Fatalf("esc: handled %v refilter %v filter %q", handled, refilter, l.Filter)
	}
	if handled, _ := l.NavKey(k, press(tea.KeyEscape, ""), 4); handled {
		t.Fatal("esc with no filter was taken by the list (the screen's back key must get it)")
	}
	if l.Move(0, 0); l.Cursor != 0 || l.Offset != 0 {
		t.Fatalf("empty list: cursor %d offset %d", l.Cursor, l.Offset)
	}
}
