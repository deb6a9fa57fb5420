package acme_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The handshake parameters foyer's HTTPS listeners accept: TLS 1.2 and
// 1.3 only, ECDHE with an AEAD only for TLS 1.2. Each refusal is checked
// against a control server that accepts everything Go can speak, so a
// client that could not offer the weak parameter at all fails the test
// instead of passing it.

// weakSuites are TLS 1.2 (and older) suites foyer must refuse: CBC, RSA
// key exchange (no forward secrecy), 3DES and RC4.
var weakSuites = []uint16{
	tls.TLS_RSA_WITH_RC4_128_SHA,
	tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA,
	tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
}

// goodSuites are the TLS 1.2 suites foyer accepts, each with the name
// whose certificate (ECDSA or RSA) it needs.
var goodSuites = map[uint16]string{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       "ec.example.com",
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       "ec.example.com",
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ec.example.com",
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         "rsa.example.com",
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         "rsa.example.com",
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   "rsa.example.com",
}

// paramsEnv is a Manager serving an ECDSA and an RSA certificate, and a
// control server with the same certificates that accepts every version,
// suite and curve Go implements.
type paramsEnv struct {
	*env
	foyer, control string
}

func newParamsEnv(t *testing.T) *paramsEnv {
	e := newEnv(t)
	ec := e.put(t, "ec.example.com")
	rsaPair := e.ca.issueRSA(t, "rsa.example.com")
	e.putPair(t, "rsa.example.com", rsaPair)
	var all []uint16
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		all = append(all, s.ID)
	}
	control := &tls.Config{
		Certificates: []tls.Certificate{keyPair(t, ec), keyPair(t, rsaPair)},
		MinVersion:   tls.VersionTLS10, CipherSuites: all,
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521},
	}
	return &paramsEnv{env: e, foyer: serve(t, e.m), control: serveConfig(t, control)}
}

// Ensure that TLS 1.0 and 1.1 clients are refused with a protocol version
// alert.
func TestTLSParamsOldVersionsRefused(t *testing.T) {
	p := newParamsEnv(t)
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			cfg := p.ca.client("ec.example.com")
			cfg.MinVersion, cfg.MaxVersion = v, v
			if st, err := dial(p.control, cfg); err != nil || st.Version != v {
				t.Fatalf("control handshake: %v (version %x): the client cannot speak %s", err, st.Version, tls.VersionName(v))
			}
			if err := refused(t, p.foyer, cfg); !strings.Contains(err.Error(), "protocol version") {
				t.Fatalf("error %q, want a protocol version alert", err)
			}
		})
	}
}

// Ensure that every weak TLS 1.2 suite (CBC, RSA key exchange, 3DES, RC4)
// is refused, for both an ECDSA and an RSA certificate.
func TestTLSParamsWeakSuitesRefused(t *testing.T) {
	p := newParamsEnv(t)
	for _, id := range weakSuites {
		t.Run(tls.CipherSuiteName(id), func(t *testing.T) {
			name := "rsa.example.com"
			if strings.Contains(tls.CipherSuiteName(id), "ECDSA") {
				name = "ec.example.com"
			}
			cfg := p.ca.client(name)
			cfg.MaxVersion, cfg.CipherSuites = tls.VersionTLS12, []uint16{id}
			if st, err := dial(p.control, cfg); err != nil || st.CipherSuite != id {
				t.Fatalf("control handshake: %v (suite %x): the client cannot offer the suite", err, st.CipherSuite)
			}
			if err := refused(t, p.foyer, cfg); !strings.Contains(err.Error(), "handshake failure") {
				t.Fatalf("error %q, want a handshake failure alert", err)
			}
		})
	}
}

// Ensure that each accepted TLS 1.2 suite negotiates as itself, over
// TLS 1.2, with an ECDHE curve foyer prefers.
func TestTLSParamsGoodSuitesAccepted(t *testing.T) {
	p := newParamsEnv(t)
	for id, name := range goodSuites {
		t.Run(tls.CipherSuiteName(id), func(t *testing.T) {
			cfg := p.ca.client(name, "h2")
			cfg.MaxVersion, cfg.CipherSuites = tls.VersionTLS12, []uint16{id}
			st, err := dial(p.foyer, cfg)
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if st.Version != tls.VersionTLS12 || st.CipherSuite != id || st.NegotiatedProtocol != "h2" {
				t.Fatalf("negotiated %s %s %q, want TLS 1.2 %s h2", tls.VersionName(st.Version),
					tls.CipherSuiteName(st.CipherSuite), st.NegotiatedProtocol, tls.CipherSuiteName(id))
			}
			if st.CurveID != tls.X25519 {
				t.Fatalf("curve %v, want X25519 (TLS 1.2 has no hybrid key exchange)", st.CurveID)
			}
		})
	}
}

// Ensure that a default client negotiates TLS 1.3 with the post-quantum
// hybrid key exchange, for both certificate types.
func TestTLSParamsTLS13(t *testing.T) {
	p := newParamsEnv(t)
	for _, name := range []string{"ec.example.com", "rsa.example.com"} {
		st, err := dial(p.foyer, p.ca.client(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st.Version != tls.VersionTLS13 || st.CurveID != tls.X25519MLKEM768 {
			t.Fatalf("%s: negotiated %s with %v, want TLS 1.3 with X25519MLKEM768", name,
				tls.VersionName(st.Version), st.CurveID)
		}
	}
}

// Ensure that a client offering only P-521 (left out of foyer's curves)
// is refused, while the control server accepts it.
func TestTLSParamsCurves(t *testing.T) {
	p := newParamsEnv(t)
	cfg := p.ca.client("ec.example.com")
	cfg.CurvePreferences = []tls.CurveID{tls.CurveP521}
	if st, err := dial(p.control, cfg); err != nil || st.CurveID != tls.CurveP521 {
		t.Fatalf("control handshake: %v (curve %v)", err, st.CurveID)
	}
	refused(t, p.foyer, cfg)
	for _, c := range []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384} {
		cfg.CurvePreferences = []tls.CurveID{c}
		if st, err := dial(p.foyer, cfg); err != nil || st.CurveID != c {
			t.Fatalf("curve %v: %v (negotiated %v)", c, err, st.CurveID)
		}
	}
}

// Ensure that TLSConfig returns its own copies of the suite and curve
// lists, so a caller changing one cannot weaken the next listener.
func TestTLSParamsConfigCopies(t *testing.T) {
	e := newEnv(t)
	a := e.m.TLSConfig()
	want := slices.Clone(a.CipherSuites)
	a.CipherSuites[0] = tls.TLS_RSA_WITH_RC4_128_SHA
	a.CurvePreferences[0] = tls.CurveP521
	b := e.m.TLSConfig()
	if !slices.Equal(b.CipherSuites, want) || b.CurvePreferences[0] == tls.CurveP521 {
		t.Fatalf("second TLSConfig sees the first's change: %v %v", b.CipherSuites, b.CurvePreferences)
	}
}

// issueRSA returns an RSA-2048 leaf for sans.
func (ca *testCA) issueRSA(t testing.TB, sans ...string) pemPair {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: sans[0]}, DNSNames: sans,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemPair{
		cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
		der:  der,
	}
}

func keyPair(t testing.TB, p pemPair) tls.Certificate {
	t.Helper()
	c, err := tls.X509KeyPair([]byte(p.cert), []byte(p.key))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serveConfig is serve with a plain configuration instead of a Manager's.
func serveConfig(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { handshakeAndClose(tls.Server(c, cfg)) })
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}
