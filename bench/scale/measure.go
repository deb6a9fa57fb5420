package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/bench/internal/benchproc"
)

// start is one fresh start of foyer over one store.
type start struct {
	ready, firstOK  time.Duration // exec to /readyz 200; exec to a tenant's first 200
	rss, hwm        float64       // MiB once ready
	rssAfter, hwmAf float64       // MiB after a request to every tenant
	allTook         time.Duration // the request to every tenant
	allErrs         int           // of those, answers other than 200
	first, tenth    []float64     // seconds, per sampled tenant
	changes         []change      // the last start only
	changeCPU       time.Duration // foyer's CPU (user+system) per change: the API write and the rebuild
	rebuilds        []rebuild     // from foyer's debug log, the last start only
}

// measure starts foyer over dir and measures one start; on the last
// start it also times the config changes.
func measure(bin, dir, logPath string, n, round int, last bool, changes, touch int, bk *backends) (start, error) {
	var s start
	httpAddr, err := benchproc.FreeAddr()
	if err != nil {
		return s, err
	}
	httpsAddr, err := benchproc.FreeAddr()
	if err != nil {
		return s, err
	}
	ops, err := benchproc.FreeAddr()
	if err != nil {
		return s, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return s, err
	}
	defer logf.Close()
	args := []string{"serve", "--data", dir, "--http", httpAddr, "--https", httpsAddr, "--ops", ops, "--log-level", "debug"}
	if *engine != "" {
		args = append(args, "--engine", *engine)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if *gogc != "" {
		cmd.Env = append(os.Environ(), "GOGC="+*gogc)
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return s, err
	}
	defer benchproc.Stop(cmd)
	c := newClient()
	// Both polls start with the process: /readyz on the ops listener and
	// a request for tenant 0 on the HTTP listener.
	var wg sync.WaitGroup
	var readyErr, firstErr error
	wg.Go(func() { s.ready, readyErr = benchproc.WaitReady("http://"+ops+"/readyz", t0, time.Minute) })
	wg.Go(func() {
		s.firstOK, firstErr = benchproc.WaitStatus(newClient(), "http://"+httpAddr+"/", host(0), http.StatusOK, t0, time.Minute)
	})
	wg.Wait()
	if readyErr != nil || firstErr != nil {
		return s, fmt.Errorf("start-up: %v %v (foyer's log: %s)", readyErr, firstErr, logPath)
	}
	pid := cmd.Process.Pid
	if s.rss, s.hwm, err = benchproc.Memory(pid); err != nil {
		return s, err
	}
	if err := firstVsTenth(c, httpAddr, n, round, &s); err != nil {
		return s, err
	}
	t := time.Now()
	s.allErrs = everyTenant(httpAddr, touch)
	s.allTook = time.Since(t)
	if s.rssAfter, s.hwmAf, err = benchproc.Memory(pid); err != nil {
		return s, err
	}
	if last && *profile != "" {
		for _, p := range []string{"heap?gc=1", "goroutine"} {
			name, _, _ := strings.Cut(p, "?")
			path := filepath.Join(*profile, name+"-"+strconv.Itoa(n)+".pprof")
			if err := benchproc.Fetch("http://"+ops+"/debug/pprof/"+p, path); err != nil {
				return s, err
			}
		}
	}
	if !last || changes == 0 {
		s.rebuilds, err = rebuilds(logPath)
		return s, err
	}
	var profDone chan error
	if *profile != "" {
		profDone = make(chan error, 1)
		path := filepath.Join(*profile, "cpu-"+strconv.Itoa(n)+".pprof")
		go func() { profDone <- benchproc.Fetch("http://"+ops+"/debug/pprof/profile?seconds=10", path) }()
		time.Sleep(100 * time.Millisecond)
	}
	cpu0 := benchproc.CPUTime(pid)
	if s.changes, err = configChanges(c, api.NewClient(filepath.Join(dir, api.SocketName)), httpAddr, changes, bk); err != nil {
		return s, err
	}
	s.changeCPU = (benchproc.CPUTime(pid) - cpu0) / time.Duration(changes)
	if profDone != nil {
		if err := <-profDone; err != nil {
			return s, err
		}
	}
	time.Sleep(200 * time.Millisecond) // the last rebuild's log line
	s.rebuilds, err = rebuilds(logPath)
	return s, err
}

// newClient keeps one connection to foyer, so request timings hold no
// dial.
func newClient() *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}}
}

// get sends one request for host and returns its status and duration.
func get(c *http.Client, addr, h string) (int, time.Duration, error) {
	req, err := http.NewRequest("GET", "http://"+addr+"/", nil)
	if err != nil {
		return 0, 0, err
	}
	req.Host = h
	t := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(t), nil
}

// firstVsTenth sends ten requests in a row to each of -sample tenants
// (not tenant 0, which the start-up poll reached) and keeps the first's
// and the tenth's time.
func firstVsTenth(c *http.Client, addr string, n, round int, s *start) error {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(round)))
	seen := map[int]bool{0: true}
	for len(seen) <= min(*sampled, n-1) {
		i := 1 + rng.IntN(n-1)
		if seen[i] {
			continue
		}
		seen[i] = true
		for k := range 10 {
			code, d, err := get(c, addr, host(i))
			if err != nil || code != http.StatusOK {
				return fmt.Errorf("request %d to %s: %d %v", k+1, host(i), code, err)
			}
			switch k {
			case 0:
				s.first = append(s.first, d.Seconds())
			case 9:
				s.tenth = append(s.tenth, d.Seconds())
			}
		}
	}
	return nil
}

// everyTenant sends one request to each of tenants 0..n-1 from two
// clients and returns how many did not answer 200.
func everyTenant(addr string, n int) int {
	var next, bad atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			c := newClient()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if code, _, err := get(c, addr, host(i)); err != nil || code != http.StatusOK {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return int(bad.Load())
}

// change is one timed configuration change.
type change struct {
	kind    string
	write   time.Duration // the API call, until acknowledged
	visible time.Duration // acknowledgement to the first request showing it
}

// changeKinds are the changes made in turn, on a new tenant "scale-K":
// each leaves a state a request tells apart by its status.
var changeKinds = []struct {
	name string
	want int // the status once the change is in service
	do   func(ctx context.Context, a *api.Client, slug, url string) error
}{
	{"add tenant", http.StatusServiceUnavailable, func(ctx context.Context, a *api.Client, slug, _ string) error {
		_, err := a.CreateTenant(ctx, api.CreateTenantRequest{Slug: slug})
		return err
	}},
	{"add backend", http.StatusOK, func(ctx context.Context, a *api.Client, slug, url string) error {
		_, err := a.AddBackend(ctx, slug, "", api.AddBackendRequest{URL: url})
		return err
	}},
	{"remove backend", http.StatusServiceUnavailable, func(ctx context.Context, a *api.Client, slug, url string) error {
		return a.RemoveBackend(ctx, slug, "", url)
	}},
	{"remove tenant", http.StatusNotFound, func(ctx context.Context, a *api.Client, slug, _ string) error {
		return a.DeleteTenant(ctx, slug, true)
	}},
}

// configChanges makes n changes through the admin API and times
// each from its acknowledgement until a request for the tenant answers
// the new state, polling every 100us for at most 5s.
func configChanges(c *http.Client, a *api.Client, addr string, n int, bk *backends) ([]change, error) {
	ctx := context.Background()
	var out []change
	for i := range n {
		k := changeKinds[i%len(changeKinds)]
		s := "scale-" + strconv.Itoa(i/len(changeKinds))
		t0 := time.Now()
		if err := k.do(ctx, a, s, bk.urls[0]); err != nil {
			return nil, fmt.Errorf("change %d (%s %s): %w", i+1, k.name, s, err)
		}
		ack := time.Now()
		ch := change{kind: k.name, write: ack.Sub(t0)}
		for {
			code, _, err := get(c, addr, s+"."+base)
			if err == nil && code == k.want {
				ch.visible = time.Since(ack)
				break
			}
			if time.Since(ack) > 5*time.Second {
				return nil, fmt.Errorf("change %d (%s %s): not served within 5s (last status %d, %v)", i+1, k.name, s, code, err)
			}
			time.Sleep(100 * time.Microsecond)
		}
		out = append(out, ch)
		time.Sleep(20 * time.Millisecond) // let the daemon settle between changes
	}
	return out, nil
}
