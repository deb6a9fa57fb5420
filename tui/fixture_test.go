package tui

import (
	"fmt"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
)

// The model tests feed the root the messages the feed would send, built
// from api types: the TUI's input, not a stand-in for the daemon.

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixedNow is the tests' clock: the daemon started an hour and two minutes
// before.
func fixedNow() time.Time { return t0.Add(62 * time.Minute) }

func backends(slug string, healthy, total int) []api.Backend {
	var out []api.Backend
	for i := range total {
		h := "healthy"
		if i >= healthy {
			h = "unhealthy"
		}
		out = append(out, api.Backend{Tenant: slug, Pool: "default", URL: fmt.Sprintf("http://10.0.0.%d:8080", i+1), Health: h})
	}
	return out
}

// fixtureLists is four tenants: acme (busy, healthy), globex (suspended),
// initech (a failed domain, a backend down), umbrella (quiet, issuing).
func fixtureLists() data.Lists {
	ts := []api.Tenant{
		{Slug: "acme", Name: "Acme Inc.", State: "active"},
		{Slug: "globex", Name: "Globex", State: "suspended"},
		{Slug: "initech", Name: "Initech", State: "active"},
		{Slug: "umbrella", Name: "Umbrella Corp", State: "active"},
	}
	return data.Lists{
		Time:    t0,
		Status:  api.Status{Version: "v0.9.0", Started: t0, Revision: 7, Counts: api.Counts{Tenants: 4}},
		Tenants: ts,
		Backends: map[string][]api.Backend{
			"acme": backends("acme", 3, 3), "initech": backends("initech", 1, 2), "umbrella": backends("umbrella", 1, 1),
		},
		Domains: []api.Domain{
			{Name: "shop.acme.test", Tenant: "acme", State: "active"},
			{Name: "www.acme.test", Tenant: "acme", State: "active"},
			{Name: "app.initech.test", Tenant: "initech", State: "failed"},
			{Name: "initech.test", Tenant: "initech", State: "active"},
			{Name: "umbrella.test", Tenant: "umbrella", State: "issuing"},
		},
	}
}

// fixtureFrames is n one-second stats frames. acme serves steadily and
// grows; initech's p99 jumps in the last frame (a spike); umbrella is
// quiet.
func fixtureFrames(n int) []data.Frame {
	var out []data.Frame
	var acme, initech [6]uint64
	for i := range n {
		acme[2] += uint64(100 + i)
		acme[4] += 5
		initech[2] += 20
		initech[5] += 1
		p99 := 20 * time.Millisecond
		if i == n-1 {
			p99 = 90 * time.Millisecond
		}
		out = append(out, data.Frame{Stats: api.Stats{Time: t0.Add(time.Duration(i+1) * time.Second), Tenants: []api.TenantStats{
			{Tenant: "acme", Rate1: float64(105 + i), Rate10: 100, P50: 3 * time.Millisecond, P99: 12 * time.Millisecond,
				InFlight: 4, BytesInRate: 20 << 10, BytesOutRate: 1 << 20, Status: acme},
			{Tenant: "initech", Rate1: 21, Rate10: 21, ErrorRatio: 0.05, P50: 8 * time.Millisecond, P99: p99,
				InFlight: 1, BytesInRate: 2 << 10, BytesOutRate: 40 << 10, Status: initech},
		}}})
	}
	return out
}

// manyTenants is n tenants with traffic, for the benchmark.
func manyTenants(n, frames int) *data.Model {
	d := &data.Model{Socket: "admin.sock"}
	l := data.Lists{Time: t0, Status: api.Status{Version: "v0.9.0", Started: t0}, Backends: map[string][]api.Backend{}}
	for i := range n {
		slug := fmt.Sprintf("tenant-%04d", i)
		l.Tenants = append(l.Tenants, api.Tenant{Slug: slug, Name: slug, State: "active"})
		l.Backends[slug] = backends(slug, 3, 3)
		l.Domains = append(l.Domains, api.Domain{Name: slug + ".example.test", Tenant: slug, State: "active"})
	}
	d.Apply(l)
	for f := range frames {
		st := api.Stats{Time: t0.Add(time.Duration(f) * time.Second)}
		for i := range n {
			st.Tenants = append(st.Tenants, api.TenantStats{Tenant: l.Tenants[i].Slug, Rate1: float64(i%50 + f%7),
				P50: time.Millisecond, P99: 9 * time.Millisecond, Status: [6]uint64{0, 0, uint64(f * 10), 0, uint64(f), 0}})
		}
		d.Apply(data.Frame{Stats: st})
	}
	return d
}

// lastFrame rebuilds d's newest stats frame from its series.
func lastFrame(d *data.Model) *api.Stats {
	st := &api.Stats{Time: d.StatsTime.Add(time.Second)}
	for _, t := range d.Tenants {
		if s := d.Stats[t.Slug]; s != nil {
			st.Tenants = append(st.Tenants, s.Latest)
		}
	}
	return st
}
