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

// Actions is the keys that change a tenant, on the tenants list (a
// tenant's detail screen uses s for its log filter and opens no forms
// yet). Each opens a form of
// tui/screens/forms (or the domain wizard); under --readonly each says so
// in the footer instead. Upper-case letters are the lists' sort keys and
// j/k move, so delete is x and the API keys are K.
type Actions struct {
	Add      key.Binding // a: add a tenant
	Edit     key.Binding // e: its name and plan
	Suspend  key.Binding // s: suspend, or resume a suspended one
	Delete   key.Binding // x: delete (confirmed)
	Domain   key.Binding // d: the custom-domain wizard
	Backends key.Binding // b: its backends (add, remove, drain)
	APIKeys  key.Binding // K: its API keys (create, revoke)
	Policy   key.Binding // p: its policy (KEY=VALUE)
}

// Keys is the whole shared key map.
type Keys struct {
	Global
	Nav
	Actions
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
		Actions: Actions{
			Add:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add tenant")),
			Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
			Suspend:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "suspend/resume")),
			Delete:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "delete")),
			Domain:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "add domain")),
			Backends: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "backends")),
			APIKeys:  key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "API keys")),
			Policy:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "policy")),
		},
	}
}

// List returns the global bindings, for the help overlay.
func (g Global) List() []key.Binding { return []key.Binding{g.Back, g.Command, g.Help, g.Quit} }

// List returns the navigation bindings, for the help overlay.
func (n Nav) List() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Top, n.Bottom, n.Enter, n.Filter}
}

// List returns the action bindings, for the help overlay.
func (a Actions) List() []key.Binding {
	return []key.Binding{a.Add, a.Edit, a.Suspend, a.Delete, a.Domain, a.Backends, a.APIKeys, a.Policy}
}
