package acme_test

import (
	"context"
	"crypto/tls"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/store"
)

// handshakeNames is how many names a sub-benchmark rotates SNI over at
// most: a random subset of its certificates, each warmed once before the
// timer starts. It keeps the warm-up (one full handshake per name) to
// about a second while the cache still holds every certificate.
const handshakeNames = 1024

// BenchmarkHandshake measures full TLS 1.3 handshakes per second through
// the Manager's TLSConfig over loopback TCP, with 1 and with 10,000
// imported certificates in the cache. The target is the 10,000 case
// within 10% of the 1 case: choosing a certificate must not grow with the
// store. The client offers no session cache, so nothing is resumed; both
// ends run in this process, so handshakes/s counts the client's work too
// (the same in both cases) and compares the cases, not foyer to others.
// cpu-us/op is the process's CPU time (both ends) per handshake, steadier
// than handshakes/s when other work shares the machine.
func BenchmarkHandshake(b *testing.B) {
	for _, n := range []int{1, 10000} {
		b.Run("certs="+strconv.Itoa(n), func(b *testing.B) {
			e := newEnv(b)
			putLeaves(b, e, n)
			e.reload(b)
			if got := len(e.m.Certificates()); got != n {
				b.Fatalf("Manager serves %d certificates, want %d", got, n)
			}
			addr := serveListener(b, e.m)
			names := pickNames(n)
			client := &tls.Config{
				MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13,
				// The leaf's name is checked below; skipping the chain
				// verification keeps the client's share of the CPU small,
				// so the comparison is mostly the server's.
				InsecureSkipVerify: true,
				// No ClientSessionCache: every handshake is a full one.
			}
			for _, name := range names { // warm: one handshake per name hit
				handshakeOnce(b, addr, client, name)
			}
			b.ReportAllocs()
			start, cpu0, i := time.Now(), cpuTime(b), 0
			for b.Loop() {
				handshakeOnce(b, addr, client, names[i%len(names)])
				i++
			}
			b.ReportMetric(float64(i)/time.Since(start).Seconds(), "handshakes/s")
			b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(i), "cpu-us/op")
		})
	}
}

// cpuTime is the CPU time (user and system) this process has used: on a
// busy machine handshakes/s follows the load, CPU per handshake much less.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// putLeaves imports the first n bench leaves into e's store in one
// transaction; the caller reloads.
func putLeaves(b *testing.B, e *env, n int) {
	b.Helper()
	pairs := benchLeaves(b, n)
	err := e.db.Update(context.Background(), "bench", func(tx store.Tx) error {
		for i, p := range pairs {
			if err := tx.PutCert(&store.Certificate{Name: benchName(i), CertPEM: p.cert, KeyPEM: p.key}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("put %d certificates: %v", n, err)
	}
}

// handshakeOnce dials addr, completes a TLS handshake for name, checks the
// leaf was name's and closes the connection.
func handshakeOnce(b *testing.B, addr string, base *tls.Config, name string) {
	cfg := base.Clone()
	cfg.ServerName = name
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	defer cancel()
	d := tls.Dialer{Config: cfg}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		b.Fatalf("handshake for %s: %v", name, err)
	}
	defer c.Close()
	st := c.(*tls.Conn).ConnectionState()
	if st.Version != tls.VersionTLS13 || st.DidResume {
		b.Fatalf("handshake for %s: version %x, resumed %v; want a full TLS 1.3 handshake", name, st.Version, st.DidResume)
	}
	if leaf := st.PeerCertificates[0]; len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != name {
		b.Fatalf("handshake for %s presented %v", name, leaf.DNSNames)
	}
}

// serveListener accepts on 127.0.0.1 through tls.NewListener with the
// Manager's TLSConfig, completes each handshake and closes the connection.
func serveListener(b *testing.B, m *acme.Manager) string {
	b.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ln := tls.NewListener(raw, m.TLSConfig())
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { handshakeAndClose(c.(*tls.Conn)) })
		}
	})
	b.Cleanup(func() { ln.Close(); wg.Wait() })
	return raw.Addr().String()
}

// pickNames returns the names a sub-benchmark with n certificates hits:
// all of them, or a random subset of handshakeNames, in random order.
func pickNames(n int) []string {
	idx := rand.Perm(n)[:min(n, handshakeNames)]
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = benchName(j)
	}
	return names
}

func benchName(i int) string { return "site" + strconv.Itoa(i) + ".example.org" }

// leafCache holds the leaves generated so far for benchName(0), (1), ...,
// shared by every sub-benchmark in this test binary so that setup stays
// short: 10,000 P-256 keys and signatures take about a second.
var leafCache struct {
	mu    sync.Mutex // guards ca and pairs
	ca    *testCA
	pairs []pemPair
}

// benchLeaves returns leaves for the first n bench names, signed by one
// test CA, generating those not yet cached.
func benchLeaves(b *testing.B, n int) []pemPair {
	b.Helper()
	leafCache.mu.Lock()
	defer leafCache.mu.Unlock()
	if leafCache.ca == nil {
		leafCache.ca = newTestCA(b)
	}
	for i := len(leafCache.pairs); i < n; i++ {
		leafCache.pairs = append(leafCache.pairs, leafCache.ca.issue(b, benchName(i)))
	}
	return leafCache.pairs[:n]
}

// BenchmarkReloadStart measures what `foyer serve` does with imported
// certificates before it is ready: a new Manager's first Reload, which
// reads every certificate from the store, parses it and caches it.
func BenchmarkReloadStart(b *testing.B) {
	for _, n := range []int{1, 10000} {
		b.Run("certs="+strconv.Itoa(n), func(b *testing.B) {
			e := newEnv(b)
			putLeaves(b, e, n)
			b.ReportAllocs()
			for b.Loop() {
				m, err := acme.New(acme.Options{Certs: e.db})
				if err != nil {
					b.Fatal(err)
				}
				if err := m.Reload(context.Background()); err != nil {
					b.Fatalf("reload: %v", err)
				}
				m.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "us/cert")
		})
	}
}
