package forms

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/styles"
)

// tokenNote is shown under a new key's token.
const tokenNote = "Copy the token now: it cannot be shown again (foyer keeps only its hash).\n" +
	"Clients send it as `Authorization: Bearer <token>` or `X-API-Key: <token>`."

var keyRevoke = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "revoke"))
var keyCreate = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "create"))

// APIKeys is the screen of a tenant's API keys (never their tokens): a
// creates one (its token shown once), x revokes the one under the cursor
// (confirmed). The list is read when the screen opens and after a change
// (keys are not in the feed's lists).
type APIKeys struct {
	env    *screen.Env
	slug   string
	keys   []api.APIKey
	read   bool
	cursor int
	err    error
}

// keysRead is the answer to the list call.
type keysRead struct {
	slug string
	keys []api.APIKey
	err  error
}

func newAPIKeys(env *screen.Env, slug string) screen.Screen {
	return &APIKeys{env: env, slug: slug}
}

// Init reads the list.
func (m *APIKeys) Init() tea.Cmd {
	c, slug := m.env.Client, m.slug
	if c == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), CallTimeout)
		defer cancel()
		ks, err := c.APIKeys(ctx, slug)
		return keysRead{slug: slug, keys: ks, err: err}
	}
}

// Title is "api keys".
func (m *APIKeys) Title() string { return "api keys" }

// Keys are the list's keys.
func (m *APIKeys) Keys() []key.Binding {
	if m.env.ReadOnly {
		return nil
	}
	return []key.Binding{keyCreate, keyRevoke}
}

// Update handles keys and the list's answer; a form closing after a
// change (Changed) and new lists from the feed re-read the keys.
func (m *APIKeys) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case keysRead:
		if msg.slug == m.slug {
			m.keys, m.err, m.read = msg.keys, msg.err, true
			m.cursor = min(m.cursor, max(len(m.keys)-1, 0))
		}
	case Changed:
		return m, m.Init()
	case data.Updated:
		if msg.What == "lists" {
			return m, m.Init()
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *APIKeys) key(msg tea.KeyPressMsg) tea.Cmd {
	nav := m.env.Keys.Nav
	switch {
	case key.Matches(msg, nav.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, nav.Down):
		m.cursor = min(m.cursor+1, max(len(m.keys)-1, 0))
	case key.Matches(msg, keyCreate, keyRevoke) && m.env.ReadOnly:
		return screen.FlashCmd(ReadOnlyMsg, true)
	case key.Matches(msg, keyCreate):
		return screen.OpenCmd("create-apikey", m.slug)
	case key.Matches(msg, keyRevoke) && m.cursor < len(m.keys):
		return screen.OpenCmd("revoke-apikey", Arg(m.slug, m.keys[m.cursor].Name))
	}
	return nil
}

// View draws the keys.
func (m *APIKeys) View(w, h int) string {
	st := m.env.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("API keys of "+m.slug) + "\n\n")
	line := func(name, created, expires, used string) string {
		return fmt.Sprintf("  %-20s %-17s %-17s %s", styles.Fit(name, 20), created, expires, used)
	}
	b.WriteString(st.TableHead.Render(line("NAME", "CREATED", "EXPIRES", "LAST USED")) + "\n")
	switch {
	case m.err != nil:
		b.WriteString(ErrorText(st, m.err) + "\n")
	case !m.read:
		b.WriteString(st.Faint.Render("  reading the keys...") + "\n")
	case len(m.keys) == 0:
		b.WriteString(st.Faint.Render("  no API keys: press a to create one") + "\n")
	}
	for i, k := range m.keys {
		l := line(k.Name, stamp(k.Created, "-"), stamp(k.Expires, "never"), stamp(k.LastUsed, "never"))
		if i == m.cursor {
			l = st.Selected.Render(styles.Fit(l, w))
		}
		b.WriteString(l + "\n")
	}
	return styles.Box(b.String(), w, h)
}

func newAPIKeyCreate(env *screen.Env, slug string) screen.Screen {
	return NewForm(env, Spec{
		Title: "create an API key for " + slug,
		Verb:  "create",
		Fields: []Field{
			{Key: "name", Label: "Name", Doc: "what the key is for, e.g. ci or partner", Placeholder: "ci"},
			{Key: "expires", Label: "Expires", Doc: "lifetime from now, e.g. 720h; empty: never expires"},
		},
		Submit: func(ctx context.Context, c *api.Client, v []string) (Outcome, error) {
			k, err := c.CreateAPIKey(ctx, slug, api.CreateAPIKeyRequest{Name: strings.TrimSpace(v[0]), Expires: strings.TrimSpace(v[1])})
			if err != nil {
				return Outcome{}, err
			}
			exp := "never"
			if !k.Expires.IsZero() {
				exp = stamp(k.Expires, "never")
			}
			return Outcome{
				Flash: fmt.Sprintf("API key %s of %s created (expires %s)", k.Name, k.Tenant, exp),
				Lines: []string{"The key's token:", "", k.Token},
				Note:  tokenNote,
			}, nil
		},
	})
}

func newAPIKeyRevoke(env *screen.Env, arg string) screen.Screen {
	a := args(arg, 2)
	slug, name := a[0], a[1]
	return NewForm(env, Spec{
		Title:   "revoke an API key of " + slug,
		Intro:   []string{"Clients using the key " + name + " are refused from now on."},
		Confirm: "Revoke API key " + name + "?",
		Verb:    "revoke",
		Submit: func(ctx context.Context, c *api.Client, _ []string) (Outcome, error) {
			if err := c.RevokeAPIKey(ctx, slug, name); err != nil {
				return Outcome{}, err
			}
			return Outcome{Flash: "API key " + name + " of " + slug + " revoked"}, nil
		},
	})
}
