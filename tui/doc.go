// Package tui is `foyer tui`: the operator's console over a running
// daemon's admin socket. Run starts it; it reaches the daemon only through
// appliance/admin/api.
//
// # How it is built
//
//   - The feed (feed.go) keeps one GET /v1/watch stream open. A config line
//     schedules a debounced re-read of the lists (status, tenants, every
//     tenant's backends in one call, domains, certificates); a stats line (one a
//     second) becomes a data.Frame; an event line a data.EventLine and a
//     re-read. When the stream ends it reconnects with backoff and says so
//     (data.Conn: the header shows "reconnecting..."). It never polls.
//   - The root model (App, app.go) owns one *data.Model, applies each feed
//     message to it, then sends data.Updated to the screen on top. It keeps
//     a stack of screens, draws the header (version, screen path,
//     connection, totals, uptime, socket) and footer (the top screen's keys
//     and the global ones), and takes the global keys: esc back, : jump to a
//     screen by name (tab completes), ? help overlay, q or ctrl+c quit.
//   - tui/data is the shared read-only data: lists, a Series per tenant
//     (the latest api.TenantStats and a five-minute ring of one-second
//     samples for sparklines and charts, with Averages and Spiking), and
//     the recent event lines. tui/styles holds the Lip Gloss styles and
//     Fit/Box; tui/keymap the shared keys; tui/format numbers as text.
//
// # Adding a screen
//
// A screen is a package under tui/screens/ that implements screen.Screen
// (tui/screen/screen.go):
//
//	Init() tea.Cmd                          // first command, once when opened
//	Update(msg tea.Msg) (screen.Screen, tea.Cmd)
//	View(width, height int) string          // exactly width x height (styles.Box)
//	Title() string                          // shown in the header's path
//	Keys() []key.Binding                    // its own keys, for footer and help
//
// and exports an Entry{Name, Summary, New, NeedsArg}. Register it with one
// line in Screens (screens.go). New gets the *screen.Env (Data, Client,
// ReadOnly, Styles, Keys) and the argument it was opened with: enter on a
// tenant sends screen.Open{Name: "detail", Arg: slug}, so the detail
// screen's Entry is named "detail" and has NeedsArg set.
//
// The rules a screen keeps:
//
//   - Read Env.Data; never change it. Rebuild derived state (sorted or
//     filtered rows) on data.Updated, not in View: View runs every frame.
//   - No I/O in Update or View. Calls through Env.Client go in a tea.Cmd
//     that returns a message of the screen's own type; errors come back as
//     messages too and are shown inline (an *api.Error has Msg and Hint),
//     never a panic or an exit. Env.Client is nil in model tests.
//   - When Env.ReadOnly is set, offer no action that changes anything.
//   - Use the shared keys (Env.Keys.Nav: up/down/pgup/pgdn/g/G, enter, /)
//     and never rebind a global one (esc, :, ?, q). A screen that takes raw
//     typing (a filter prompt, a form) implements screen.Capturer; while
//     Capturing() is true it gets every key but ctrl+c.
//   - screen.Open, screen.Back and screen.Flash (or OpenCmd, BackCmd,
//     FlashCmd) ask the root to push a screen, pop this one, or show a
//     line in the footer.
//
// # Actions: opening a form
//
// Every change is a screen too: the forms of tui/screens/forms (add, edit,
// suspend, resume, delete a tenant; its backends, policy and API keys) and
// the custom-domain wizard of tui/screens/wizard, registered by
// forms.Entries and wizard.Entry. A screen that offers an action opens
// one by name with the tenant's slug as the argument:
//
//	return m, screen.OpenCmd("edit-tenant", slug)  // or add-domain, backends, policy, apikeys, delete-tenant...
//	return m, screen.OpenCmd("remove-backend", forms.Arg(slug, pool, url))
//
// The package comment of tui/screens/forms lists every name and its
// argument. Use the keys of Env.Keys.Actions (a add, e edit, s
// suspend/resume, x delete, d add domain, b backends, K API keys, p
// policy) so an action has the same key on every screen. Under
// Env.ReadOnly a form refuses by itself (it closes and says why in the
// footer), but a screen should also answer the key with
// screen.FlashCmd(forms.ReadOnlyMsg, true) and leave the actions out of
// its footer. A form closes with screen.Back and a line in the footer when
// the daemon accepted the change; the feed's next lists show it. After a
// change the screen below gets forms.Changed, to re-read what the feed
// does not carry (API keys).
//
// # Tests
//
// Model tests feed the root data messages (data.Lists, data.Frame,
// data.EventLine, data.Conn) built from api types, run it through teatest
// v2 with a pinned size and the Ascii colour profile, and compare the
// emulated screen (x/vt) with golden files, through tui/tuitest (one
// harness for every screen's tests; forms/formtest adds a minimal root and
// the real daemon on top of it).
package tui
