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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

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
		if bin, err = build(tmp); err != nil {
			return "", err
		}
	}
	ca, err := newCA()
	if err != nil {
		return "", err
	}
	sizes := []int{1, *nCerts}
	if *nCerts == 1 {
		sizes = sizes[:1]
	}
	log.Printf("certscale: generating %d certificates", *nCerts)
	leaves, err := ca.leaves(*nCerts)
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
		log.Printf("certscale: store with %d certificates written in %.1fs (%.1f MiB)", n, time.Since(t0).Seconds(), mib(fi.Size()))
	}
	results := map[int][]sample{}
	for r := 1; r <= *rounds; r++ {
		for _, n := range sizes {
			prof := ""
			if *profile != "" && r == *rounds {
				prof = filepath.Join(*profile, "n"+strconv.Itoa(n))
			}
			s, err := measure(bin, dirs[n], filepath.Join(tmp, fmt.Sprintf("foyer-%d-%d.log", n, r)), ca.pool, n, prof)
			if err != nil {
				return "", fmt.Errorf("round %d, %d certificates: %w", r, n, err)
			}
			log.Printf("certscale: round %d, N=%d: start-up %s, RSS %.1f MiB, %.0f handshakes/s", r, n, s.startup.Round(time.Millisecond), s.rss, s.hsPerSec)
			results[n] = append(results[n], s)
		}
	}
	return table(sizes, results, written), nil
}

func build(tmp string) (string, error) {
	bin := filepath.Join(tmp, "foyer")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/foyer")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/foyer: %v\n%s", err, b)
	}
	return bin, nil
}

// writeStore creates dir's store with the base domain, tenant site0 (so
// site0.example.org routes) and one imported certificate per leaf, in
// transactions of -batch certificates. The daemon is not running, so the
// store is opened directly.
func writeStore(dir string, leaves []leaf) error {
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
				if err := tx.PutCert(&store.Certificate{Name: name(lo + i), CertPEM: l.cert, KeyPEM: l.key}); err != nil {
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
	https, err := freeAddr()
	if err != nil {
		return sample{}, err
	}
	ops, err := freeAddr()
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
	defer stop(cmd)
	var s sample
	if s.startup, err = waitReady("http://"+ops+"/readyz", t0, 60*time.Second); err != nil {
		return s, fmt.Errorf("%w (foyer's log: %s)", err, logPath)
	}
	pid := cmd.Process.Pid
	if s.rss, s.hwm, err = memory(pid); err != nil {
		return s, err
	}
	if err := routes(https, roots); err != nil {
		return s, err
	}
	var profDone chan error
	if prof != "" {
		if err := fetch("http://"+ops+"/debug/pprof/heap?gc=1", prof+"-heap.pprof"); err != nil {
			return s, err
		}
		profDone = make(chan error, 1)
		secs := strconv.Itoa(max(1, int(hsTime.Seconds())))
		go func() { profDone <- fetch("http://"+ops+"/debug/pprof/profile?seconds="+secs, prof+"-cpu.pprof") }()
		time.Sleep(100 * time.Millisecond) // let the profile start
	}
	cpu0 := cpuTime(pid)
	runHandshakes(https, roots, n, &s)
	if profDone != nil {
		if err := <-profDone; err != nil {
			return s, err
		}
	}
	if s.hs > 0 {
		s.cpuPerHS = (cpuTime(pid) - cpu0) / time.Duration(s.hs)
	}
	s.rssAfter, _, _ = memory(pid)
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
	cpu0 := cpuTime(pid)
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
	return (cpuTime(pid) - cpu0) / time.Duration(*changes), nil
}

// fetch saves what url answers to path.
func fetch(url, path string) error {
	c := &http.Client{Timeout: 2 * time.Minute}
	resp, err := c.Get(url)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile: %s answered %s", url, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// stop sends SIGTERM, then kills foyer if it has not stopped in 10s.
func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls url every 2ms until it answers 200 and returns the time
// since t0.
func waitReady(url string, t0 time.Time, limit time.Duration) (time.Duration, error) {
	c := &http.Client{Timeout: time.Second}
	for time.Since(t0) < limit {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(t0), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s not 200 within %s", url, limit)
}

// memory reads VmRSS and VmHWM, in MiB, from /proc/pid/status.
func memory(pid int) (rss, hwm float64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, fmt.Errorf("read memory (Linux only): %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm, nil
}

// cpuTime is the process's user+system CPU time from /proc/pid/stat.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
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
	t0, self0 := time.Now(), selfCPU()
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
		s.clientCPU = (selfCPU() - self0) / time.Duration(s.hs)
	}
}

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
			n, mib(written[n].dbBytes), m.startup.Milliseconds(), m.rss, m.hwm, m.rssAfter, m.hsPerSec, m.cpuPerHS.Microseconds(), m.errs,
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

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// ca is a throwaway CA: the leaves' issuer and the clients' root.
type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

// leaf is one PEM pair for the store.
type leaf struct{ cert, key string }

func newCA() (*ca, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "foyer certscale CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &ca{cert: cert, key: key, pool: pool}, nil
}

// leaves issues n leaves for name(0)..name(n-1), on every core.
func (c *ca) leaves(n int) ([]leaf, error) {
	out := make([]leaf, n)
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				out[i], errs[i] = c.issue(i)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *ca) issue(i int) (leaf, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return leaf{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(i) + 2), Subject: pkix.Name{CommonName: name(i)}, DNSNames: []string{name(i)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	if err != nil {
		return leaf{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return leaf{}, err
	}
	return leaf{
		cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
	}, nil
}
