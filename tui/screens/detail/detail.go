// Package detail is the console's view of one tenant: live charts of its
// req/s, 5xx answers and p99 latency over the last five minutes; its
// domains with state, reason and next step; its backends with health,
// latency and last error; the policy in force (plan and overrides); and a
// live tail of its access log, filtered by status class with s. Opened by
// enter on a tenant (screen.Open{Name: "detail", Arg: slug}).
package detail

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/screens/logs"
)

// Entry registers the screen as "detail"; it needs a tenant slug.
var Entry = screen.Entry{Name: "detail", Summary: "one tenant: charts, domains, backends, policy, log tail", New: New, NeedsArg: true}

// TailSize is how many of the tenant's log records the screen keeps.
const TailSize = 500

// policyTimeout bounds a policy read.
const policyTimeout = 10 * time.Second

// PolicyRead is the answer to a read of the tenant's policy (a model test
// sends it as the daemon would).
type PolicyRead struct {
	Slug   string
	Policy api.TenantPolicy
	Err    error
}

// Model is the tenant detail screen.
type Model struct {
	env  *screen.Env
	slug string

	// derived from env.Data on data.Updated
	rates, errs, p99s []float64 // the last five minutes, oldest first
	latest            api.TenantStats
	rev               uint64 // the configuration revision the policy was read at

	policy    *api.TenantPolicy
	policyErr error
	reading   bool // a policy read is in flight

	follow  logs.Follower
	tail    *logs.Ring[logs.Row]
	class   logs.Class
	dropped uint64
	tailErr string

	keys struct{ status key.Binding }

	// the last frame, reused until something changes (View runs every
	// frame; the data changes about once a second)
	frame        string
	frameW       int
	frameH       int
	frameVersion int
	version      int // bumped by every Update that may change the view
}

// New opens the detail screen of tenant slug.
func New(env *screen.Env, slug string) screen.Screen {
	m := &Model{env: env, slug: slug, tail: logs.NewRing[logs.Row](TailSize)}
	m.follow.Query = api.FollowQuery{Tenant: slug}
	m.keys.status = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "log status"))
	m.rebuild()
	return m
}

// Init reads the policy and starts the log tail.
func (m *Model) Init() tea.Cmd {
	m.rev = m.env.Data.Rev
	return tea.Batch(m.readPolicy(), m.follow.Ensure(m.env.Client))
}

// Title is "detail <slug>"... the header shows it in the screen path.
func (m *Model) Title() string { return m.slug }

// Keys are the screen's own keys.
func (m *Model) Keys() []key.Binding { return []key.Binding{m.keys.status} }

// HelpKeys lists every key for the help overlay.
func (m *Model) HelpKeys() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "log tail's status class: all, 2xx, 3xx, 4xx, 5xx"))}
}

// Slug is the tenant shown.
func (m *Model) Slug() string { return m.slug }

// Update handles data changes, the policy answer, log records and keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	m.version++
	switch msg := msg.(type) {
	case data.Updated:
		var cmds []tea.Cmd
		if msg.What == "stats" || msg.What == "lists" {
			m.rebuild()
		}
		if d := m.env.Data; msg.What == "lists" && d.Rev != m.rev && !m.reading {
			m.rev = d.Rev // the configuration changed: the policy may have
			cmds = append(cmds, m.readPolicy())
		}
		cmds = append(cmds, m.follow.Ensure(m.env.Client))
		return m, tea.Batch(cmds...)
	case PolicyRead:
		if msg.Slug == m.slug {
			m.reading = false
			m.policyErr = msg.Err
			if msg.Err == nil {
				p := msg.Policy
				m.policy = &p
			}
		}
	case logs.Wake:
		recs, dropped, errText, cmd, ok := m.follow.Handle(msg)
		if ok {
			m.addRecords(logs.Records{Recs: recs, Dropped: dropped, Err: errText})
		}
		return m, cmd
	case logs.Records:
		m.addRecords(msg)
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.status) {
			m.class = m.class.Next()
		}
	}
	return m, nil
}

// readPolicy asks the daemon for the tenant's effective policy.
func (m *Model) readPolicy() tea.Cmd {
	c, slug := m.env.Client, m.slug
	if c == nil {
		return nil
	}
	m.reading = true
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), policyTimeout)
		defer cancel()
		p, err := c.Policy(ctx, slug)
		return PolicyRead{Slug: slug, Policy: p, Err: err}
	}
}

// addRecords keeps the tenant's records (the stream is filtered by tenant
// already; a test's batch may not be).
func (m *Model) addRecords(r logs.Records) {
	m.dropped += r.Dropped
	m.tailErr = r.Err
	for i := range r.Recs {
		if r.Recs[i].Tenant == m.slug {
			m.tail.Push(logs.Row{Rec: r.Recs[i]})
		}
	}
}

// Class is the log tail's status filter.
func (m *Model) Class() logs.Class { return m.class }

// rebuild recomputes the chart series from the shared data.
func (m *Model) rebuild() {
	m.rates, m.errs, m.p99s = m.rates[:0], m.errs[:0], m.p99s[:0]
	m.latest = api.TenantStats{}
	s := m.env.Data.Stats[m.slug]
	if s == nil {
		return
	}
	m.latest = s.Latest
	var prev data.Sample
	for i := s.Len() - 1; i >= 0; i-- {
		x, _ := s.At(i)
		m.rates = append(m.rates, x.Rate)
		var e float64
		if i < s.Len()-1 { // 5xx (and unanswered) per second, by difference
			now, before := x.Status[5]+x.Status[0], prev.Status[5]+prev.Status[0]
			if now >= before {
				e = float64(now - before)
			}
		}
		m.errs = append(m.errs, e)
		m.p99s = append(m.p99s, float64(x.P99))
		prev = x
	}
}
