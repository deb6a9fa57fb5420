// Command accesslog benchmarks the access log at full proxy load. It starts
// bench/backend and foyer (a temp data dir, tenants t0..tN under base
// domain "test"), then:
//
//  1. Logging on vs off: interleaved rounds on the same daemon, switched
//     with `foyer settings set access-log on|off` between rounds, each
//     round wrk (or, without wrk, the built-in Go load generator) at full
//     speed for -duration. It reports requests per second and foyer's CPU
//     per request for each mode (medians over rounds) and their ratio;
//     the target is under 10% fewer requests per second with logging on.
//     With -profile it also takes a CPU profile of one logging-on round
//     from the ops listener's /debug/pprof/profile and prints its top.
//
//  2. Sustained load with retention set small (-sustain long, at a
//     bounded rate): logs.db's size sampled every -sample, to show that
//     it stops growing once retention passes (once a minute) run.
//
//     go run ./bench/accesslog                         # 3 rounds x 5 s, then 150 s sustained
//     go run ./bench/accesslog -rounds 1 -duration 2s -sustain 0   # a smoke test
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	duration  = flag.Duration("duration", 5*time.Second, "length of each on/off round (at most 1m)")
	rounds    = flag.Int("rounds", 3, "interleaved rounds of (on, off), 1..10")
	conns     = flag.Int("conns", 50, "open keep-alive connections")
	threads   = flag.Int("threads", 2, "wrk threads")
	tenants   = flag.Int("tenants", 10, "tenants configured and rotated over, 1..100")
	sustain   = flag.Duration("sustain", 150*time.Second, "length of the sustained phase (at most 5m; 0 skips it)")
	rate      = flag.Int("rate", 3000, "sustained phase's offered rate, requests per second (1..20000)")
	sample    = flag.Duration("sample", 5*time.Second, "how often the sustained phase samples logs.db's size")
	perTenant = flag.Int("retention-per-tenant", 2000, "log-retention-per-tenant during the sustained phase")
	retainMB  = flag.Int("retention-mb", 1, "log-retention-mb during the sustained phase")
	profile   = flag.Bool("profile", false, "take a CPU profile of one logging-on round and print its top")
	useWrk    = flag.Bool("wrk", true, "use wrk when it is installed (else the Go load generator)")
	foyerBin  = flag.String("foyer", "", "foyer binary (default: go build ./cmd/foyer)")
	backBin   = flag.String("backend", "", "bench/backend binary (default: go build ./bench/backend)")
	out       = flag.String("out", "bench/results/accesslog.md", "where to write the report (\"\" for stdout only)")
)

func main() {
	flag.Parse()
	if *duration <= 0 || *duration > time.Minute || *rounds < 1 || *rounds > 10 || *conns < 1 || *conns > 1000 ||
		*threads < 1 || *threads > 16 || *tenants < 1 || *tenants > 100 || *sustain < 0 || *sustain > 5*time.Minute ||
		*rate < 1 || *rate > 20000 || *sample < time.Second || *perTenant < 0 || *retainMB < 0 {
		log.Fatal("accesslog: flags out of range (see -help)")
	}
	tmp, err := os.MkdirTemp("", "foyer-accesslog-")
	if err != nil {
		log.Fatal(err)
	}
	e := &env{tmp: tmp}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	report, err := e.run(ctx)
	e.stop()
	os.RemoveAll(tmp)
	if err != nil {
		log.Fatalf("accesslog: %v", err)
	}
	fmt.Print(report)
	if *out != "" {
		_ = os.MkdirAll(filepath.Dir(*out), 0o755)
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			log.Printf("accesslog: write %s: %v", *out, err)
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
			_ = p.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = p.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = p.Process.Kill()
				<-done
			}
		}
	}
	e.procs = nil
}

func (e *env) run(ctx context.Context) (string, error) {
	if err := e.start(); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# access log: logging on vs off, and retention under sustained load\n\n")
	fmt.Fprintf(&b, "%s, %d CPUs (load average %s at the start), %s. foyer and one bench/backend on 127.0.0.1, %d tenants, Host rotating over them.\n\n",
		time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), loadAvg(), loadName(), *tenants)
	if err := e.onOff(ctx, &b); err != nil {
		return b.String(), err
	}
	if *sustain > 0 {
		if err := e.sustained(ctx, &b); err != nil {
			return b.String(), err
		}
	}
	return b.String(), nil
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
	if e.foyer = *foyerBin; e.foyer == "" {
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
	baddr, err := freeAddr()
	if err != nil {
		return err
	}
	if _, err := e.spawn(backend, "-addr", baddr); err != nil {
		return err
	}
	if err := waitOK("http://" + baddr + "/"); err != nil {
		return err
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
	for i := range *tenants {
		t := "t" + strconv.Itoa(i)
		steps = append(steps, []string{"tenant", "add", t}, []string{"backend", "add", t, "http://" + baddr})
	}
	for _, s := range steps {
		if err := e.fy(s...); err != nil {
			return err
		}
	}
	for i := range *tenants { // pre-flight: every tenant answers
		req, _ := http.NewRequest("GET", "http://"+e.httpAddr+"/", nil)
		req.Host = "t" + strconv.Itoa(i) + ".test"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("pre-flight %s: %v", req.Host, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("pre-flight %s: %s", req.Host, resp.Status)
		}
	}
	return nil
}

// cpuSeconds is a process's user+system CPU time, from /proc.
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

// loadAvg is the 1-minute load average, for the report: on a shared
// machine it says how much to trust the req/s.
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

func haveWrk() bool {
	if !*useWrk {
		return false
	}
	_, err := exec.LookPath("wrk")
	return err == nil
}

func loadName() string {
	if haveWrk() {
		return fmt.Sprintf("wrk -t%d -c%d", *threads, *conns)
	}
	return fmt.Sprintf("Go load generator, %d connections", *conns)
}

// result is one round of one mode.
type result struct {
	reqs    int64
	wall    time.Duration
	cpu     float64 // foyer's CPU seconds
	written float64 // foyer_accesslog_written_total's increase
	dropped float64 // foyer_accesslog_dropped_total's increase
	p99     float64 // wrk's 99th percentile latency, ms (0: not measured)
}

func (r result) rps() float64       { return float64(r.reqs) / r.wall.Seconds() }
func (r result) cpuPerReq() float64 { return r.cpu / float64(max(r.reqs, 1)) * 1e6 } // µs
func (r result) p99ms() float64     { return r.p99 }

// onOff runs the interleaved rounds of logging on and off.
func (e *env) onOff(ctx context.Context, b *strings.Builder) error {
	res := map[string][]result{}
	for r := range *rounds {
		modes := []string{"on", "off"}
		if r%2 == 1 {
			modes = []string{"off", "on"}
		}
		for _, m := range modes {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err := e.fy("settings", "set", "access-log", m); err != nil {
				return err
			}
			time.Sleep(300 * time.Millisecond) // the setting reaches the appliance through the change feed
			rr, err := e.measure(ctx, *duration)
			if err != nil {
				return err
			}
			res[m] = append(res[m], rr)
			log.Printf("round %d/%d access-log %-3s: %.0f req/s, %.1f µs CPU/req, p99 %.2f ms, %0.f written, %0.f dropped",
				r+1, *rounds, m, rr.rps(), rr.cpuPerReq(), rr.p99, rr.written, rr.dropped)
		}
	}
	fmt.Fprintf(b, "## Logging every request vs logging off\n\n%d interleaved round(s) of %s per mode on the same daemon, "+
		"`foyer settings set access-log on|off` between rounds.\n\n", *rounds, *duration)
	fmt.Fprintf(b, "| round | mode | req/s | foyer CPU µs/req | p99 ms (wrk) | records written | records dropped |\n|---|---|---|---|---|---|---|\n")
	for r := range *rounds {
		for _, m := range []string{"on", "off"} {
			x := res[m][r]
			fmt.Fprintf(b, "| %d | %s | %.0f | %.1f | %.2f | %.0f | %.0f |\n", r+1, m, x.rps(), x.cpuPerReq(), x.p99, x.written, x.dropped)
		}
	}
	on, off := median(res["on"], result.rps), median(res["off"], result.rps)
	cOn, cOff := median(res["on"], result.cpuPerReq), median(res["off"], result.cpuPerReq)
	pOn, pOff := median(res["on"], result.p99ms), median(res["off"], result.p99ms)
	fmt.Fprintf(b, "\nMedians: logging on %.0f req/s, %.1f µs CPU/req, p99 %.2f ms; off %.0f req/s, %.1f µs CPU/req, p99 %.2f ms.\n",
		on, cOn, pOn, off, cOff, pOff)
	fmt.Fprintf(b, "On/off: %.3f of the requests per second (%.1f%% fewer; target under 10%%), %.3f of the CPU per request.\n\n",
		on/off, 100*(1-on/off), cOn/cOff)
	if *profile {
		top, err := e.profiledRound(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "CPU profiles of one more round of each mode, not counted above (go tool pprof):\n\n```\n%s```\n\n", top)
	}
	return nil
}

// profiledRound runs one more round of each mode while it takes a CPU
// profile from the ops listener, and returns pprof's top of the
// logging-on profile, the access log's own share in it, and the
// difference between the two (on minus off).
func (e *env) profiledRound(ctx context.Context) (string, error) {
	files := map[string]string{}
	reqs := map[string]int64{}
	for _, m := range []string{"off", "on"} {
		if err := e.fy("settings", "set", "access-log", m); err != nil {
			return "", err
		}
		time.Sleep(300 * time.Millisecond)
		prof := make(chan error, 1)
		files[m] = filepath.Join(e.tmp, "cpu-"+m+".pprof")
		go func() { prof <- e.cpuProfile(*duration-time.Second, files[m]) }()
		r, err := e.measure(ctx, *duration)
		if err != nil {
			return "", err
		}
		if err := <-prof; err != nil {
			return "", err
		}
		reqs[m] = r.reqs
	}
	var b strings.Builder
	pprof := func(title string, args ...string) {
		outp, err := exec.Command("go", append([]string{"tool", "pprof"}, args...)...).CombinedOutput()
		if err != nil {
			fmt.Fprintf(&b, "%s: pprof: %v\n%s\n", title, err, outp)
			return
		}
		fmt.Fprintf(&b, "%s\n%s\n", title, trimPprof(outp))
	}
	pprof("Logging on, the whole process (-top):", "-top", "-nodecount=20", e.foyer, files["on"])
	pprof("Logging on, the access log's writer and logs.db only (-top -cum -focus):", "-top", "-cum", "-nodecount=12",
		"-focus=traffic\\.\\(\\*AccessLog\\)|boltstore|bbolt", e.foyer, files["on"])
	fmt.Fprintf(&b, "Requests in the profiled rounds: on %d, off %d.\n\n", reqs["on"], reqs["off"])
	pprof("On minus off (-top -cum -diff_base off; absolute, not per request):", "-top", "-cum", "-nodecount=25",
		"-diff_base="+files["off"], e.foyer, files["on"])
	return b.String(), nil
}

// trimPprof drops pprof's header lines (file, build ID, type, time).
func trimPprof(out []byte) string {
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") || strings.HasPrefix(l, "Type:") ||
			strings.HasPrefix(l, "Time:") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

func median(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// measure runs the load at full speed for d and reads foyer's CPU and
// access-log counters around it.
func (e *env) measure(ctx context.Context, d time.Duration) (result, error) {
	w0, d0 := e.counter("foyer_accesslog_written_total"), e.counter("foyer_accesslog_dropped_total")
	cpu0 := cpuSeconds(e.foyerProc)
	var r result
	var err error
	if haveWrk() {
		r, err = e.wrk(ctx, d)
	} else {
		r, err = e.goLoad(ctx, d, 0)
	}
	if err != nil {
		return r, err
	}
	r.cpu = cpuSeconds(e.foyerProc) - cpu0
	time.Sleep(500 * time.Millisecond) // the writer's last batch of the round
	r.written = e.counter("foyer_accesslog_written_total") - w0
	r.dropped = e.counter("foyer_accesslog_dropped_total") - d0
	return r, nil
}

var wrkReqs = regexp.MustCompile(`(\d+) requests in ([0-9.]+)(us|ms|s|m)`)

// wrk runs wrk with bench/hosts.lua for d.
func (e *env) wrk(ctx context.Context, d time.Duration) (result, error) {
	secs := max(int(d.Round(time.Second)/time.Second), 1)
	cmd := exec.CommandContext(ctx, "wrk", "--latency", "-t"+strconv.Itoa(*threads), "-c"+strconv.Itoa(*conns), "-d"+strconv.Itoa(secs)+"s",
		"-s", "bench/hosts.lua", "http://"+e.httpAddr+"/")
	cmd.Env = append(os.Environ(), "BENCH_TENANTS="+strconv.Itoa(*tenants))
	outp, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, outp)
	}
	m := wrkReqs.FindSubmatch(outp)
	if m == nil {
		return result{}, fmt.Errorf("could not parse wrk's output:\n%s", outp)
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	v, _ := strconv.ParseFloat(string(m[2]), 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute}[string(m[3])]
	if bytes.Contains(outp, []byte("Non-2xx")) {
		return result{}, fmt.Errorf("wrk saw non-2xx answers:\n%s", outp)
	}
	r := result{reqs: n, wall: time.Duration(v * float64(unit))}
	if m := wrkP99.FindSubmatch(outp); m != nil {
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		r.p99 = v * map[string]float64{"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[string(m[2])]
	}
	return r, nil
}

var wrkP99 = regexp.MustCompile(`(?m)^\s+99%\s+([0-9.]+)(us|ms|s|m)\s*$`)

// goLoad sends requests on *conns keep-alive connections for d: at full
// speed when perSec is 0, else paced to perSec in total.
func (e *env) goLoad(ctx context.Context, d time.Duration, perSec int) (result, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var n, bad atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var gap time.Duration
			if perSec > 0 {
				gap = time.Duration(float64(time.Second) * float64(*conns) / float64(perSec))
			}
			next := start.Add(time.Duration(w) * gap / time.Duration(*conns))
			for i := w; ctx.Err() == nil; i += *conns {
				if gap > 0 {
					if wait := time.Until(next); wait > 0 {
						select {
						case <-ctx.Done():
							return
						case <-time.After(wait):
						}
					}
					next = next.Add(gap)
				}
				req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+e.httpAddr+"/", nil)
				req.Host = "t" + strconv.Itoa(i%*tenants) + ".test"
				resp, err := cl.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						bad.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					bad.Add(1)
					continue
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if b := bad.Load(); b > n.Load()/100 {
		return result{}, fmt.Errorf("load generator: %d failed requests of %d", b, b+n.Load())
	}
	return result{reqs: n.Load(), wall: time.Since(start)}, nil
}

// counter reads one unlabelled series from foyer's /metrics; 0 if absent.
func (e *env) counter(name string) float64 {
	resp, err := http.Get("http://" + e.ops + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == name {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	return 0
}

// cpuProfile takes a CPU profile of d from the ops listener into file.
func (e *env) cpuProfile(d time.Duration, file string) error {
	secs := max(int(d/time.Second), 1)
	resp, err := http.Get("http://" + e.ops + "/debug/pprof/profile?seconds=" + strconv.Itoa(secs))
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return os.WriteFile(file, data, 0o600)
}

// sustained runs the paced load for *sustain with retention set small
// and samples logs.db's size.
func (e *env) sustained(ctx context.Context, b *strings.Builder) error {
	for _, s := range [][]string{{"access-log", "on"}, {"log-retention-per-tenant", strconv.Itoa(*perTenant)},
		{"log-retention-mb", strconv.Itoa(*retainMB)}} {
		if err := e.fy(append([]string{"settings", "set"}, s...)...); err != nil {
			return err
		}
	}
	db := filepath.Join(e.data, "logs.db")
	type point struct {
		at             time.Duration
		size           int64
		written, prune float64
	}
	var series []point
	done := make(chan result, 1)
	errc := make(chan error, 1)
	go func() {
		r, err := e.goLoad(ctx, *sustain, *rate)
		if err != nil {
			errc <- err
			return
		}
		done <- r
	}()
	start := time.Now()
	tick := time.NewTicker(*sample)
	defer tick.Stop()
	snap := func() {
		st, _ := os.Stat(db)
		var size int64
		if st != nil {
			size = st.Size()
		}
		series = append(series, point{time.Since(start).Round(time.Second), size,
			e.counter("foyer_accesslog_written_total"), e.counter("foyer_accesslog_pruned_total")})
	}
	snap()
	var r result
loop:
	for {
		select {
		case err := <-errc:
			return err
		case r = <-done:
			break loop
		case <-tick.C:
			snap()
		}
	}
	snap()
	fmt.Fprintf(b, "## logs.db under sustained load with small retention\n\n%s at %d req/s offered (%.0f req/s served) over %d tenants, "+
		"log-retention-per-tenant %d, log-retention-mb %d; retention runs once a minute. logs.db's size every %s:\n\n",
		*sustain, *rate, r.rps(), *tenants, *perTenant, *retainMB, *sample)
	fmt.Fprintf(b, "| t | logs.db | records written (total) | records pruned (total) |\n|---|---|---|---|\n")
	for _, p := range series {
		fmt.Fprintf(b, "| %s | %.1f MiB | %.0f | %.0f |\n", p.at, float64(p.size)/(1<<20), p.written, p.prune)
	}
	b.WriteString("\n")
	return nil
}
