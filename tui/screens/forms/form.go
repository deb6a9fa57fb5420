package forms

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
)

// CallTimeout bounds each call a form makes to the daemon.
const CallTimeout = 15 * time.Second

// Field describes one input of a Form.
type Field struct {
	Key         string // matched against an *api.Error's Field suffix ("slug" for "tenant.slug")
	Label       string // shown left of the input
	Doc         string // one line under the input, faint
	Value       string // what the input starts with
	Placeholder string // shown while the input is empty
}

// Outcome is what a successful submit leaves: a line for the footer, and
// optionally lines to show in the form before it closes (an API key's
// token), with a note under them.
type Outcome struct {
	Flash string
	Lines []string
	Note  string
}

// Submit sends a form's values (in Field order) to the daemon.
type Submit func(ctx context.Context, c *api.Client, vals []string) (Outcome, error)

// Spec describes a form: what it asks, whether it must be confirmed, and
// what it sends.
type Spec struct {
	Title  string
	Intro  []string // lines above the fields
	Fields []Field
	// Confirm, when set, is the question asked (y/n) before Submit runs:
	// every destructive form has one.
	Confirm string
	// Verb names the submit key in the footer ("add", "save").
	Verb   string
	Submit Submit
	// Load, when set, reads current values when the form opens (by field
	// index); a field the operator has already changed keeps its text.
	Load func(ctx context.Context, c *api.Client) (map[int]string, error)
}

// Form is a screen that asks for a few values, optionally confirms, sends
// them through the admin API and shows the daemon's answer. On an error
// it keeps what was typed and shows the error, in words, under the fields.
type Form struct {
	env        *screen.Env
	spec       Spec
	inputs     []textinput.Model
	focus      int
	confirming bool
	busy       bool
	err        error
	done       *Outcome // set when the outcome has lines to show
	width      int
}

// Changed is sent to the screen below a form after the form changed
// something and closed, so it can re-read what the feed does not carry.
type Changed struct{}

func changed() tea.Msg { return Changed{} }

// loaded is the answer to a form's Load.
type loaded struct {
	form *Form
	vals map[int]string
	err  error
}

// submitted is the answer to a form's submit.
type submitted struct {
	form *Form
	out  Outcome
	err  error
}

// NewForm returns a form screen for spec. Under Env.ReadOnly it returns a
// screen that closes at once with a message in the footer.
func NewForm(env *screen.Env, spec Spec) screen.Screen {
	if env.ReadOnly {
		return Refuse(spec.Title)
	}
	f := &Form{env: env, spec: spec, width: 80}
	for i, fd := range spec.Fields {
		in := textinput.New()
		in.Prompt = ""
		st := textinput.DefaultStyles(true)
		st.Cursor.Blink = false
		in.SetStyles(st)
		in.Placeholder = fd.Placeholder
		in.SetValue(fd.Value)
		in.CharLimit = 2048
		if i == 0 {
			in.Focus()
		}
		f.inputs = append(f.inputs, in)
	}
	if len(spec.Fields) == 0 && spec.Confirm != "" {
		f.confirming = true
	}
	return f
}

// Init runs the spec's Load, if any.
func (f *Form) Init() tea.Cmd {
	if f.spec.Load == nil || f.env.Client == nil {
		return nil
	}
	c, load := f.env.Client, f.spec.Load
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
		defer cancel()
		vals, err := load(ctx, c)
		return loaded{form: f, vals: vals, err: err}
	}
}

// Title is the form's title.
func (f *Form) Title() string { return f.spec.Title }

// Capturing is always true: a form takes every key (esc cancels it).
func (f *Form) Capturing() bool { return true }

// Values returns what is typed in each field, in order.
func (f *Form) Values() []string {
	out := make([]string, len(f.inputs))
	for i, in := range f.inputs {
		out[i] = in.Value()
	}
	return out
}

// Keys are the form's keys in its current state.
func (f *Form) Keys() []key.Binding {
	esc := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	switch {
	case f.done != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "close"))}
	case f.busy:
		return []key.Binding{esc}
	case f.confirming:
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, "+f.verb())),
			key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no"))}
	}
	ks := []key.Binding{}
	if len(f.inputs) > 1 {
		ks = append(ks, key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/↑↓", "next field")))
	}
	return append(ks, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", f.verb())), esc)
}

func (f *Form) verb() string {
	if f.spec.Verb == "" {
		return "save"
	}
	return f.spec.Verb
}

// Update handles keys, the window size and the daemon's answer.
func (f *Form) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		f.width = msg.Width
	case loaded:
		if msg.form != f {
			return f, nil
		}
		f.err = msg.err
		for i, v := range msg.vals {
			if i < len(f.inputs) && f.inputs[i].Value() == f.spec.Fields[i].Value {
				f.inputs[i].SetValue(v)
			}
		}
	case submitted:
		if msg.form != f {
			return f, nil
		}
		f.busy = false
		if msg.err != nil {
			f.err = msg.err
			f.confirming = len(f.inputs) == 0 && f.spec.Confirm != ""
			f.focusField(msg.err)
			return f, nil
		}
		if len(msg.out.Lines) > 0 {
			f.done = &msg.out
			return f, screen.FlashCmd(msg.out.Flash, false)
		}
		return f, tea.Sequence(screen.BackCmd, screen.FlashCmd(msg.out.Flash, false), changed)
	case tea.KeyPressMsg:
		return f, f.key(msg)
	}
	return f, nil
}

func (f *Form) key(msg tea.KeyPressMsg) tea.Cmd {
	k := msg.String()
	switch {
	case f.done != nil:
		if k == "enter" || k == "esc" {
			return tea.Sequence(screen.BackCmd, changed)
		}
		return nil
	case k == "esc" && (!f.confirming || len(f.inputs) == 0):
		return screen.BackCmd
	case f.busy:
		return nil
	case f.confirming:
		switch k {
		case "y", "Y":
			return f.submit()
		case "n", "N", "esc":
			if len(f.inputs) == 0 {
				return screen.BackCmd
			}
			f.confirming = false
		}
		return nil
	}
	switch k {
	case "tab", "down":
		f.move(1)
	case "shift+tab", "up":
		f.move(-1)
	case "enter":
		if f.focus < len(f.inputs)-1 {
			f.move(1)
			return nil
		}
		if f.spec.Confirm != "" {
			f.confirming, f.err = true, nil
			return nil
		}
		return f.submit()
	default:
		if len(f.inputs) == 0 {
			return nil
		}
		var cmd tea.Cmd
		f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
		return cmd
	}
	return nil
}

// move focuses the field n places away, wrapping.
func (f *Form) move(n int) {
	if len(f.inputs) == 0 {
		return
	}
	f.inputs[f.focus].Blur()
	f.focus = (f.focus + n + len(f.inputs)) % len(f.inputs)
	f.inputs[f.focus].Focus()
}

// focusField moves to the field an *api.Error names, if any.
func (f *Form) focusField(err error) {
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Field == "" {
		return
	}
	for i, fd := range f.spec.Fields {
		if fd.Key != "" && (ae.Field == fd.Key || strings.HasSuffix(ae.Field, "."+fd.Key)) {
			f.move(i - f.focus)
			return
		}
	}
}

// submit runs the spec's Submit in a command.
func (f *Form) submit() tea.Cmd {
	if f.env.Client == nil {
		f.err = errors.New("not connected to a daemon")
		return nil
	}
	f.busy, f.err = true, nil
	c, vals, sub := f.env.Client, f.Values(), f.spec.Submit
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
		defer cancel()
		out, err := sub(ctx, c, vals)
		return submitted{form: f, out: out, err: err}
	}
}

// View draws the title, intro, fields, and the question, error or outcome.
func (f *Form) View(w, h int) string {
	st := f.env.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render(f.spec.Title) + "\n")
	wrap := lipgloss.NewStyle().Width(max(w-1, 10))
	for _, l := range f.spec.Intro {
		b.WriteString(wrap.Render(l) + "\n")
	}
	if len(f.spec.Intro) > 0 || len(f.inputs) > 0 {
		b.WriteByte('\n')
	}
	labelW := 0
	for _, fd := range f.spec.Fields {
		labelW = max(labelW, len(fd.Label))
	}
	for i, fd := range f.spec.Fields {
		mark := "  "
		if i == f.focus && !f.confirming && f.done == nil {
			mark = "› "
		}
		in := f.inputs[i]
		in.SetWidth(max(w-labelW-6, 8))
		b.WriteString(mark + padRight(fd.Label, labelW) + "  " + in.View() + "\n")
		if fd.Doc != "" {
			b.WriteString(strings.Repeat(" ", labelW+4) + st.Faint.Render(fd.Doc) + "\n")
		}
	}
	switch {
	case f.done != nil:
		b.WriteString("\n")
		for _, l := range f.done.Lines {
			b.WriteString(l + "\n") // on its own line, at column 0: easy to copy
		}
		if f.done.Note != "" {
			b.WriteString("\n" + st.Warn.Render(f.done.Note) + "\n")
		}
	case f.busy:
		b.WriteString("\n" + st.Faint.Render("sending...") + "\n")
	case f.confirming:
		if len(f.inputs) > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(st.Warn.Render(f.spec.Confirm) + "  " + st.FooterKey.Render("y") + " yes  " + st.FooterKey.Render("n") + " no\n")
	}
	if f.err != nil {
		b.WriteString("\n" + ErrorText(st, f.err))
	}
	return styles.Box(b.String(), w, h)
}

// ErrorText is an error as the forms show it: "✗ what is wrong" and, for
// an answer from the daemon that has one, "  hint: what to do".
func ErrorText(st styles.Styles, err error) string {
	s := st.Error.Render("✗ " + err.Error())
	var ae *api.Error
	var ue *api.UnreachableError
	switch {
	case errors.As(err, &ae) && ae.Hint != "":
		s += "\n  " + st.Faint.Render("hint: "+ae.Hint)
	case errors.As(err, &ue):
		s += "\n  " + st.Faint.Render("hint: "+ue.Hint())
	}
	return s
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}
