// Package data is the TUI's shared, read-only view of the daemon: the
// configuration lists, the latest live numbers per tenant with five minutes
// of history, and the recent events. The root model owns one *Model and is
// the only writer: it applies the feed's messages (Lists, Frame, EventLine,
// Conn) in its Update, on Bubble Tea's one goroutine. Screens read it in
// their Update and View and never change it, so no lock is needed.
package data

import (
	"sort"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// HistoryLen is how many one-second samples a tenant's Series keeps: five
// minutes.
const HistoryLen = 300

// MaxEvents is how many recent event lines the model keeps.
const MaxEvents = 500

// ConnState says whether the feed is connected to the daemon.
type ConnState int

// The feed's connection states.
const (
	Connecting   ConnState = iota // not connected yet
	Connected                     // the watch stream is open
	Reconnecting                  // the stream ended; retrying with backoff
)

// Model is everything the screens show. The zero value is empty and usable.
type Model struct {
	Socket string     // the admin socket the TUI talks to
	Status api.Status // GET /v1/status, refreshed with the lists

	Conn     ConnState
	ConnErr  string    // why the last connection failed; "" when connected
	ConnTime time.Time // when Conn last changed

	Rev       uint64       // the configuration revision the lists were read at (or newer)
	Tenants   []api.Tenant // sorted by slug
	Backends  map[string][]api.Backend
	Domains   []api.Domain            // every domain, sorted by name
	ByTenant  map[string][]api.Domain // Domains by tenant slug
	Certs     []api.Cert
	ListErr   string    // the last refetch's error; "" when it succeeded
	ListsTime time.Time // when the lists were last read

	Stats     map[string]*Series // by tenant slug ("" = no tenant)
	StatsTime time.Time          // Time of the newest stats frame
	Totals    api.TenantStats    // the newest frame summed over tenants (rates, in flight)

	// Events is the newest MaxEvents event lines, oldest first. A new
	// watch stream replays the daemon's recent events, so they are cleared
	// on every (re)connect.
	Events []api.Event
}

// Lists is the feed's message after it (re)read the configuration.
type Lists struct {
	Status   api.Status
	Tenants  []api.Tenant
	Backends map[string][]api.Backend
	Domains  []api.Domain
	Certs    []api.Cert
	Time     time.Time
	Err      error // set when a read failed; the other fields are then kept from before
	// Partial is set when only some lists were re-read (an event line
	// named what changed): nil Domains or Certs are kept, Backends replace
	// only the tenants they name, Status and Tenants are kept.
	Partial bool
}

// Frame is one stats line of the watch stream.
type Frame struct{ Stats api.Stats }

// EventLine is one event line of the watch stream.
type EventLine struct{ Event api.Event }

// Conn reports a change of the feed's connection.
type Conn struct {
	State ConnState
	Err   error
	Time  time.Time
}

// Updated is sent to the current screen after the root applied a feed
// message to the model, so a screen with derived state (a sorted, filtered
// list) can rebuild it.
type Updated struct{ What string } // "lists", "stats", "event", "conn"

// Apply changes the model by one feed message and returns what changed
// ("" if msg is not a feed message).
func (m *Model) Apply(msg any) string {
	switch msg := msg.(type) {
	case Lists:
		m.applyLists(msg)
		return "lists"
	case Frame:
		m.applyFrame(msg.Stats)
		return "stats"
	case EventLine:
		m.Events = append(m.Events, msg.Event)
		if n := len(m.Events); n > MaxEvents {
			m.Events = append(m.Events[:0:0], m.Events[n-MaxEvents:]...)
		}
		return "event"
	case Conn:
		if msg.State == Connected && m.Conn != Connected {
			// a new stream starts with the daemon's recent events again
			m.Events = m.Events[:0]
		}
		m.Conn, m.ConnTime = msg.State, msg.Time
		m.ConnErr = ""
		if msg.Err != nil {
			m.ConnErr = msg.Err.Error()
		}
		return "conn"
	}
	return ""
}

func (m *Model) applyLists(l Lists) {
	m.ListsTime = l.Time
	if l.Err != nil {
		m.ListErr = l.Err.Error()
		return
	}
	m.ListErr = ""
	if l.Partial {
		m.applyPartial(l)
		return
	}
	m.Status = l.Status
	m.Rev = l.Status.Revision
	m.Tenants = append([]api.Tenant(nil), l.Tenants...)
	sort.Slice(m.Tenants, func(i, j int) bool { return m.Tenants[i].Slug < m.Tenants[j].Slug })
	m.Backends = l.Backends
	m.setDomains(l.Domains)
	m.Certs = l.Certs
}

// applyPartial merges a partial re-read.
func (m *Model) applyPartial(l Lists) {
	if l.Domains != nil {
		m.setDomains(l.Domains)
	}
	if l.Certs != nil {
		m.Certs = l.Certs
	}
	if len(l.Backends) > 0 && m.Backends == nil {
		m.Backends = map[string][]api.Backend{}
	}
	for slug, bs := range l.Backends {
		m.Backends[slug] = bs
	}
}

// setDomains replaces the domains and their index by tenant.
func (m *Model) setDomains(ds []api.Domain) {
	m.Domains = append([]api.Domain(nil), ds...)
	sort.Slice(m.Domains, func(i, j int) bool { return m.Domains[i].Name < m.Domains[j].Name })
	m.ByTenant = make(map[string][]api.Domain, len(m.Tenants))
	for _, d := range m.Domains {
		m.ByTenant[d.Tenant] = append(m.ByTenant[d.Tenant], d)
	}
}

// Tenant returns the tenant with slug, if known.
func (m *Model) Tenant(slug string) (api.Tenant, bool) {
	i := sort.Search(len(m.Tenants), func(i int) bool { return m.Tenants[i].Slug >= slug })
	if i < len(m.Tenants) && m.Tenants[i].Slug == slug {
		return m.Tenants[i], true
	}
	return api.Tenant{}, false
}

// Uptime is the daemon's uptime now, from its status.
func (m *Model) Uptime(now time.Time) time.Duration {
	if m.Status.Started.IsZero() {
		return time.Duration(m.Status.UptimeSeconds * float64(time.Second))
	}
	return now.Sub(m.Status.Started)
}
