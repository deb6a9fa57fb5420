package forms

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
)

// Policy is the screen of a tenant's policy: every key with its effective
// value, where it comes from (default, plan, tenant) and its doc; a line
// takes "KEY=VALUE" (and "-KEY" to go back to the plan or default), sends
// it, and shows the effective policy the daemon answers, the changed keys
// marked. Under --readonly it only shows.
type Policy struct {
	env     *screen.Env
	slug    string
	pol     *api.TenantPolicy
	cursor  int
	in      textinput.Model
	busy    bool
	err     error
	changed map[string]bool
}

// policyRead is the answer to a policy read or change.
type policyRead struct {
	p   *Policy
	pol api.TenantPolicy
	req *api.SetPolicyRequest // set after a change
	err error
}

func newPolicy(env *screen.Env, slug string) screen.Screen {
	in := textinput.New()
	in.Prompt = ""
	st := textinput.DefaultStyles(true)
	st.Cursor.Blink = false
	in.SetStyles(st)
	in.Placeholder = "KEY=VALUE ..."
	in.CharLimit = 4096
	in.Focus()
	return &Policy{env: env, slug: slug, in: in}
}

// Init reads the policy.
func (m *Policy) Init() tea.Cmd {
	return m.call(func(ctx context.Context, c *api.Client) (api.TenantPolicy, *api.SetPolicyRequest, error) {
		p, err := c.Policy(ctx, m.slug)
		return p, nil, err
	})
}

func (m *Policy) call(f func(context.Context, *api.Client) (api.TenantPolicy, *api.SetPolicyRequest, error)) tea.Cmd {
	c := m.env.Client
	if c == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
		defer cancel()
		pol, req, err := f(ctx, c)
		return policyRead{p: m, pol: pol, req: req, err: err}
	}
}

// Title is "policy".
func (m *Policy) Title() string { return "policy" }

// Capturing is true unless read-only: the line takes typing.
func (m *Policy) Capturing() bool { return !m.env.ReadOnly }

// Keys are the screen's keys.
func (m *Policy) Keys() []key.Binding {
	ks := []key.Binding{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "key"))}
	if m.env.ReadOnly {
		return ks
	}
	return append(ks,
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "copy key")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")))
}

// Update handles keys and the daemon's answers.
func (m *Policy) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case policyRead:
		if msg.p != m {
			return m, nil
		}
		m.busy, m.err = false, msg.err
		if msg.err != nil {
			return m, nil
		}
		m.pol = &msg.pol
		if msg.req != nil {
			m.changed = map[string]bool{}
			for k := range msg.req.Set {
				m.changed[k] = true
			}
			for _, k := range msg.req.Unset {
				m.changed[k] = true
			}
			m.in.SetValue("")
			return m, screen.FlashCmd(fmt.Sprintf("policy of %s changed: %s (marked *)", m.slug, plural(len(m.changed), "key")), false)
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Policy) key(msg tea.KeyPressMsg) tea.Cmd {
	n := 0
	if m.pol != nil {
		n = len(m.pol.Effective)
	}
	switch msg.String() {
	case "esc":
		return screen.BackCmd
	case "up":
		m.cursor = max(m.cursor-1, 0)
	case "down":
		m.cursor = min(m.cursor+1, max(n-1, 0))
	case "tab":
		if m.cursor < n && !m.env.ReadOnly {
			v := m.pol.Effective[m.cursor]
			m.in.SetValue(strings.TrimSpace(m.in.Value() + " " + v.Key + "=" + v.Value))
			m.in.CursorEnd()
		}
	case "enter":
		if m.env.ReadOnly {
			return screen.FlashCmd(ReadOnlyMsg, true)
		}
		if m.busy {
			return nil
		}
		req, err := parsePolicyLine(m.in.Value())
		if err != nil {
			m.err = err
			return nil
		}
		m.busy, m.err = true, nil
		slug := m.slug
		return m.call(func(ctx context.Context, c *api.Client) (api.TenantPolicy, *api.SetPolicyRequest, error) {
			p, err := c.SetPolicy(ctx, slug, req)
			return p, &req, err
		})
	default:
		if m.env.ReadOnly {
			return nil
		}
		var cmd tea.Cmd
		m.in, cmd = m.in.Update(msg)
		return cmd
	}
	return nil
}

// parsePolicyLine reads "KEY=VALUE" (an empty VALUE is allowed, as the
// CLI's `foyer policy set`) and "-KEY" (as `foyer policy unset`) items,
// separated by spaces.
func parsePolicyLine(line string) (api.SetPolicyRequest, error) {
	var r api.SetPolicyRequest
	for _, item := range strings.Fields(line) {
		if k, ok := strings.CutPrefix(item, "-"); ok && k != "" && !strings.Contains(k, "=") {
			r.Unset = append(r.Unset, k)
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		if !ok || k == "" {
			return r, &api.Error{Msg: fmt.Sprintf("%q is not KEY=VALUE or -KEY, e.g. rate=50", item),
				Hint: "pick a key with ↑↓ and press tab to copy it with its value"}
		}
		if r.Set == nil {
			r.Set = map[string]string{}
		}
		r.Set[k] = v
	}
	if r.Set == nil && r.Unset == nil {
		return r, &api.Error{Msg: "nothing to change", Hint: "type KEY=VALUE (e.g. rate=50) or -KEY, then enter"}
	}
	return r, nil
}

// View draws the keys around the cursor, the selected key's doc, and the
// line.
func (m *Policy) View(w, h int) string {
	st := m.env.Styles
	var b strings.Builder
	title := "policy of " + m.slug
	if m.pol != nil {
		plan := m.pol.Plan
		if plan == "" {
			plan = "none"
		}
		title += "   plan: " + plan
	}
	b.WriteString(st.Title.Render(title) + "\n")
	if m.pol == nil {
		if m.err != nil {
			b.WriteString("\n" + ErrorText(st, m.err))
		} else {
			b.WriteString(st.Faint.Render("reading the policy..."))
		}
		return styles.Box(b.String(), w, h)
	}
	eff := m.pol.Effective
	keyW := 3
	for _, v := range eff {
		keyW = max(keyW, len(v.Key))
	}
	line := func(mark, k, v, src string) string {
		return fmt.Sprintf("%s %-*s  %-18s %s", mark, keyW, k, styles.Fit(v, 18), src)
	}
	b.WriteString(st.TableHead.Render(line(" ", "KEY", "VALUE", "SOURCE")) + "\n")
	rows := max(h-10, 1)
	off := min(max(m.cursor-rows/2, 0), max(len(eff)-rows, 0))
	for i := off; i < min(off+rows, len(eff)); i++ {
		v := eff[i]
		mark := " "
		if m.changed[v.Key] {
			mark = "*"
		}
		l := line(mark, v.Key, v.Value, v.Source)
		if i == m.cursor {
			l = st.Selected.Render(styles.Fit(l, w))
		}
		b.WriteString(l + "\n")
	}
	for i := len(eff) - off; i < rows; i++ {
		b.WriteByte('\n')
	}
	if m.cursor < len(eff) {
		doc := lipgloss.NewStyle().Width(max(w-2, 10)).Render(eff[m.cursor].Key + ": " + eff[m.cursor].Doc)
		b.WriteString(st.Faint.Render(doc) + "\n")
	}
	if !m.env.ReadOnly {
		m.in.SetWidth(max(w-10, 10))
		b.WriteString("\n› set  " + m.in.View() + "\n")
		b.WriteString(st.Faint.Render("       KEY=VALUE sets, -KEY unsets (back to plan or default), tab copies a key") + "\n")
	}
	if m.busy {
		b.WriteString(st.Faint.Render("sending...") + "\n")
	}
	if m.err != nil {
		b.WriteString(ErrorText(st, m.err))
	}
	return styles.Box(b.String(), w, h)
}
