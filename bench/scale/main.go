// Command scale measures foyer with many tenants (issue 8, "Scale"): for
// N = 10,000 tenants (and 100,000 with -big or SCALE_BIG=1), each with one
// backend on one of two loopback backends and routed as tI.test, plus
// 10,000 imported certificates, it writes the store offline (through the
// store package and its KV layer, far faster than `foyer apply`, see
// writeStore; `foyer store check` then checks it), starts the
// real `foyer serve` -starts times and reports:
//
//   - cold start: exec to /readyz 200 and to the first 200 for a tenant's
//     request, medians over the starts;
//   - memory (VmRSS, VmHWM) once ready and after a request to every tenant;
//   - a sampled tenant's first request after start against its tenth;
//   - config change latency: -changes writes through the admin API (add a
//     tenant, add its backend, remove the backend, remove the tenant, in
//     turn), each timed from the write's acknowledgement to the first
//     request that shows the change, beside the daemon's own rebuild time
//     from its debug log;
//   - route.Identify's cost at 100, 10,000 and 100,000 tenants (the
//     appliance/route benchmark).
//
// It writes bench/results/scale.md and prints it. Numbers are reported,
// never asserted.
//
//	go run ./bench/scale                 # N=10000
//	SCALE_BIG=1 go run ./bench/scale     # and N=100000 (1 start, 20 changes: -big-starts, -big-changes)
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/foyerhq/foyer/bench/internal/benchproc"
)

var (
	nTenants = flag.Int("n", 10000, "tenants in the main run (100..100000)")
	big      = flag.Bool("big", os.Getenv("SCALE_BIG") == "1", "also run N=100000 (start-up, memory, first/tenth, changes); default from SCALE_BIG=1")
	nCerts   = flag.Int("certs", 10000, "imported certificates in every store (0..100000)")
	starts   = flag.Int("starts", 3, "fresh starts of foyer per N (1..9)")
	changes  = flag.Int("changes", 100, "configuration changes timed per N (0..1000)")
	sampled  = flag.Int("sample", 200, "tenants sampled for first vs tenth request, per start (1..1000)")
	foyerBin = flag.String("foyer", "", "foyer binary (default: go build ./cmd/foyer)")
	out      = flag.String("out", "bench/results/scale.md", "where to write the report (\"\" for stdout only)")
	keep     = flag.Bool("keep", false, "keep the temp dir (binary, data dirs, foyer's logs)")
	profile  = flag.String("profile", "", "directory for pprof profiles of foyer's last start per N: heap and goroutines after a request to every tenant (heap-N.pprof, goroutine-N.pprof), CPU during the config changes (cpu-N.pprof)")
	bigStart = flag.Int("big-starts", 1, "fresh starts for N=100000 (1..9)")
	bigChg   = flag.Int("big-changes", 20, "configuration changes timed for N=100000 (0..1000)")
	bigTouch = flag.Int("big-touch", 100000, "tenants the request-every-tenant pass reaches for N=100000 (1..100000)")
	gogc     = flag.String("gogc", "", "GOGC for foyer (\"\": foyer's own default)")
	engine   = flag.String("engine", "", "foyer serve --engine (std or fast; \"\": foyer's own default)")
	routeB   = flag.Bool("route-bench", true, "run appliance/route's BenchmarkIdentify and BenchmarkBuild and add them to the report")
)

const base = "test"

// host is tenant i's host name under the base domain.
func host(i int) string { return slug(i) + "." + base }

func slug(i int) string { return "t" + strconv.Itoa(i) }

func main() {
	flag.Parse()
	if *nTenants < 100 || *nTenants > 100000 || *nCerts < 0 || *nCerts > 100000 || *starts < 1 || *starts > 9 ||
		*changes < 0 || *changes > 1000 || *sampled < 1 || *sampled > 1000 || *bigStart < 1 || *bigStart > 9 || *bigChg < 0 || *bigChg > 1000 {
		log.Fatal("scale: flags out of range (n 100..100000, certs 0..100000, starts and big-starts 1..9, changes and big-changes 0..1000, sample 1..1000)")
	}
	tmp, err := os.MkdirTemp("", "foyer-scale-")
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		log.Printf("scale: keeping %s", tmp)
	}
	report, err := run(tmp)
	if !*keep {
		os.RemoveAll(tmp)
	}
	if err != nil {
		log.Fatalf("scale: %v", err)
	}
	fmt.Print(report)
	if *out != "" {
		_ = os.MkdirAll(filepath.Dir(*out), 0o755)
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			log.Fatalf("scale: write %s: %v", *out, err)
		}
	}
}

// loadStart is the machine's load average when the run began.
var loadStart = benchproc.LoadAvg()

func run(tmp string) (string, error) {
	t0 := time.Now()
	bin := *foyerBin
	if bin == "" {
		var err error
		if bin, err = benchproc.Build(tmp); err != nil {
			return "", err
		}
	}
	bk, err := startBackends()
	if err != nil {
		return "", err
	}
	defer bk.close()
	sizes := []int{*nTenants}
	if *big && *nTenants != 100000 {
		sizes = append(sizes, 100000)
	}
	var leaves []benchproc.Leaf
	if *nCerts > 0 {
		ca, err := benchproc.NewCA()
		if err != nil {
			return "", err
		}
		t := time.Now()
		if leaves, err = ca.Leaves(*nCerts, host); err != nil {
			return "", err
		}
		log.Printf("scale: %d certificates issued in %.1fs", *nCerts, time.Since(t).Seconds())
	}
	var results []result
	for _, n := range sizes {
		dir := filepath.Join(tmp, "data-"+strconv.Itoa(n))
		r := result{n: n, certs: min(len(leaves), *nCerts)}
		t := time.Now()
		if r.dbBytes, err = writeStore(dir, n, leaves, bk); err != nil {
			return "", fmt.Errorf("write the store with %d tenants: %w", n, err)
		}
		r.write = time.Since(t)
		if b, err := exec.Command(bin, "store", "check", "--data", dir).CombinedOutput(); err != nil {
			return "", fmt.Errorf("foyer store check of the written store: %v\n%s", err, b)
		}
		log.Printf("scale: N=%d: store written in %.1fs (%.1f MiB)", n, r.write.Seconds(), benchproc.MiB(r.dbBytes))
		ns, nc, touch := *starts, *changes, n
		if n == 100000 {
			ns, nc, touch = *bigStart, *bigChg, min(max(*bigTouch, 1), n)
		}
		r.touched = touch
		for s := range ns {
			last := s == ns-1
			st, err := measure(bin, dir, filepath.Join(tmp, fmt.Sprintf("foyer-%d-%d.log", n, s)), n, s, last, nc, touch, bk)
			if err != nil {
				return "", fmt.Errorf("N=%d, start %d: %w", n, s+1, err)
			}
			log.Printf("scale: N=%d start %d: ready %s, first tenant 200 %s, RSS %.1f MiB, after all tenants %.1f MiB",
				n, s+1, st.ready.Round(time.Millisecond), st.firstOK.Round(time.Millisecond), st.rss, st.rssAfter)
			r.starts = append(r.starts, st)
		}
		results = append(results, r)
	}
	var rb []benchLine
	if *routeB {
		if rb, err = routeBench(); err != nil {
			return "", err
		}
	}
	return render(results, rb, time.Since(t0)), nil
}
