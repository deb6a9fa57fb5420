package admin

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// listPools is GET /v1/tenants/{slug}/pools.
func (s *Server) listPools(w http.ResponseWriter, r *http.Request) error {
	var ps []store.Pool
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) {
		if _, err = tx.Tenant(r.PathValue("slug")); err != nil {
			return err
		}
		ps, err = tx.Pools(r.PathValue("slug"))
		return err
	})
	if err != nil {
		return fmt.Errorf("listing pools: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(ps, apiPool))
	return nil
}

// setPool is PUT /v1/tenants/{slug}/pools/{pool}: the fields sent change,
// the rest keep their value, in one transaction.
func (s *Server) setPool(w http.ResponseWriter, r *http.Request) error {
	var req api.SetPoolRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var p store.Pool
	err := s.update(r, func(tx store.Tx) error {
		cur, err := tx.Pool(r.PathValue("slug"), r.PathValue("pool"))
		if errors.Is(err, store.ErrNotFound) {
			cur, err = store.Pool{Tenant: r.PathValue("slug"), Name: r.PathValue("pool")}, nil
		}
		if err != nil {
			return err
		}
		p = cur.WithDefaults()
		if err := applyPool(&p, req); err != nil {
			return err
		}
		return tx.SetPool(&p)
	})
	if err != nil {
		return fmt.Errorf("setting pool: %w", err)
	}
	writeJSON(w, http.StatusOK, apiPool(p))
	return nil
}

// applyPool copies the fields req sets onto p.
func applyPool(p *store.Pool, req api.SetPoolRequest) error {
	setS := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setI := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	if req.Algorithm != nil {
		p.Algorithm = store.Algorithm(*req.Algorithm)
	}
	setS(&p.HashKey, req.HashKey)
	if req.Sticky != nil {
		p.Sticky = *req.Sticky
	}
	setS(&p.HealthPath, req.HealthPath)
	setS(&p.HealthStatus, req.HealthStatus)
	setI(&p.HealthyThreshold, req.HealthyThreshold)
	setI(&p.UnhealthyThreshold, req.UnhealthyThreshold)
	setI(&p.MaxFails, req.MaxFails)
	for _, d := range []struct {
		field string
		dst   *store.Duration
		v     *string
	}{
		{"pool.health_interval", &p.HealthInterval, req.HealthInterval},
		{"pool.health_timeout", &p.HealthTimeout, req.HealthTimeout},
		{"pool.cooldown", &p.Cooldown, req.Cooldown},
		{"pool.slow_start", &p.SlowStart, req.SlowStart},
	} {
		if d.v == nil {
			continue
		}
		v, err := time.ParseDuration(*d.v)
		if err != nil {
			return store.Errf(store.ErrInvalid, d.field, "write a duration such as 10s or 1m30s", "%q is not a duration", *d.v)
		}
		*d.dst = store.Duration(v)
	}
	// A shorter interval without a timeout given: let the timeout follow
	// (it defaults to min(2s, interval)) instead of refusing a stale one.
	if req.HealthInterval != nil && req.HealthTimeout == nil && p.HealthTimeout > p.HealthInterval {
		p.HealthTimeout = 0
	}
	return nil
}

// drainBackend is POST /v1/tenants/{slug}/pools/{pool}/backends/drain?url=.
func (s *Server) drainBackend(w http.ResponseWriter, r *http.Request) error {
	return s.setDrained(w, r, true)
}

// undrainBackend is POST /v1/tenants/{slug}/pools/{pool}/backends/undrain?url=.
func (s *Server) undrainBackend(w http.ResponseWriter, r *http.Request) error {
	return s.setDrained(w, r, false)
}

func (s *Server) setDrained(w http.ResponseWriter, r *http.Request, drained bool) error {
	u := r.URL.Query().Get("url")
	if u == "" {
		return errorf(errBadRequest, "url", "name the backend: ?url=http://127.0.0.1:8001",
			"query parameter url is missing")
	}
	slug, pool := r.PathValue("slug"), r.PathValue("pool")
	var out store.Backend
	err := s.update(r, func(tx store.Tx) error {
		if err := tx.SetBackendDrained(slug, pool, u, drained); err != nil {
			return err
		}
		bs, err := tx.Backends(slug)
		if err != nil {
			return err
		}
		canon, _ := store.ValidateBackendURL(u)
		for _, b := range bs {
			if b.Pool == pool && b.URL == canon {
				out = b
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("draining backend: %w", err)
	}
	writeJSON(w, http.StatusOK, s.apiBackendHealth(out))
	return nil
}

// apiBackendHealth is a backend with its runtime health.
func (s *Server) apiBackendHealth(b store.Backend) api.Backend {
	out := apiBackend(b)
	out.Drained = b.Drained
	out.Health = api.HealthUnknown
	if s.health != nil {
		if h, ok := s.health(b.ID); ok {
			out.Health, out.LastError, out.InFlight = h.State, h.LastError, h.InFlight
			if !h.Changed.IsZero() {
				c := h.Changed.UTC()
				out.Changed = &c
			}
		}
	}
	if b.Drained {
		out.Health = api.HealthDraining
	}
	return out
}
