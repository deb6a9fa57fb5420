package balance

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Target is one pool's active health check.
type Target struct {
	PoolID             uint64
	Path               string        // GET backend URL + Path
	Interval, Timeout  time.Duration // between checks; for one check
	StatusLo, StatusHi int           // a healthy answer's status range, inclusive
	Healthy, Unhealthy int           // passes / failures in a row that change the verdict
	Upstreams          []*Upstream
}

// same reports whether t and o check the same way (backends aside).
func (t Target) same(o Target) bool {
	t.Upstreams, o.Upstreams = nil, nil
	return t.PoolID == o.PoolID && t.Path == o.Path && t.Interval == o.Interval && t.Timeout == o.Timeout &&
		t.StatusLo == o.StatusLo && t.StatusHi == o.StatusHi && t.Healthy == o.Healthy && t.Unhealthy == o.Unhealthy
}

// Checker runs the active health checks: one goroutine per pool that has
// them, owned by Run's context. Set replaces the targets on every table
// swap: a pool whose check is unchanged keeps its goroutine (and gets the
// new backend list); a changed one is restarted; a removed one is stopped
// and its backends are marked healthy again. Verdicts live in the
// backends' State, keyed by ID, so they survive rebuilds.
type Checker struct {
	client *http.Client
	log    *slog.Logger

	mu      sync.Mutex // guards ctx, pools, targets
	ctx     context.Context
	pools   map[uint64]*poolCheck
	targets []Target
	wg      sync.WaitGroup
}

type poolCheck struct {
	t      Target
	ups    chan []*Upstream // the newest backend list, handed to the goroutine
	cancel context.CancelFunc
}

// NewChecker returns a Checker; it checks nothing until Run.
func NewChecker(log *slog.Logger) *Checker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := &http.Transport{DisableKeepAlives: true} // every check opens a connection, as a new client would
	return &Checker{client: &http.Client{Transport: tr, CheckRedirect: noRedirect}, log: log, pools: map[uint64]*poolCheck{}}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Run checks until ctx ends, then stops every pool's goroutine and waits
// for them.
func (c *Checker) Run(ctx context.Context) {
	c.mu.Lock()
	c.ctx = ctx
	ts := c.targets
	c.mu.Unlock()
	c.Set(ts)
	<-ctx.Done()
	c.mu.Lock()
	for id, pc := range c.pools {
		pc.cancel()
		delete(c.pools, id)
	}
	c.mu.Unlock()
	c.wg.Wait()
}

// Set makes ts the pools to check.
func (c *Checker) Set(ts []Target) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.targets = ts
	keep := map[uint64]bool{}
	for _, t := range ts {
		keep[t.PoolID] = true
	}
	for id, pc := range c.pools {
		if !keep[id] {
			pc.cancel()
			delete(c.pools, id)
			for _, u := range pc.t.Upstreams {
				u.State.setDown(false, "")
			}
		}
	}
	if c.ctx == nil || c.ctx.Err() != nil {
		return
	}
	for _, t := range ts {
		if pc := c.pools[t.PoolID]; pc != nil && pc.t.same(t) {
			select {
			case <-pc.ups: // drop a list the goroutine has not taken yet
			default:
			}
			pc.ups <- t.Upstreams
			continue
		} else if pc != nil {
			pc.cancel()
		}
		ctx, cancel := context.WithCancel(c.ctx)
		pc := &poolCheck{t: t, ups: make(chan []*Upstream, 1), cancel: cancel}
		c.pools[t.PoolID] = pc
		c.wg.Add(1)
		go c.loop(ctx, pc)
	}
}

// loop checks every backend of one pool each interval, at once.
func (c *Checker) loop(ctx context.Context, pc *poolCheck) {
	defer c.wg.Done()
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("health checker panicked", "pool", pc.t.PoolID, "panic", v)
		}
	}()
	t, ups := pc.t, pc.t.Upstreams
	tick := time.NewTicker(t.Interval)
	defer tick.Stop()
	for {
		var wg sync.WaitGroup
		for _, u := range ups {
			wg.Add(1)
			go func() { defer wg.Done(); c.checkOne(ctx, t, u) }()
		}
		wg.Wait()
		select {
		case <-ctx.Done():
			return
		case ups = <-pc.ups:
		case <-tick.C:
		}
	}
}

// checkOne runs one check of u and applies the thresholds.
func (c *Checker) checkOne(ctx context.Context, t Target, u *Upstream) {
	err := c.probe(ctx, t, u)
	if ctx.Err() != nil {
		return // stopping: not the backend's fault
	}
	s := u.State
	if err == nil {
		s.checkFail.Store(0)
		if n := s.checkOK.Add(1); s.down.Load() && n >= int32(t.Healthy) {
			s.setDown(false, "")
			c.log.Info("backend healthy again", "backend", u.URL.Redacted())
		}
		return
	}
	s.checkOK.Store(0)
	n := s.checkFail.Add(1)
	if n >= int32(t.Unhealthy) {
		if !s.down.Load() {
			c.log.Warn("backend unhealthy", "backend", u.URL.Redacted(), "err", err)
		}
		s.setDown(true, err.Error())
		return
	}
	s.note(err.Error(), false)
}

func (c *Checker) probe(ctx context.Context, t Target, u *Upstream) error {
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	target := *u.URL
	target.Path = joinPath(u.URL.Path, t.Path)
	target.RawPath = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	req.Header.Set("User-Agent", "foyer-health-check")
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("health check GET %s: %w", t.Path, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode < t.StatusLo || resp.StatusCode > t.StatusHi {
		return fmt.Errorf("health check GET %s: status %d, want %d-%d", t.Path, resp.StatusCode, t.StatusLo, t.StatusHi)
	}
	return nil
}

func joinPath(base, p string) string {
	if len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + p
}
