// Package logs is the console's live access log over every tenant: the
// records as requests finish (GET /v1/logs/follow), filtered by tenant
// (t), status class (s) and a path substring (/), the filters shown in the
// title line. It keeps the last RingSize records (bounded memory), pauses
// and resumes with space (scrolling pauses too), and shows how many
// records the stream dropped. Its Stream and Follower also feed the
// tenant detail screen's tail.
package logs

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
)

// Entry registers the screen as "logs".
var Entry = screen.Entry{Name: "logs", Summary: "live access log over every tenant, with filters", New: New}

// RingSize is how many records the screen keeps.
const RingSize = 2000

// Records is a batch of followed records for the screen (what a Wake
// brings; model tests send it directly). Dropped adds to the dropped
// count; Err is the stream's state ("" while it flows).
type Records struct {
	Recs    []api.FollowRecord
	Dropped uint64
	Err     string
}

// Model is the logs screen.
type Model struct {
	env    *screen.Env
	follow Follower
	ring   *Ring[api.FollowRecord] // every record received, newest last
	shown  *Ring[Row]              // those that pass the filters, with their drawn lines

	tenant string // tenant filter (exact slug); "" any
	class  Class
	path   string // path substring; "" any

	typing byte   // 't' or '/' while a filter prompt is open, else 0
	input  string // the prompt's text

	paused  bool
	frozen  []Row // what the screen shows while paused, newest last
	fresh   int   // records received while paused
	scroll  int   // lines scrolled up from the newest, while paused
	height  int   // record lines visible at the last View
	dropped uint64
	errText string

	keys struct{ tenant, status, pause, clear key.Binding }
}

// New opens the logs screen.
func New(env *screen.Env, _ string) screen.Screen {
	return NewSize(env, RingSize)
}

// NewSize opens the logs screen keeping n records (tests use a small n).
func NewSize(env *screen.Env, n int) *Model {
	m := &Model{env: env, ring: NewRing[api.FollowRecord](n), shown: NewRing[Row](n), height: 10}
	m.keys.tenant = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tenant"))
	m.keys.status = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "status"))
	m.keys.pause = key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause"))
	m.keys.clear = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clear filters"))
	return m
}

// Init starts following the log.
func (m *Model) Init() tea.Cmd { return m.follow.Ensure(m.env.Client) }

// Title is "logs".
func (m *Model) Title() string { return "logs" }

// Capturing is true while a filter prompt is open.
func (m *Model) Capturing() bool { return m.typing != 0 }

// Keys are the screen's own keys.
func (m *Model) Keys() []key.Binding {
	if m.typing != 0 {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		}
	}
	p := m.keys.pause
	if m.paused {
		p = key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "resume"))
	}
	return []key.Binding{m.keys.tenant, m.keys.status, m.env.Keys.Nav.Filter, p, m.keys.clear}
}

// HelpKeys lists every key for the help overlay.
func (m *Model) HelpKeys() []key.Binding {
	k := m.env.Keys.Nav
	return []key.Binding{
		key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "filter by tenant (a slug; empty for all)")),
		key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "status class: all, 2xx, 3xx, 4xx, 5xx")),
		key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter by a path substring")),
		key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause / resume")),
		key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clear every filter")),
		k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom,
	}
}

// Paused reports whether the view is frozen.
func (m *Model) Paused() bool { return m.paused }

// Len is how many records the screen holds; Shown how many pass the filters.
func (m *Model) Len() int   { return m.ring.Len() }
func (m *Model) Shown() int { return m.shown.Len() }

// Dropped is how many records the stream missed since the screen opened.
func (m *Model) Dropped() uint64 { return m.dropped }

// Update handles records, data changes (which keep the stream going) and keys.
func (m *Model) Update(msg tea.Msg) (screen.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case Wake:
		recs, dropped, errText, cmd, ok := m.follow.Handle(msg)
		if ok {
			m.add(Records{Recs: recs, Dropped: dropped, Err: errText})
		}
		return m, cmd
	case Records:
		m.add(msg)
	case data.Updated:
		return m, m.follow.Ensure(m.env.Client)
	case tea.KeyPressMsg:
		if m.typing != 0 {
			m.typeKey(msg)
			return m, nil
		}
		m.key(msg)
	}
	return m, nil
}

// add appends a batch to the ring and, when it passes the filters, to
// what is shown.
func (m *Model) add(r Records) {
	m.dropped += r.Dropped
	m.errText = r.Err
	for i := range r.Recs {
		m.ring.Push(r.Recs[i])
		if m.match(&r.Recs[i]) {
			m.shown.Push(Row{Rec: r.Recs[i]})
			if m.paused {
				m.fresh++
			}
		}
	}
}

func (m *Model) match(r *api.FollowRecord) bool {
	return (m.tenant == "" || r.Tenant == m.tenant) && m.class.Match(r.Status) &&
		(m.path == "" || strings.Contains(r.Path, m.path))
}

// refilter rebuilds what is shown from the ring after a filter changed.
func (m *Model) refilter() {
	m.shown.Reset()
	for i := 0; i < m.ring.Len(); i++ {
		if r := m.ring.Ptr(i); m.match(r) {
			m.shown.Push(Row{Rec: *r})
		}
	}
	if m.paused {
		m.freeze()
	}
}

// key handles a key while no prompt is open.
func (m *Model) key(msg tea.KeyPressMsg) {
	k := m.env.Keys.Nav
	switch {
	case key.Matches(msg, m.keys.tenant):
		m.typing, m.input = 't', m.tenant
	case key.Matches(msg, k.Filter):
		m.typing, m.input = '/', m.path
	case key.Matches(msg, m.keys.status):
		m.class = m.class.Next()
		m.refilter()
	case key.Matches(msg, m.keys.clear):
		m.tenant, m.class, m.path = "", 0, ""
		m.refilter()
	case key.Matches(msg, m.keys.pause):
		m.setPaused(!m.paused)
	case key.Matches(msg, k.Up):
		m.scrollBy(1)
	case key.Matches(msg, k.Down):
		m.scrollBy(-1)
	case key.Matches(msg, k.PageUp):
		m.scrollBy(m.height)
	case key.Matches(msg, k.PageDown):
		m.scrollBy(-m.height)
	case key.Matches(msg, k.Top):
		m.scrollBy(m.shown.Len())
	case key.Matches(msg, k.Bottom):
		m.setPaused(false)
	}
}

// scrollBy moves the view n lines back in time; scrolling pauses.
func (m *Model) scrollBy(n int) {
	if !m.paused {
		m.setPaused(true)
	}
	m.scroll = min(max(m.scroll+n, 0), max(len(m.frozen)-m.height, 0))
}

func (m *Model) setPaused(p bool) {
	m.paused, m.scroll, m.fresh = p, 0, 0
	m.frozen = m.frozen[:0]
	if p {
		m.freeze()
	}
}

// freeze copies what is shown, so the view holds still while paused.
func (m *Model) freeze() {
	m.frozen = m.frozen[:0]
	for i := 0; i < m.shown.Len(); i++ {
		m.frozen = append(m.frozen, m.shown.At(i))
	}
	m.scroll = min(m.scroll, max(len(m.frozen)-m.height, 0))
}

// typeKey edits the open prompt: enter applies, esc clears that filter.
func (m *Model) typeKey(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "enter":
		m.apply(strings.TrimSpace(m.input))
	case "esc":
		m.apply("")
	case "backspace":
		if m.input != "" {
			r := []rune(m.input)
			m.input = string(r[:len(r)-1])
		}
	default:
		m.input += msg.Text
	}
}

func (m *Model) apply(v string) {
	if m.typing == 't' {
		m.tenant = v
	} else {
		m.path = v
	}
	m.typing, m.input = 0, ""
	m.refilter()
}
