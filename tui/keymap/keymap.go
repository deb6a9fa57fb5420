// Package keymap holds the keys every screen shares, k9s-like: enter drills
// down, esc goes back, / filters, : jumps to a screen by name, ? shows every
// key, q quits. A screen adds its own bindings beside these and lists them
// in its Keys(); it never reuses a global key for something else.
package keymap

import "charm.land/bubbles/v2/key"

// Global is the keys the root handles on every screen.
type Global struct {
	Quit    key.Binding
	Back    key.Binding
	Command key.Binding
	Help    key.Binding
}

// Nav is the keys screens use to move through a list; screens share them so
// the same key does the same thing everywhere.
type Nav struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Enter    key.Binding
	Filter   key.Binding
}

// Keys is the whole shared key map.
type Keys struct {
	Global
	Nav
}

// Default returns the shared key map.
func Default() Keys {
	return Keys{
		Global: Global{
			Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
			Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
			Command: key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "go to screen")),
			Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		},
		Nav: Nav{
			Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
			PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
			Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
			Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
			Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
			Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		},
	}
}

// List returns the global bindings, for the help overlay.
func (g Global) List() []key.Binding { return []key.Binding{g.Back, g.Command, g.Help, g.Quit} }

// List returns the navigation bindings, for the help overlay.
func (n Nav) List() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Top, n.Bottom, n.Enter, n.Filter}
}
