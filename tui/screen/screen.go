// Package screen is the contract between the TUI's root model and its
// screens (tui/doc.go tells the whole story). Each screen lives in its own
// package under tui/screens/, implements Screen, and is registered once in
// tui/screens.go by an Entry.
package screen

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/keymap"
	"github.com/foyerhq/foyer/tui/styles"
)

// Screen is one view of the TUI. The root calls its methods on Bubble Tea's
// one goroutine; a screen does no I/O in them: it returns a tea.Cmd for
// that (a call through Env.Client) and gets the result as a message.
type Screen interface {
	// Init returns the screen's first command (nil for none). It is called
	// once, when the screen is opened.
	Init() tea.Cmd
	// Update handles a message: a key the root did not take (esc reaches
	// the home screen, which has nothing to go back to), a
	// data.Updated after the feed changed Env.Data, a tea.WindowSizeMsg, or
	// the result of one of the screen's own commands. It returns the screen
	// (itself, changed) and a command.
	Update(msg tea.Msg) (Screen, tea.Cmd)
	// View renders the screen's body in exactly width x height cells (the
	// root draws the header and footer around it). It must be fast: it runs
	// every frame (budget: well under a millisecond with 1,000 tenants).
	View(width, height int) string
	// Title is the screen's name in the header ("tenants", "acme").
	Title() string
	// Keys lists the screen's own bindings for the footer and the help
	// overlay (the global ones are added by the root).
	Keys() []key.Binding
}

// Capturer is implemented by a screen that takes raw typing at times (a
// filter prompt, a form). While Capturing is true the root passes every key
// to the screen except ctrl+c: q, esc, :, ? are the screen's.
type Capturer interface {
	Capturing() bool
}

// Helper is implemented by a screen with more keys than fit in the footer:
// the help overlay lists HelpKeys instead of Keys.
type Helper interface {
	HelpKeys() []key.Binding
}

// Env is what every screen gets from the root. Data is shared and
// read-only: only the root changes it, between calls to the screens.
type Env struct {
	Data     *data.Model
	Client   *api.Client // nil in model tests with a fake feed: a screen must then not call it
	ReadOnly bool        // foyer tui --readonly: no screen may change anything
	Styles   styles.Styles
	Keys     keymap.Keys
}

// Entry registers a screen under a name for `:` and Open.
type Entry struct {
	Name    string // what `:` completes, lower case ("tenants", "domains")
	Summary string // one line for the help overlay
	// New opens the screen. arg is what Open carried (a tenant slug for
	// "detail"; "" when jumped to with `:`).
	New func(env *Env, arg string) Screen
	// NeedsArg is true for a screen that cannot open without an arg (not
	// offered by `:`).
	NeedsArg bool
}

// Open asks the root to push the screen registered as Name, opened with Arg
// (enter on a row: Open{Name: "detail", Arg: slug}).
type Open struct {
	Name string
	Arg  string
}

// Back asks the root to pop the current screen (as esc does).
type Back struct{}

// Flash asks the root to show a one-line message in the footer until the
// next key; Err shows it as an error.
type Flash struct {
	Text string
	Err  bool
}

// OpenCmd returns a command that sends Open.
func OpenCmd(name, arg string) tea.Cmd { return func() tea.Msg { return Open{Name: name, Arg: arg} } }

// BackCmd returns a command that sends Back.
func BackCmd() tea.Msg { return Back{} }

// FlashCmd returns a command that shows text in the footer.
func FlashCmd(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return Flash{Text: text, Err: isErr} }
}
