package forms

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
)

// The action keys of the list screens (backends, apikeys); the tenants
// screen's are in tui/keymap.
var (
	keyAdd     = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add"))
	keyRemove  = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove"))
	keyDrain   = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "drain"))
	keyUndrain = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undrain"))
)

// Backends is the screen of a tenant's backends (every pool) with their
// weight and health: a adds one, x removes the one under the cursor
// (confirmed), n drains it, u undrains it.
type Backends struct {
	env    *screen.Env
	slug   string
	rows   []api.Backend
	cursor int
	err    error
}

// drained is the answer to a drain or undrain.
type drained struct {
	b     api.Backend
	drain bool
	err   error
}

func newBackends(env *screen.Env, slug string) screen.Screen {
	m := &Backends{env: env, slug: slug}
	m.rebuild()
	return m
}

func (m *Backends) rebuild() {
	m.rows = m.env.Data.Backends[m.slug]
	m.cursor = min(m.cursor, max(len(m.rows)-1, 0))
}

// Init starts nothing: the feed keeps the list.
func (m *Backends) Init() tea.Cmd { return nil }

// Title is "backends".
func (m *Backends) Title() string { return "backends" }

// Keys are the list's keys.
func (m *Backends) Keys() []key.Binding {
	if m.env.ReadOnly {
		return nil
	}
	return []key.Binding{keyAdd, keyRemove, keyDrain, keyUndrain}
}

// Update handles the feed, keys and the answer to a drain.
func (m *Backends) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case data.Updated:
		if msg.What == "lists" {
			m.rebuild()
		}
	case drained:
		m.err = msg.err
		if msg.err == nil {
			verb := "drained: no new requests"
			if !msg.drain {
				verb = "back in service"
			}
			return m, screen.FlashCmd(msg.b.URL+" "+verb, false)
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Backends) key(msg tea.KeyPressMsg) tea.Cmd {
	nav := m.env.Keys.Nav
	switch {
	case key.Matches(msg, nav.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, nav.Down):
		m.cursor = min(m.cursor+1, max(len(m.rows)-1, 0))
	case key.Matches(msg, keyAdd, keyRemove, keyDrain, keyUndrain) && m.env.ReadOnly:
		return screen.FlashCmd(ReadOnlyMsg, true)
	case key.Matches(msg, keyAdd):
		return screen.OpenCmd("add-backend", m.slug)
	case m.cursor >= len(m.rows):
	case key.Matches(msg, keyRemove):
		b := m.rows[m.cursor]
		return screen.OpenCmd("remove-backend", Arg(m.slug, b.Pool, b.URL))
	case key.Matches(msg, keyDrain, keyUndrain):
		return m.drain(m.rows[m.cursor], key.Matches(msg, keyDrain))
	}
	return nil
}

func (m *Backends) drain(b api.Backend, drain bool) tea.Cmd {
	c := m.env.Client
	if c == nil {
		return nil
	}
	slug := m.slug
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
		defer cancel()
		out, err := c.DrainBackend(ctx, slug, b.Pool, b.URL, drain)
		if err == nil {
			b = out
		}
		return drained{b: b, drain: drain, err: err}
	}
}

// View draws the table of backends.
func (m *Backends) View(w, h int) string {
	st := m.env.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("backends of "+m.slug) + "\n\n")
	urlW := 8
	for _, r := range m.rows {
		urlW = max(urlW, len(r.URL))
	}
	urlW = min(urlW, max(w-40, 10))
	line := func(pool, url, weight, health string) string {
		return fmt.Sprintf("  %-10s %-*s %6s  %s", styles.Fit(pool, 10), urlW, styles.Fit(url, urlW), weight, health)
	}
	b.WriteString(st.TableHead.Render(line("POOL", "URL", "WEIGHT", "HEALTH")) + "\n")
	if len(m.rows) == 0 {
		b.WriteString(st.Faint.Render("  no backends yet: press a to add one") + "\n")
	}
	for i, r := range m.rows {
		health := r.Health
		if r.Drained && health != "draining" {
			health += " (drained)"
		}
		l := line(r.Pool, r.URL, strconv.Itoa(r.Weight), health)
		if i == m.cursor {
			l = st.Selected.Render(styles.Fit(l, w))
		}
		b.WriteString(l + "\n")
	}
	if m.err != nil {
		b.WriteString("\n" + ErrorText(st, m.err))
	}
	return styles.Box(b.String(), w, h)
}

func newBackendAdd(env *screen.Env, arg string) screen.Screen {
	a := args(arg, 2)
	slug, pool := a[0], a[1]
	if pool == "" {
		pool = "default"
	}
	return NewForm(env, Spec{
		Title: "add a backend to " + slug,
		Verb:  "add",
		Fields: []Field{
			{Key: "pool", Label: "Pool", Doc: "the pool's name; a new name makes a new pool", Value: pool},
			{Key: "url", Label: "URL", Doc: "where requests go, e.g. http://10.0.0.5:8080 (no query or user)", Placeholder: "http://127.0.0.1:8080"},
			{Key: "weight", Label: "Weight", Doc: "share of the pool's traffic, 1 to 1000 (empty: 1)"},
		},
		Submit: func(ctx context.Context, c *api.Client, v []string) (Outcome, error) {
			weight := 0
			if s := strings.TrimSpace(v[2]); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil {
					return Outcome{}, &api.Error{Msg: fmt.Sprintf("weight %q is not a number", s), Hint: "give a whole number such as 1 or 10", Field: "weight"}
				}
				weight = n
			}
			b, err := c.AddBackend(ctx, slug, strings.TrimSpace(v[0]), api.AddBackendRequest{URL: strings.TrimSpace(v[1]), Weight: weight})
			if err != nil {
				return Outcome{}, err
			}
			return Outcome{Flash: fmt.Sprintf("backend %s added to %s/%s", b.URL, slug, b.Pool)}, nil
		},
	})
}

func newBackendRemove(env *screen.Env, arg string) screen.Screen {
	a := args(arg, 3)
	slug, pool, url := a[0], a[1], a[2]
	return NewForm(env, Spec{
		Title:   "remove a backend of " + slug,
		Intro:   []string{"Pool " + pool + ": " + url, "New requests go to the pool's other backends (to let requests finish first, drain it: n on the list)."},
		Confirm: "Remove this backend?",
		Verb:    "remove",
		Submit: func(ctx context.Context, c *api.Client, _ []string) (Outcome, error) {
			if err := c.RemoveBackend(ctx, slug, pool, url); err != nil {
				return Outcome{}, err
			}
			return Outcome{Flash: "backend " + url + " removed from " + slug}, nil
		},
	})
}
