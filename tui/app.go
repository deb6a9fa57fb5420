package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
)

// App is the root model: it owns the shared data, applies the feed's
// messages to it, keeps the stack of open screens, draws the header and
// footer, and handles the global keys (esc, :, ?, q). Everything else goes
// to the screen on top.
type App struct {
	env      *screen.Env
	registry []screen.Entry
	stack    []screen.Screen
	feed     <-chan tea.Msg // nil: no feed (model tests send data messages themselves)
	now      func() time.Time

	width, height int
	help          bool   // the help overlay is shown
	prompt        bool   // the `:` prompt is open
	input         string // what was typed at the prompt
	flash         screen.Flash
}

// feedMsg wraps a message read from the feed, so the root knows to read
// the next one (a data message sent by a test is applied without it).
type feedMsg struct{ msg tea.Msg }

// feedClosed says the feed's channel is closed (the program is ending).
type feedClosed struct{}

// NewApp returns the root model over env with the registered screens,
// showing home (a registry name) first. feed may be nil; now may be nil
// (time.Now).
func NewApp(env *screen.Env, registry []screen.Entry, home string, feed <-chan tea.Msg, now func() time.Time) *App {
	if now == nil {
		now = time.Now
	}
	a := &App{env: env, registry: registry, feed: feed, now: now, width: 80, height: 24}
	if e, ok := a.entry(home); ok {
		a.stack = []screen.Screen{e.New(env, "")}
	}
	return a
}

// Top is the screen on top of the stack (nil if none).
func (a *App) Top() screen.Screen {
	if len(a.stack) == 0 {
		return nil
	}
	return a.stack[len(a.stack)-1]
}

// Init starts the home screen and the feed reader.
func (a *App) Init() tea.Cmd {
	var cmd tea.Cmd
	if t := a.Top(); t != nil {
		cmd = t.Init()
	}
	return tea.Batch(cmd, a.waitFeed())
}

// waitFeed reads the next feed message (re-armed after each).
func (a *App) waitFeed() tea.Cmd {
	if a.feed == nil {
		return nil
	}
	ch := a.feed
	return func() tea.Msg {
		m, ok := <-ch
		if !ok {
			return feedClosed{}
		}
		return feedMsg{m}
	}
}

// Update routes one message.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case feedMsg:
		cmd := a.apply(msg.msg)
		return a, tea.Batch(cmd, a.waitFeed())
	case feedClosed:
		return a, nil
	case data.Lists, data.Frame, data.EventLine, data.Conn:
		return a, a.apply(msg)
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		return a, a.toTop(msg)
	case screen.Open:
		return a, a.open(msg)
	case screen.Back:
		a.back()
		return a, nil
	case screen.Flash:
		a.flash = msg
		return a, nil
	case tea.KeyPressMsg:
		return a.key(msg)
	}
	return a, a.toTop(msg)
}

// apply changes the shared data by a feed message and tells the top screen.
func (a *App) apply(msg tea.Msg) tea.Cmd {
	what := a.env.Data.Apply(msg)
	if what == "" {
		return a.toTop(msg)
	}
	return a.toTop(data.Updated{What: what})
}

// toTop hands msg to the screen on top.
func (a *App) toTop(msg tea.Msg) tea.Cmd {
	t := a.Top()
	if t == nil {
		return nil
	}
	t, cmd := t.Update(msg)
	a.stack[len(a.stack)-1] = t
	return cmd
}

func (a *App) entry(name string) (screen.Entry, bool) {
	for _, e := range a.registry {
		if e.Name == name {
			return e, true
		}
	}
	return screen.Entry{}, false
}

// open pushes the screen msg names.
func (a *App) open(msg screen.Open) tea.Cmd {
	e, ok := a.entry(msg.Name)
	if !ok {
		a.flash = screen.Flash{Text: fmt.Sprintf("no screen named %q (not built yet, or a typo): try : and tab", msg.Name), Err: true}
		return nil
	}
	if e.NeedsArg && msg.Arg == "" {
		a.flash = screen.Flash{Text: fmt.Sprintf("%s needs a selection: open it with enter on a row", msg.Name), Err: true}
		return nil
	}
	s := e.New(a.env, msg.Arg)
	a.stack = append(a.stack, s)
	return tea.Batch(s.Init(), a.toTop(tea.WindowSizeMsg{Width: a.width, Height: a.bodyHeight()}))
}

// back pops the top screen; the home screen stays.
func (a *App) back() {
	if len(a.stack) > 1 {
		a.stack = a.stack[:len(a.stack)-1]
	}
}

// key handles the global keys, else passes the key to the top screen.
func (a *App) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	a.flash = screen.Flash{}
	k := a.env.Keys
	if msg.String() == "ctrl+c" {
		return a, tea.Quit
	}
	if a.help {
		a.help = false
		return a, nil
	}
	if a.prompt {
		return a, a.promptKey(msg)
	}
	if c, ok := a.Top().(screen.Capturer); ok && c.Capturing() {
		return a, a.toTop(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return a, tea.Quit
	case key.Matches(msg, k.Back) && len(a.stack) > 1:
		a.back()
		return a, nil
	case key.Matches(msg, k.Command):
		a.prompt, a.input = true, ""
		return a, nil
	case key.Matches(msg, k.Help):
		a.help = true
		return a, nil
	}
	return a, a.toTop(msg)
}

// promptKey edits the `:` prompt: tab completes, enter opens, esc cancels.
func (a *App) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		a.prompt = false
	case "enter":
		a.prompt = false
		name := strings.TrimSpace(a.input)
		if c := a.completions(name); len(c) == 1 {
			name = c[0]
		}
		if name == "" {
			return nil
		}
		if t := a.Top(); t != nil && t.Title() == name && len(a.stack) == 1 {
			return nil
		}
		return a.open(screen.Open{Name: name})
	case "tab":
		if c := a.completions(a.input); len(c) > 0 {
			a.input = commonPrefix(c)
		}
	case "backspace":
		if a.input != "" {
			a.input = a.input[:len(a.input)-1]
		}
	default:
		if msg.Text != "" {
			a.input += msg.Text
		}
	}
	return nil
}

// completions lists the screen names `:` can jump to that start with p.
func (a *App) completions(p string) []string {
	var out []string
	for _, e := range a.registry {
		if !e.NeedsArg && strings.HasPrefix(e.Name, p) {
			out = append(out, e.Name)
		}
	}
	sort.Strings(out)
	return out
}

func commonPrefix(ss []string) string {
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

func (a *App) bodyHeight() int { return max(a.height-2, 0) }

// View draws header, the top screen (or the help overlay) and footer.
func (a *App) View() tea.View {
	w, h := a.width, a.bodyHeight()
	var body string
	switch t := a.Top(); {
	case a.help:
		body = a.helpView(w, h)
	case t != nil:
		body = t.View(w, h)
	default:
		body = styles.Box("no screens registered", w, h)
	}
	v := tea.NewView(a.header() + "\n" + body + "\n" + a.footer())
	v.AltScreen = true
	v.WindowTitle = "foyer"
	return v
}
