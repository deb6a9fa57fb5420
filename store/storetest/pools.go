package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

func testPools(t *testing.T, s store.Store) {
	// Ensure that SetPool creates a pool with defaults, keeps its ID on
	// change, validates every field by name, and that drain is stored and
	// audited.
	ctx := context.Background()
	createTenants(t, s, "acme")
	update(t, s, func(tx store.Tx) error {
		return tx.SetPool(&store.Pool{Tenant: "acme", Name: "api", Algorithm: store.LeastConn})
	})
	var p store.Pool
	view := func(name string) {
		t.Helper()
		if err := s.View(ctx, func(tx store.Tx) (err error) { p, err = tx.Pool("acme", name); return err }); err != nil {
			t.Fatalf("read pool %s: %v", name, err)
		}
	}
	view("api")
	if p.ID == 0 || p.Algorithm != store.LeastConn || p.HealthPath != "" || p.HealthInterval.D() != store.DefaultHealthInterval ||
		p.HealthStatus != "200-399" || p.HealthyThreshold != 2 || p.UnhealthyThreshold != 3 || p.Cooldown.D() != store.DefaultCooldown {
		t.Fatalf("new pool = %+v; want ID and defaults", p)
	}
	id := p.ID
	update(t, s, func(tx store.Tx) error {
		return tx.SetPool(&store.Pool{Tenant: "acme", Name: "api", Algorithm: store.HeaderHash, HashKey: "X-User",
			HealthPath: "/healthz", HealthInterval: store.Duration(time.Second), HealthTimeout: store.Duration(500 * time.Millisecond),
			HealthStatus: "200-299", MaxFails: 3, SlowStart: store.Duration(30 * time.Second), Sticky: true})
	})
	view("api")
	if p.ID != id || p.HashKey != "X-User" || !p.Sticky || p.HealthPath != "/healthz" || p.MaxFails != 3 || p.SlowStart.D() != 30*time.Second {
		t.Fatalf("pool after set = %+v", p)
	}
	log, err := s.AuditLog(ctx, 1, 0)
	if err != nil || len(log) != 1 || !strings.HasPrefix(log[0].Actions[0], "pool.set acme/api algorithm=header_hash") {
		t.Fatalf("audit after pool.set = %+v, %v", log, err)
	}

	refused := []struct {
		field string
		p     store.Pool
	}{
		{"pool.algorithm", store.Pool{Algorithm: "random"}},
		{"pool.hash_key", store.Pool{Algorithm: store.CookieHash}},
		{"pool.hash_key", store.Pool{Algorithm: store.HeaderHash, HashKey: "X User"}},
		{"pool.health_path", store.Pool{HealthPath: "healthz"}},
		{"pool.health_interval", store.Pool{HealthInterval: store.Duration(time.Millisecond)}},
		{"pool.health_timeout", store.Pool{HealthInterval: store.Duration(time.Second), HealthTimeout: store.Duration(2 * time.Second)}},
		{"pool.health_status", store.Pool{HealthStatus: "600-700"}},
		{"pool.health_status", store.Pool{HealthStatus: "399-200"}},
		{"pool.healthy_threshold", store.Pool{HealthyThreshold: -1}},
		{"pool.unhealthy_threshold", store.Pool{UnhealthyThreshold: 101}},
		{"pool.max_fails", store.Pool{MaxFails: -1}},
		{"pool.cooldown", store.Pool{Cooldown: store.Duration(2 * time.Hour)}},
		{"pool.slow_start", store.Pool{SlowStart: store.Duration(time.Millisecond)}},
		{"pool.name", store.Pool{Name: "Bad Name"}},
	}
	for _, c := range refused {
		err := s.Update(ctx, "test", func(tx store.Tx) error {
			p := c.p
			p.Tenant = "acme"
			if p.Name == "" {
				p.Name = "api"
			}
			return tx.SetPool(&p)
		})
		if !errors.Is(err, store.ErrInvalid) || store.FieldOf(err) != c.field {
			t.Errorf("SetPool(%+v) = %v (field %q); want invalid %s", c.p, err, store.FieldOf(err), c.field)
		}
	}
	err = s.Update(ctx, "test", func(tx store.Tx) error { return tx.SetPool(&store.Pool{Tenant: "nobody"}) })
	wantKind(t, err, store.ErrNotFound)

	// Drain.
	update(t, s, func(tx store.Tx) error {
		return tx.AddBackend(&store.Backend{Tenant: "acme", URL: "http://127.0.0.1:8001"})
	})
	rev := s.Revision()
	update(t, s, func(tx store.Tx) error { return tx.SetBackendDrained("acme", "", "http://127.0.0.1:8001", true) })
	bs, err := s.ListBackends(ctx, "acme")
	if err != nil || len(bs) != 1 || !bs[0].Drained || s.Revision() == rev {
		t.Fatalf("after drain: %+v, %v, revision %d (was %d)", bs, err, s.Revision(), rev)
	}
	update(t, s, func(tx store.Tx) error {
		return tx.SetBackendDrained("acme", "default", "http://127.0.0.1:8001/", false)
	})
	if bs, _ = s.ListBackends(ctx, "acme"); bs[0].Drained {
		t.Fatal("undrain kept the backend drained")
	}
	err = s.Update(ctx, "test", func(tx store.Tx) error { return tx.SetBackendDrained("acme", "", "http://127.0.0.1:9", true) })
	wantKind(t, err, store.ErrNotFound)
	view("default")
	if p.Algorithm != store.RoundRobin {
		t.Fatalf("pool made by AddBackend = %+v", p)
	}
}
