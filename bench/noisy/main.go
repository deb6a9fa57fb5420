// Command noisy is the noisy-neighbour benchmark: a bounded open-loop load
// generator (fixed offered rates, not wrk at full speed, which on 2 cores
// measures CPU starvation). It starts two bench/backend servers and foyer
// with two tenants sharing them: tenant A rate-limited (and capped in
// flight) and flooded at 20 times its limit, tenant B at a moderate steady
// rate. It runs B alone, then B beside A's flood, and reports B's success
// rate (the target is 100%), B's latency percentiles in both phases (the
// target is p99 within 1.5x), what A got, and foyer's CPU.
//
//	go run ./bench/noisy                       # 2 rounds, 10 s per phase
//	go run ./bench/noisy -duration 3s -b-rate 100
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	duration  = flag.Duration("duration", 10*time.Second, "length of each phase (at most 2m)")
	aLimit    = flag.Float64("a-limit", 50, "tenant A's rate limit, requests per second")
	aFactor   = flag.Float64("a-factor", 20, "A's offered rate as a multiple of its limit")
	aInFlight = flag.Int("a-max-in-flight", 16, "tenant A's max-in-flight")
	bRate     = flag.Float64("b-rate", 200, "tenant B's offered rate, requests per second")
	maxOut    = flag.Int("max-outstanding", 2000, "requests in flight per tenant before the generator skips a send")
	foyerBin  = flag.String("foyer", "", "foyer binary (default: go build ./cmd/foyer)")
	backBin   = flag.String("backend", "", "bench/backend binary (default: go build ./bench/backend)")
	rounds    = flag.Int("rounds", 2, "interleaved rounds of (B alone, B + flood), 1..5")
	out       = flag.String("out", "bench/results/noisy.md", "where to write the report (\"\" for stdout only)")
)

func main() {
	flag.Parse()
	if *duration <= 0 || *duration > 2*time.Minute || *aLimit <= 0 || *bRate <= 0 || *aFactor <= 0 || *aLimit**aFactor > 20000 || *rounds < 1 || *rounds > 5 {
		log.Fatal("noisy: flags out of range (duration 0..2m, rates > 0, A's offered rate <= 20000/s, rounds 1..5)")
	}
	tmp, err := os.MkdirTemp("", "foyer-noisy-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	env := &env{tmp: tmp}
	defer env.stop()
	if err := env.start(); err != nil {
		env.stop()
		log.Fatalf("noisy: %v", err)
	}
	report := run(env)
	fmt.Print(report)
	if *out != "" {
		_ = os.MkdirAll(filepath.Dir(*out), 0o755)
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			log.Printf("noisy: write %s: %v", *out, err)
		}
	}
}

// env is the processes the benchmark started.
type env struct {
	tmp, foyer, data string
	httpAddr, ops    string
	procs            []*exec.Cmd
	foyerProc        *exec.Cmd
}

func (e *env) stop() {
	for _, p := range e.procs {
		if p.Process != nil {
			_ = p.Process.Kill()
			_ = p.Wait()
		}
	}
	e.procs = nil
}

func build(dst, pkg string) (string, error) {
	outp := filepath.Join(dst, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-o", outp, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return outp, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (e *env) spawn(name string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(name, args...)
	logf, err := os.Create(filepath.Join(e.tmp, filepath.Base(name)+strconv.Itoa(len(e.procs))+".log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e.procs = append(e.procs, cmd)
	return cmd, nil
}

func waitOK(url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready in 30s", url)
}

func (e *env) fy(args ...string) error {
	cmd := exec.Command(e.foyer, append([]string{"--data", e.data}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("foyer %s: %v: %s", strings.Join(args, " "), err, b)
	}
	return nil
}

func (e *env) start() error {
	var err error
	e.foyer = *foyerBin
	if e.foyer == "" {
		if e.foyer, err = build(e.tmp, "./cmd/foyer"); err != nil {
			return err
		}
	}
	backend := *backBin
	if backend == "" {
		if backend, err = build(e.tmp, "./bench/backend"); err != nil {
			return err
		}
	}
	var backends []string
	for range 2 {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		if _, err := e.spawn(backend, "-addr", addr); err != nil {
			return err
		}
		if err := waitOK("http://" + addr + "/"); err != nil {
			return err
		}
		backends = append(backends, "http://"+addr)
	}
	if e.httpAddr, err = freeAddr(); err != nil {
		return err
	}
	if e.ops, err = freeAddr(); err != nil {
		return err
	}
	e.data = filepath.Join(e.tmp, "data")
	if err := os.MkdirAll(e.data, 0o700); err != nil {
		return err
	}
	if e.foyerProc, err = e.spawn(e.foyer, "serve", "--data", e.data, "--http", e.httpAddr, "--https", "", "--ops", e.ops); err != nil {
		return err
	}
	if err := waitOK("http://" + e.ops + "/readyz"); err != nil {
		return err
	}
	steps := [][]string{{"settings", "set", "base-domain", "test"}}
	for _, t := range []string{"a", "b"} {
		steps = append(steps, []string{"tenant", "add", t})
		for _, b := range backends {
			steps = append(steps, []string{"backend", "add", t, b})
		}
	}
	lim := strconv.FormatFloat(*aLimit, 'f', -1, 64)
	steps = append(steps, []string{"policy", "set", "a", "rate=" + lim, "burst=" + lim, "max-in-flight=" + strconv.Itoa(*aInFlight)})
	for _, s := range steps {
		if err := e.fy(s...); err != nil {
			return err
		}
	}
	time.Sleep(200 * time.Millisecond) // the table rebuild is asynchronous; then check both tenants
	for _, t := range []string{"a", "b"} {
		if code, _ := send(http.DefaultClient, "http://"+e.httpAddr+"/", t+".test"); code != 200 {
			return fmt.Errorf("pre-flight: tenant %s answered %d", t, code)
		}
	}
	return nil
}

func send(c *http.Client, url, host string) (int, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Host = host
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// result is what one tenant's generator saw in one phase.
type result struct {
	mu        sync.Mutex
	lat       []time.Duration // of 2xx answers, from the scheduled send time
	codes     map[int]int
	errs      int
	skipped   int // not sent: max-outstanding reached
	scheduled int
}

// generate offers rate requests per second for d, open loop: each send is
// scheduled at start + i/rate whatever the answers do, and latency counts
// from the scheduled time (no coordinated omission).
func generate(ctx context.Context, c *http.Client, url, host string, rate float64, d time.Duration, wg *sync.WaitGroup) *result {
	r := &result{codes: map[int]int{}}
	n := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	var outstanding atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		var inner sync.WaitGroup
		for i := 0; i < n && ctx.Err() == nil; i++ {
			due := start.Add(time.Duration(i) * interval)
			if wait := time.Until(due); wait > 0 {
				time.Sleep(wait)
			}
			r.scheduled++
			if outstanding.Load() >= int64(*maxOut) {
				r.skipped++
				continue
			}
			outstanding.Add(1)
			inner.Add(1)
			go func() {
				defer inner.Done()
				defer outstanding.Add(-1)
				code, err := send(c, url, host)
				took := time.Since(due)
				r.mu.Lock()
				defer r.mu.Unlock()
				if err != nil {
					r.errs++
					return
				}
				r.codes[code]++
				if code/100 == 2 {
					r.lat = append(r.lat, took)
				}
			}()
		}
		inner.Wait()
	}()
	return r
}

func (r *result) ok() int { return len(r.lat) }

func (r *result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), r.lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func cpuSeconds(p *exec.Cmd) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.Process.Pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ
}

type phase struct {
	name string
	a, b *result
	cpu  float64
	wall time.Duration
}

func runPhase(e *env, name string, flood bool) phase {
	tr := &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 0, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), *duration+30*time.Second)
	defer cancel()
	url := "http://" + e.httpAddr + "/"
	cpu0, t0 := cpuSeconds(e.foyerProc), time.Now()
	var wg sync.WaitGroup
	ph := phase{name: name}
	ph.b = generate(ctx, c, url, "b.test", *bRate, *duration, &wg)
	if flood {
		ph.a = generate(ctx, c, url, "a.test", *aLimit**aFactor, *duration, &wg)
	}
	wg.Wait()
	ph.cpu, ph.wall = cpuSeconds(e.foyerProc)-cpu0, time.Since(t0)
	return ph
}

func run(e *env) string {
	// A short warm-up so both phases start with warm connection pools.
	warm := *duration
	*duration = min(2*time.Second, warm)
	runPhase(e, "warm-up", false)
	*duration = warm
	var phases []phase
	var alone, flood []time.Duration
	okB := true
	for r := 1; r <= *rounds; r++ {
		base := runPhase(e, fmt.Sprintf("%d: B alone", r), false)
		noisy := runPhase(e, fmt.Sprintf("%d: B + A's flood", r), true)
		phases = append(phases, base, noisy)
		alone, flood = append(alone, base.b.pct(0.99)), append(flood, noisy.b.pct(0.99))
		okB = okB && noisy.b.ok() == noisy.b.scheduled && base.b.ok() == base.b.scheduled
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# noisy neighbour (%s per phase, %s)\n\n", *duration, time.Now().UTC().Format(time.DateOnly))
	fmt.Fprintf(&b, "Tenant A: rate limit %g/s, max-in-flight %d, offered %g/s (%gx). Tenant B: offered %g/s. Two shared backends.\n\n",
		*aLimit, *aInFlight, *aLimit**aFactor, *aFactor, *bRate)
	fmt.Fprintf(&b, "| phase | B sent | B 2xx | B success | B p50 | B p99 | B max | A sent | A 200 | A 429 | A 503 | foyer CPU |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, ph := range phases {
		sent := ph.b.scheduled - ph.b.skipped
		succ := 100 * float64(ph.b.ok()) / float64(max(1, ph.b.scheduled))
		aSent, a200, a429, a503 := "-", "-", "-", "-"
		if ph.a != nil {
			aSent = strconv.Itoa(ph.a.scheduled - ph.a.skipped)
			a200, a429, a503 = strconv.Itoa(ph.a.codes[200]), strconv.Itoa(ph.a.codes[429]), strconv.Itoa(ph.a.codes[503])
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %.2f%% | %s | %s | %s | %s | %s | %s | %s | %.2fs (%.0f%% of a core) |\n",
			ph.name, sent, ph.b.ok(), succ, ms(ph.b.pct(0.50)), ms(ph.b.pct(0.99)), ms(ph.b.pct(1)),
			aSent, a200, a429, a503, ph.cpu, 100*ph.cpu/ph.wall.Seconds())
	}
	ratio := float64(median(flood)) / float64(max(1, median(alone)))
	verdict := "met"
	if ratio > 1.5 {
		verdict = "missed"
	}
	fmt.Fprintf(&b, "\nB's median p99 under the flood (%s) is %.2fx its median p99 alone (%s) (target <= 1.5x: %s). "+
		"B success 100%% in every phase: %v.\n", ms(median(flood)), ratio, ms(median(alone)), verdict, okB)
	for _, ph := range phases {
		if ph.b.ok() != ph.b.scheduled {
			fmt.Fprintf(&b, "%s: B's answers %v, transport errors %d, skipped %d\n", ph.name, ph.b.codes, ph.b.errs, ph.b.skipped)
		}
	}
	return b.String()
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + "ms" }
