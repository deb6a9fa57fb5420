// Command certscale measures what a large certificate store costs the
// running daemon: for N imported certificates (default 10,000) and for 1,
// it writes them into a fresh data directory's store before foyer starts,
// starts `foyer serve`, and reports the time from exec to /readyz 200 on
// the ops listener, the resident memory once ready (VmRSS, and the peak
// VmHWM, from /proc/PID/status), and full TLS 1.3 handshakes per second
// against the process with SNI rotating over the names (bounded by count
// and time), with foyer's CPU per handshake. Imported certificates are the
// start-up worst case: foyer loads every one into its cache at start.
//
//	go run ./bench/certscale                   # N=10000 vs N=1, 3 rounds
//	go run ./bench/certscale -n 2000 -rounds 1 -handshakes 500
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/bench/internal/benchproc"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

var (
	nCerts     = flag.Int("n", 10000, "certificates in the large store (1..100000)")
	rounds     = flag.Int("rounds", 3, "interleaved rounds (N=1, then N=n), each a fresh start of foyer; 1..9")
	handshakes = flag.Int("handshakes", 2000, "handshakes per round at most (1..100000)")
	hsTime     = flag.Duration("duration", 10*time.Second, "time per round's handshakes at most (at most 1m)")
	conc       = flag.Int("conc", 2, "concurrent handshaking clients (1..64)")
	batch      = flag.Int("batch", 2500, "certificates per store transaction while writing the store")
	foyerBin   = flag.String("foyer", "", "foyer binary (default: go build ./cmd/foyer)")
	out        = flag.String("out", "bench/results/certscale.md", "where to write the report (\"\" for stdout only)")
	keep       = flag.Bool("keep", false, "keep the temp dir (binary, data dirs, foyer's logs)")
	changes    = flag.Int("changes", 4, "configuration changes per round (tenant add, then rm), to time the rebuild's CPU; 0..20")
	profile    = flag.String("profile", "", "directory for pprof profiles from the last round: heap once ready, CPU during the handshakes")
)

const baseDomain = "example.org"

// name is the i-th certificate's name; site0 is also a tenant's slug.
func name(i int) string { return "site" + strconv.Itoa(i) + "." + baseDomain }

func main() {
	flag.Parse()
	if *nCerts < 1 || *nCerts > 100000 || *rounds < 1 || *rounds > 9 || *handshakes < 1 || *handshakes > 100000 ||
		*hsTime <= 0 || *hsTime > time.Minute || *conc < 1 || *conc > 64 || *batch < 1 || *changes < 0 || *changes > 20 {
		log.Fatal("certscale: flags out of range (n 1..100000, rounds 1..9, handshakes 1..100000, duration 0..1m, conc 1..64, batch >= 1, changes 0..20)")
	}
	tmp, err := os.MkdirTemp("", "foyer-certscale-")
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		log.Printf("certscale: keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	report, err := run(tmp)
	if err != nil {
		log.Printf("certscale: %v", err)
		if !*keep {
			os.RemoveAll(tmp)
		}
		os.Exit(1)
	}
	fmt.Print(report)
	if *out != "" {
		_ = os.MkdirAll(filepath.Dir(*out), 0o755)
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			log.Printf("certscale: write %s: %v", *out, err)
		}
	}
}

// sample is one start of foyer over one store.
type sample struct {
	startup      time.Duration // exec to /readyz 200
	rss, hwm     float64       // MiB, once ready
	rssAfter     float64       // MiB, after the handshakes
	hs           int           // handshakes completed
	hsPerSec     float64
	cpuPerHS     time.Duration // foyer's CPU (user+system) per handshake
	cpuPerChange time.Duration // foyer's CPU per configuration change (the rebuild)
	clientCPU    time.Duration // this program's CPU per handshake (the clients)
	errs         int
	firstErr     string
	dbBytes      int64
	writeSeconds float64
}

func run(tmp string) (string, error) {
	bin := *foyerBin
	if bin == "" {
		var err error
		if bin, err = benchproc.Build(tmp); err != nil {
			return "", err
		}
	}
	ca, err := benchproc.NewCA()
	if err != nil {
		return "", err
	}
	sizes := []int{1, *nCerts}
	if *nCerts == 1 {
		sizes = sizes[:1]
	}
	log.Printf("certscale: generating %d certificates", *nCerts)
	leaves, err := ca.Leaves(*nCerts, name)
	if err != nil {
		return "", err
	}
	dirs := map[int]string{}
	written := map[int]sample{}
	for _, n := range sizes {
		dir := filepath.Join(tmp, "data-"+strconv.Itoa(n))
		t0 := time.Now()
		if err := writeStore(dir, leaves[:n]); err != nil {
			return "", fmt.Errorf("write store with %d certificates: %w", n, err)
		}
		fi, err := os.Stat(filepath.Join(dir, "foyer.db"))
		if err != nil {
			return "", err
		}
		dirs[n] = dir
		written[n] = sample{dbBytes: fi.Size(), writeSeconds: time.Since(t0).Seconds()}
		log.Printf("certscale: store with %d certificates written in %.1fs (%.1f MiB)", n, time.Since(t0).Seconds(), benchproc.MiB(fi.Size()))
	}
	results := map[int][]sample{}
	for r := 1; r <= *rounds; r++ {
		for _, n := range sizes {
			prof := ""
			if *profile != "" && r == *rounds {
				prof = filepath.Join(*profile, "n"+strconv.Itoa(n))
			}
			s, err := measure(bin, dirs[n], filepath.Join(tmp, fmt.Sprintf("foyer-%d-%d.log", n, r)), ca.Pool, n, prof)
			if err != nil {
				return "", fmt.Errorf("round %d, %d certificates: %w", r, n, err)
			}
			log.Printf("certscale: round %d, N=%d: start-up %s, RSS %.1f MiB, %.0f handshakes/s", r, n, s.startup.Round(time.Millisecond), s.rss, s.hsPerSec)
			results[n] = append(results[n], s)
		}
	}
	return table(sizes, results, written), nil
}

// writeStore creates dir's store with the base domain, tenant site0 (so
// site0.example.org routes) and one imported certificate per leaf, in
// transactions of -batch certificates. The daemon is not running, so the
// store is opened directly.
func writeStore(dir string, leaves []benchproc.Leaf) error {
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	err = st.Update(ctx, "certscale", func(tx store.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.BaseDomain = baseDomain
		if err := tx.SetSettings(s); err != nil {
			return err
		}
		return tx.CreateTenant(&store.Tenant{Slug: "site0"})
	})
	if err != nil {
		return fmt.Errorf("base domain and tenant: %w", err)
	}
	for lo := 0; lo < len(leaves); lo += *batch {
		part := leaves[lo:min(lo+*batch, len(leaves))]
		err := st.Update(ctx, "certscale", func(tx store.Tx) error {
			for i, l := range part {
				if err := tx.PutCert(&store.Certificate{Name: name(lo + i), CertPEM: l.Cert, KeyPEM: l.Key}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("put certificates %d..%d: %w", lo, lo+len(part)-1, err)
		}
	}
	return nil
}

// measure starts foyer over dir, waits for /readyz, reads its memory,
// runs the handshakes and stops it.
// With prof set, it saves prof-heap.pprof once ready and
// prof-cpu.pprof over the handshakes, from the ops listener.
func measure(bin, dir, logPath string, roots *x509.CertPool, n int, prof string) (sample, error) {
	https, err := benchproc.FreeAddr()
	if err != nil {
		return sample{}, err
	}
	ops, err := benchproc.FreeAddr()
	if err != nil {
		return sample{}, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return sample{}, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", "--data", dir, "--http", "", "--https", https, "--ops", ops)
	cmd.Stdout, cmd.Stderr = logf, logf
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	defer benchproc.Stop(cmd)
	var s sample
	if s.startup, err = benchproc.WaitReady("http://"+ops+"/readyz", t0, 60*time.Second); err != nil {
		return s, fmt.Errorf("%w (foyer's log: %s)", err, logPath)
	}
	pid := cmd.Process.Pid
	if s.rss, s.hwm, err = benchproc.Memory(pid); err != nil {
		return s, err
	}
	if err := routes(https, roots); err != nil {
		return s, err
	}
	var profDone chan error
	if prof != "" {
		if err := benchproc.Fetch("http://"+ops+"/debug/pprof/heap?gc=1", prof+"-heap.pprof"); err != nil {
			return s, err
		}
		profDone = make(chan error, 1)
		secs := strconv.Itoa(max(1, int(hsTime.Seconds())))
		go func() {
			profDone <- benchproc.Fetch("http://"+ops+"/debug/pprof/profile?seconds="+secs, prof+"-cpu.pprof")
		}()
		time.Sleep(100 * time.Millisecond) // let the profile start
	}
	cpu0 := benchproc.CPUTime(pid)
	runHandshakes(https, roots, n, &s)
	if profDone != nil {
		if err := <-profDone; err != nil {
			return s, err
		}
	}
	if s.hs > 0 {
		s.cpuPerHS = (benchproc.CPUTime(pid) - cpu0) / time.Duration(s.hs)
	}
	s.rssAfter, _, _ = benchproc.Memory(pid)
	if s.hs == 0 {
		return s, fmt.Errorf("no handshake succeeded: %s", s.firstErr)
	}
	if s.cpuPerChange, err = configChanges(bin, dir, pid); err != nil {
		return s, err
	}
	return s, nil
}

// configChanges makes -changes configuration changes through the running
// daemon (tenant add, then tenant rm, so the store ends as it began) and
// returns foyer's CPU per change: each is a rebuild, which reads the
// store's snapshot and reloads the certificates. The CLI's own CPU is not
// counted (it is another process); each change is given 500ms to settle.
func configChanges(bin, dir string, pid int) (time.Duration, error) {
	if *changes == 0 {
		return 0, nil
	}
	time.Sleep(500 * time.Millisecond)
	cpu0 := benchproc.CPUTime(pid)
	for i := range *changes {
		args := []string{"--data", dir, "tenant", "add", "certscale-cfg"}
		if i%2 == 1 {
			args = []string{"--data", dir, "tenant", "rm", "certscale-cfg"}
		}
		if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("foyer %s: %v: %s", strings.Join(args[2:], " "), err, b)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if *changes%2 == 1 { // leave the store as it was
		_ = exec.Command(bin, "--data", dir, "tenant", "rm", "certscale-cfg").Run()
	}
	return (benchproc.CPUTime(pid) - cpu0) / time.Duration(*changes), nil
}

// routes checks, before anything is timed, that site0's name both
// handshakes and reaches foyer's proxy over HTTPS: the tenant has no
// backend, so foyer itself answers (502 or 503), not a 404 for an unknown
// host.
func routes(addr string, roots *x509.CertPool) error {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: name(0)}}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	req, _ := http.NewRequest("GET", "https://"+addr+"/", nil)
	req.Host = name(0)
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("pre-flight request to %s: %w", name(0), err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("pre-flight: %s answered 404: tenant site0 does not route", name(0))
	}
	return nil
}

// runHandshakes does full TLS 1.3 handshakes (no session cache, so no
// resumption) from -conc clients, SNI over every name in a random order,
// until -handshakes are done or -duration has passed. Each client
// verifies the chain against roots and that the leaf is the name's.
func runHandshakes(addr string, roots *x509.CertPool, n int, s *sample) {
	order := mrand.Perm(n)
	var next, done, errs atomic.Int64
	var errOnce sync.Once
	deadline := time.Now().Add(*hsTime)
	t0, self0 := time.Now(), benchproc.SelfCPU()
	var wg sync.WaitGroup
	for range *conc {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				i := next.Add(1) - 1
				if i >= int64(*handshakes) {
					return
				}
				sni := name(order[int(i)%n])
				if err := handshake(addr, roots, sni); err != nil {
					errs.Add(1)
					errOnce.Do(func() { s.firstErr = err.Error() })
					continue
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	s.hs, s.errs = int(done.Load()), int(errs.Load())
	s.hsPerSec = float64(s.hs) / time.Since(t0).Seconds()
	if s.hs > 0 {
		s.clientCPU = (benchproc.SelfCPU() - self0) / time.Duration(s.hs)
	}
}

func handshake(addr string, roots *x509.CertPool, sni string) error {
	cfg := &tls.Config{ServerName: sni, RootCAs: roots, MinVersion: tls.VersionTLS13, NextProtos: []string{"h2", "http/1.1"}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := (&tls.Dialer{Config: cfg}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("handshake for %s: %w", sni, err)
	}
	defer c.Close()
	st := c.(*tls.Conn).ConnectionState()
	if st.DidResume || st.PeerCertificates[0].DNSNames[0] != sni {
		return fmt.Errorf("handshake for %s: resumed %v, leaf %v", sni, st.DidResume, st.PeerCertificates[0].DNSNames)
	}
	return nil
}

// table renders medians over rounds, one row per store size.
func table(sizes []int, results map[int][]sample, written map[int]sample) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# certificate scale (%s)\n\n", time.Now().UTC().Format(time.DateOnly))
	fmt.Fprintf(&b, "Imported certificates (ECDSA P-256 leaves) in foyer.db before `foyer serve` starts; medians of %d "+
		"rounds, each a fresh start. Handshakes: full TLS 1.3 over loopback, %d clients, SNI over every name, "+
		"at most %d or %s per round.\n\n", *rounds, *conc, *handshakes, *hsTime)
	fmt.Fprintf(&b, "| N | foyer.db | start-up (exec to /readyz) | RSS ready | peak RSS (VmHWM) | RSS after handshakes | handshakes/s | foyer CPU/handshake | errors | foyer CPU/config change |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
	med := map[int]sample{}
	for _, n := range sizes {
		rs := results[n]
		m := sample{
			startup:      time.Duration(median(rs, func(s sample) float64 { return float64(s.startup) })),
			rss:          median(rs, func(s sample) float64 { return s.rss }),
			hwm:          median(rs, func(s sample) float64 { return s.hwm }),
			rssAfter:     median(rs, func(s sample) float64 { return s.rssAfter }),
			hsPerSec:     median(rs, func(s sample) float64 { return s.hsPerSec }),
			cpuPerHS:     time.Duration(median(rs, func(s sample) float64 { return float64(s.cpuPerHS) })),
			cpuPerChange: time.Duration(median(rs, func(s sample) float64 { return float64(s.cpuPerChange) })),
		}
		for _, s := range rs {
			m.errs += s.errs
		}
		med[n] = m
		fmt.Fprintf(&b, "| %d | %.1f MiB | %d ms | %.1f MiB | %.1f MiB | %.1f MiB | %.0f | %d us | %d | %d ms |\n",
			n, benchproc.MiB(written[n].dbBytes), m.startup.Milliseconds(), m.rss, m.hwm, m.rssAfter, m.hsPerSec, m.cpuPerHS.Microseconds(), m.errs,
			m.cpuPerChange.Milliseconds())
	}
	fmt.Fprintf(&b, "\nEach round: N, start-up, handshakes/s, foyer CPU/handshake, client CPU/handshake.\n\n")
	for r := range *rounds {
		var parts []string
		for _, n := range sizes {
			x := results[n][r]
			parts = append(parts, fmt.Sprintf("N=%d %d ms %.0f/s %d us %d us", n, x.startup.Milliseconds(), x.hsPerSec,
				x.cpuPerHS.Microseconds(), x.clientCPU.Microseconds()))
		}
		fmt.Fprintf(&b, "- round %d: %s\n", r+1, strings.Join(parts, "; "))
	}
	if len(sizes) == 2 {
		one, big := med[sizes[0]], med[sizes[1]]
		ratio := big.hsPerSec / one.hsPerSec
		verdict := "met"
		if ratio < 0.9 {
			verdict = "missed"
		}
		fmt.Fprintf(&b, "\nN=%d handshakes/s are %.2fx N=1's (target >= 0.90: %s); foyer CPU per handshake %.2fx. "+
			"Start-up %+d ms and RSS %+.1f MiB over N=1.\n", sizes[1], ratio, verdict,
			float64(big.cpuPerHS)/float64(max(1, one.cpuPerHS)), big.startup.Milliseconds()-one.startup.Milliseconds(), big.rss-one.rss)
	}
	return b.String()
}

// median returns the median of f over rs.
func median(rs []sample, f func(sample) float64) float64 {
	v := make([]float64, len(rs))
	for i, s := range rs {
		v[i] = f(s)
	}
	slices.Sort(v)
	return v[len(v)/2]
}
