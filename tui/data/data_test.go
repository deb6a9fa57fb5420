package data

import (
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func frame(i int, ts ...api.TenantStats) Frame {
	return Frame{Stats: api.Stats{Time: t0.Add(time.Duration(i) * time.Second), Tenants: ts}}
}

// Ensure that a series keeps the newest HistoryLen samples, newest first
// in At and oldest first in Rates, and that its averages cover exactly them.
func TestSeriesRing(t *testing.T) {
	var m Model
	for i := range HistoryLen + 50 {
		m.Apply(frame(i, api.TenantStats{Tenant: "acme", Rate1: float64(i), P99: time.Duration(i) * time.Millisecond}))
	}
	s := m.Stats["acme"]
	if s.Len() != HistoryLen {
		t.Fatalf("Len = %d, want %d", s.Len(), HistoryLen)
	}
	newest, _ := s.At(0)
	oldest, _ := s.At(HistoryLen - 1)
	if newest.Rate != HistoryLen+49 || oldest.Rate != 50 {
		t.Errorf("newest %v oldest %v, want %d and 50", newest.Rate, oldest.Rate, HistoryLen+49)
	}
	if _, ok := s.At(HistoryLen); ok {
		t.Error("At past the end answered ok")
	}
	r := s.Rates(nil, 3)
	if len(r) != 3 || r[0] != HistoryLen+47 || r[2] != HistoryLen+49 {
		t.Errorf("Rates(3) = %v", r)
	}
	_, p99, n := s.Averages()
	want := time.Duration(50+HistoryLen+49) * time.Millisecond / 2 // mean of 50..349 ms
	if n != HistoryLen || p99 != want {
		t.Errorf("Averages p99 = %v over %d, want %v over %d", p99, n, want, HistoryLen)
	}
}

// Ensure that a tenant is spiking only when its 5xx share or p99 is more
// than twice its own average, and never before MinSpikeSamples.
func TestSpiking(t *testing.T) {
	cases := []struct {
		name       string
		n          int
		last       api.TenantStats
		wantSpiked bool
	}{
		{"steady", 60, api.TenantStats{P99: 10 * time.Millisecond, ErrorRatio: 0.01}, false},
		{"p99 triples", 60, api.TenantStats{P99: 30 * time.Millisecond, ErrorRatio: 0.01}, true},
		{"5xx triples", 60, api.TenantStats{P99: 10 * time.Millisecond, ErrorRatio: 0.03}, true},
		{"too young", MinSpikeSamples - 2, api.TenantStats{P99: 90 * time.Millisecond}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m Model
			for i := range c.n {
				m.Apply(frame(i, api.TenantStats{Tenant: "acme", P99: 10 * time.Millisecond, ErrorRatio: 0.01}))
			}
			c.last.Tenant = "acme"
			m.Apply(frame(c.n, c.last))
			if got := m.Stats["acme"].Spiking(); got != c.wantSpiked {
				t.Errorf("Spiking = %v, want %v", got, c.wantSpiked)
			}
		})
	}
}

// Ensure that the class shares come from the counters' growth over the
// window, not from the totals since the daemon started.
func TestClassShare(t *testing.T) {
	var m Model
	m.Apply(frame(0, api.TenantStats{Tenant: "acme", Status: [6]uint64{0, 0, 1000, 0, 0, 0}}))
	m.Apply(frame(1, api.TenantStats{Tenant: "acme", Status: [6]uint64{0, 0, 1060, 0, 30, 10}}))
	ok2, c4, c5 := m.Stats["acme"].ClassShare(60)
	if ok2 != 0.6 || c4 != 0.3 || c5 != 0.1 {
		t.Errorf("ClassShare = %v %v %v, want 0.6 0.3 0.1", ok2, c4, c5)
	}
}

// Ensure that a tenant missing from a frame (no traffic for five minutes)
// gets a zero sample; that lists index domains by tenant, keep the old
// lists when a re-read failed and merge a partial re-read; that events are
// bounded and cleared when a new stream starts.
func TestApply(t *testing.T) {
	var m Model
	m.Apply(frame(0, api.TenantStats{Tenant: "acme", Rate1: 5, InFlight: 2}))
	m.Apply(frame(1))
	if s := m.Stats["acme"]; s.Latest.Rate1 != 0 || s.Len() != 2 {
		t.Errorf("absent tenant: latest %+v, %d samples", s.Latest, s.Len())
	}
	m.Apply(Lists{Tenants: []api.Tenant{{Slug: "b"}, {Slug: "a"}}, Domains: []api.Domain{{Name: "x.test", Tenant: "a"}}})
	if m.Tenants[0].Slug != "a" || len(m.ByTenant["a"]) != 1 {
		t.Errorf("lists: tenants %v, by tenant %v", m.Tenants, m.ByTenant)
	}
	if _, ok := m.Tenant("b"); !ok {
		t.Error("Tenant(b) not found")
	}
	m.Apply(Lists{Err: errTest})
	if len(m.Tenants) != 2 || m.ListErr != "boom" {
		t.Errorf("failed re-read: tenants %v, ListErr %q", m.Tenants, m.ListErr)
	}
	m.Apply(Lists{Partial: true, Domains: []api.Domain{{Name: "y.test", Tenant: "b"}},
		Backends: map[string][]api.Backend{"a": {{URL: "http://127.0.0.1:1"}}}})
	if len(m.Tenants) != 2 || len(m.ByTenant["b"]) != 1 || len(m.ByTenant["a"]) != 0 || len(m.Backends["a"]) != 1 {
		t.Errorf("partial re-read: tenants %v, by tenant %v, backends %v", m.Tenants, m.ByTenant, m.Backends)
	}
	for i := range MaxEvents + 5 {
		m.Apply(EventLine{Event: api.Event{Type: "event", Rev: uint64(i)}})
	}
	if len(m.Events) != MaxEvents || m.Events[0].Rev != 5 {
		t.Errorf("events: %d kept, oldest rev %d", len(m.Events), m.Events[0].Rev)
	}
	m.Apply(Conn{State: Connected})
	if len(m.Events) != 0 {
		t.Errorf("a new stream kept %d old events", len(m.Events))
	}
}

type testErr string

func (e testErr) Error() string { return string(e) }

var errTest = testErr("boom")
