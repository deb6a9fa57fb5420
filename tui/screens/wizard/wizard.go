// Package wizard is the custom-domain onboarding wizard, opened on a
// tenant (`d` on the tenants screen, or screen.Open{Name: "add-domain",
// Arg: slug}). Its steps:
//
//  1. enter the domain, checked by the daemon's rules before it is sent;
//  2. the DNS records to give the customer (from AddDomain's answer: the
//     CNAME target or A/AAAA addresses, and the TXT ownership token), each
//     on one line with nothing around the values, to copy;
//  3. a live check (CheckDomain) re-run every CheckEvery until the domain
//     is verified, a tick or a cross per record and the hint for each
//     failure;
//  4. the issuance: the domain's state from the feed, verified -> issuing
//     -> active;
//  5. active, with the certificate's expiry.
//
// esc leaves at any step; a domain already added stays, pending, and the
// daemon's verifier keeps checking it (`foyer domain check` or the wizard
// again shows where it is).
package wizard

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/screens/forms"
)

// Entry registers the wizard as "add-domain"; its argument is the tenant's
// slug.
var Entry = screen.Entry{Name: "add-domain", Summary: "add a custom domain (onboarding wizard)", New: New, NeedsArg: true}

// CheckEvery is how often step 3 re-runs the live check. Zero turns the
// re-runs off (model tests send the ticks).
var CheckEvery = 5 * time.Second

// callTimeout bounds one call to the daemon (a check asks DNS and may take
// a few seconds).
const callTimeout = 20 * time.Second

// Step is where the wizard is.
type Step int

// The wizard's steps, in order.
const (
	StepDomain  Step = iota // typing the domain
	StepRecords             // the DNS records to give the customer
	StepCheck               // the live check
	StepIssuing             // verified; the certificate is being obtained
	StepActive              // active, with the certificate's expiry
)

// Model is the wizard.
type Model struct {
	env    *screen.Env
	slug   string
	step   Step
	in     textinput.Model
	busy   bool
	err    error
	domain api.Domain       // as added, then as the feed and checks show it
	check  *api.DomainCheck // the last check's answer
	checks int              // checks run
	gen    int              // the live check's generation: a tick of an older one is dropped
}

// added is AddDomain's answer.
type added struct {
	m   *Model
	d   api.Domain
	err error
}

// checked is CheckDomain's answer.
type checked struct {
	m   *Model
	c   api.DomainCheck
	err error
}

// tick asks for the next check of generation gen.
type tick struct {
	m   *Model
	gen int
}

// New opens the wizard on the tenant slug. Under --readonly it closes at
// once with a message in the footer.
func New(env *screen.Env, slug string) screen.Screen {
	if env.ReadOnly {
		return forms.Refuse("add domain")
	}
	in := textinput.New()
	in.Prompt = ""
	st := textinput.DefaultStyles(true)
	st.Cursor.Blink = false
	in.SetStyles(st)
	in.Placeholder = "shop.customer.com"
	in.CharLimit = 300
	in.Focus()
	return &Model{env: env, slug: slug, in: in}
}

// Init starts nothing: the wizard waits for the domain.
func (m *Model) Init() tea.Cmd { return nil }

// Title is "add domain".
func (m *Model) Title() string { return "add domain" }

// Step is the wizard's current step.
func (m *Model) Step() Step { return m.step }

// Capturing is true: the wizard takes every key (esc leaves it).
func (m *Model) Capturing() bool { return true }

// Keys are the current step's keys.
func (m *Model) Keys() []key.Binding {
	esc := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave"))
	switch m.step {
	case StepDomain:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "add")), esc}
	case StepRecords:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "records are set: check")), esc}
	case StepCheck:
		return []key.Binding{key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check now")),
			key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "records")), esc}
	case StepIssuing:
		return []key.Binding{key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check again")), esc}
	}
	return []key.Binding{key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "done"))}
}

// Update handles keys, the daemon's answers, the check's ticks and the
// feed's new lists (the domain's state).
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case added:
		if msg.m != m {
			return m, nil
		}
		m.busy, m.err = false, msg.err
		if msg.err == nil {
			m.domain, m.step = msg.d, StepRecords
			return m, screen.FlashCmd("domain "+msg.d.Name+" added to "+m.slug+": pending until its DNS points here", false)
		}
	case checked:
		if msg.m != m {
			return m, nil
		}
		return m, m.onCheck(msg)
	case tick:
		if msg.m == m && msg.gen == m.gen && m.step == StepCheck && !m.busy {
			return m, m.runCheck()
		}
	case data.Updated:
		if msg.What == "lists" {
			m.follow()
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := msg.String()
	if k == "esc" {
		m.gen++ // stop the live check
		return screen.BackCmd
	}
	switch m.step {
	case StepDomain:
		if k != "enter" {
			var cmd tea.Cmd
			m.in, cmd = m.in.Update(msg)
			return cmd
		}
		if !m.busy {
			return m.add()
		}
	case StepRecords:
		if k == "enter" {
			m.step = StepCheck
			return m.runCheck()
		}
	case StepCheck, StepIssuing:
		switch {
		case k == "c" && !m.busy:
			return m.runCheck()
		case k == "r" && m.step == StepCheck:
			m.step, m.err = StepRecords, nil
			m.gen++
		}
	case StepActive:
		if k == "enter" {
			return screen.BackCmd
		}
	}
	return nil
}

// add checks the typed domain and sends it.
func (m *Model) add() tea.Cmd {
	name, err := checkDomain(m.in.Value())
	if err != nil {
		m.err = err
		return nil
	}
	c := m.env.Client
	if c == nil {
		m.err = errors.New("not connected to a daemon")
		return nil
	}
	m.busy, m.err = true, nil
	slug := m.slug
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		d, err := c.AddDomain(ctx, slug, name)
		return added{m: m, d: d, err: err}
	}
}

// runCheck runs one live check.
func (m *Model) runCheck() tea.Cmd {
	c := m.env.Client
	if c == nil {
		return nil
	}
	m.busy = true
	name := m.domain.Name
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		dc, err := c.CheckDomain(ctx, name)
		return checked{m: m, c: dc, err: err}
	}
}

// onCheck takes a check's answer, moves on when the domain is verified,
// and schedules the next check.
func (m *Model) onCheck(msg checked) tea.Cmd {
	m.busy, m.err = false, msg.err
	m.checks++
	if msg.err == nil {
		m.check = &msg.c
		if msg.c.Domain.Name != "" {
			m.domain = msg.c.Domain
		}
	}
	m.advance()
	if m.step != StepCheck || CheckEvery <= 0 { // once verified, the feed shows the issuance
		return nil
	}
	m.gen++
	gen := m.gen
	return tea.Tick(CheckEvery, func(time.Time) tea.Msg { return tick{m: m, gen: gen} })
}

// follow takes the domain's state from the feed's lists.
func (m *Model) follow() {
	if m.step < StepRecords {
		return
	}
	for _, d := range m.env.Data.ByTenant[m.slug] {
		if d.Name == m.domain.Name {
			setup := m.domain.Setup
			m.domain = d
			if m.domain.Setup == nil {
				m.domain.Setup = setup
			}
			m.advance()
			return
		}
	}
}

// advance moves from the check to the issuance to active by the domain's
// state (never back: a failure shows its reason where the wizard is).
func (m *Model) advance() {
	switch m.domain.State {
	case "verified", "issuing":
		if m.step == StepCheck {
			m.step = StepIssuing
		}
	case "active":
		if m.step >= StepCheck {
			m.step = StepActive
		}
	}
}
