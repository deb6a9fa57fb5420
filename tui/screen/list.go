package screen

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/tui/keymap"
)

// List is the cursor, scroll offset and filter prompt every list screen
// shares. A screen embeds it, sets Height to its visible rows, and calls
// NavKey and TypeKey from Update; it refilters when they say the filter
// changed.
type List struct {
	Cursor int    // the selected row, in the filtered view
	Offset int    // the first visible row
	Height int    // visible rows
	Filter string // what `/` typed
	Typing bool   // the filter prompt is open
}

// Move moves the cursor by n over rows rows and keeps it in view.
func (l *List) Move(n, rows int) {
	l.Cursor = min(max(l.Cursor+n, 0), max(rows-1, 0))
	l.Scroll(rows)
}

// Scroll keeps the cursor in view.
func (l *List) Scroll(rows int) {
	h := max(l.Height, 1)
	if l.Cursor < l.Offset {
		l.Offset = l.Cursor
	}
	if l.Cursor >= l.Offset+h {
		l.Offset = l.Cursor - h + 1
	}
	l.Offset = max(min(l.Offset, max(rows-h, 0)), 0)
}

// NavKey applies a list key to a view of rows rows: up, down, page up and
// down, top, bottom, `/` (opens the prompt) and esc (clears a filter). It
// reports whether msg was one of them and whether the filter changed.
func (l *List) NavKey(k keymap.Keys, msg tea.KeyPressMsg, rows int) (handled, refilter bool) {
	switch {
	case key.Matches(msg, k.Up):
		l.Move(-1, rows)
	case key.Matches(msg, k.Down):
		l.Move(1, rows)
	case key.Matches(msg, k.PageUp):
		l.Move(-max(l.Height, 1), rows)
	case key.Matches(msg, k.PageDown):
		l.Move(max(l.Height, 1), rows)
	case key.Matches(msg, k.Top):
		l.Move(-rows, rows)
	case key.Matches(msg, k.Bottom):
		l.Move(rows, rows)
	case key.Matches(msg, k.Filter):
		l.Typing = true
	case key.Matches(msg, k.Back) && l.Filter != "":
		l.Filter = ""
		return true, true
	default:
		return false, false
	}
	return true, false
}

// TypeKey edits the filter while the prompt is open: enter keeps it, esc
// clears it, backspace deletes a character. It reports whether the filter
// changed.
func (l *List) TypeKey(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "enter":
		l.Typing = false
		return false
	case "esc":
		l.Typing = false
		if l.Filter == "" {
			return false
		}
		l.Filter = ""
	case "backspace":
		if l.Filter == "" {
			return false
		}
		r := []rune(l.Filter)
		l.Filter = string(r[:len(r)-1])
	default:
		if msg.Text == "" {
			return false
		}
		l.Filter += msg.Text
	}
	return true
}
