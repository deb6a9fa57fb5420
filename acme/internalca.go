package acme

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/foyerhq/foyer/store"
)

// The internal CA's keys in the store's blobs, beside certmagic's own
// (which live under "certificates", "acme", ...). A backup carries them.
// The key is never logged and never leaves the store through the API.
const (
	internalCACertKey = "foyer/internal-ca/ca.crt"
	internalCAKeyKey  = "foyer/internal-ca/ca.key"
)

const (
	// internalRootLifetime is the root's validity: long, since every
	// client that trusts it was set up by hand (foyer ca export-root).
	internalRootLifetime = 10 * 365 * 24 * time.Hour
	// InternalLeafLifetime is the validity of a leaf the internal CA
	// signs. Seven days, not thirty: the internal CA publishes no
	// revocation (no CRL, no OCSP), so a short life is the only bound on a
	// leaked leaf key; issuance is local and instant, and certmagic renews
	// once a third of the lifetime is left, so short costs nothing.
	InternalLeafLifetime = 7 * 24 * time.Hour
)

// ErrNoInternalCA is returned by InternalRoot when no internal CA has been
// made yet: internal-ca has never been on.
var ErrNoInternalCA = errors.New("no internal CA yet")

// internalCA is foyer's own certificate authority: a self-signed ECDSA
// P-256 root and its key, made on first use and kept in the store. It is
// immutable once loaded.
type internalCA struct {
	cert    *x509.Certificate
	certPEM []byte
	key     *ecdsa.PrivateKey
	id      string // short id: the first 8 hex digits of the root's SHA-256
}

// loadOrCreateCA loads the internal CA from st, or makes one and stores
// it. The caller serialises calls (Configure holds confMu), so two CAs are
// never made in one process; the store has one process (bbolt's lock).
func loadOrCreateCA(ctx context.Context, st certmagic.Storage, now time.Time) (*internalCA, error) {
	certPEM, err := st.Load(ctx, internalCACertKey)
	if err == nil {
		keyPEM, kerr := st.Load(ctx, internalCAKeyKey)
		if kerr != nil {
			return nil, fmt.Errorf("load internal CA key: %w", kerr)
		}
		return parseCA(certPEM, keyPEM)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load internal CA: %w", err)
	}
	certPEM, keyPEM, err := newCA(now)
	if err != nil {
		return nil, fmt.Errorf("make internal CA: %w", err)
	}
	// The key first: a certificate without its key would be unusable.
	if err := st.Store(ctx, internalCAKeyKey, keyPEM); err != nil {
		return nil, fmt.Errorf("store internal CA key: %w", err)
	}
	if err := st.Store(ctx, internalCACertKey, certPEM); err != nil {
		return nil, fmt.Errorf("store internal CA: %w", err)
	}
	return parseCA(certPEM, keyPEM)
}

// newCA makes a root certificate and key, both PEM.
func newCA(now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	sn, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(pub)
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: "foyer internal CA " + hex.EncodeToString(sum[:4]), Organization: []string{"foyer"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(internalRootLifetime),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

func parseCA(certPEM, keyPEM []byte) (*internalCA, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("internal CA in the store is not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse internal CA: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse internal CA key: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("internal CA key does not match its certificate")
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return &internalCA{cert: cert, certPEM: certPEM, key: key, id: hex.EncodeToString(sum[:4])}, nil
}

func randomSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}

// InternalRoot returns the internal CA's root certificate, PEM, from
// blobs (a store.Store), or an error wrapping ErrNoInternalCA when none
// has been made. It never returns the key.
func InternalRoot(ctx context.Context, blobs store.Blobs) ([]byte, error) {
	v, err := blobs.GetBlob(ctx, internalCACertKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoInternalCA
	}
	if err != nil {
		return nil, fmt.Errorf("read internal CA: %w", err)
	}
	return v, nil
}

// internalIssuer is a certmagic.Issuer that signs leaves with the
// internal CA. It does not ask the issuance gate: certmagic's on-demand
// DecisionFunc has asked it before the issuer is reached, and asking again
// would spend a second attempt of the gate's rate limit. It is safe for
// concurrent use.
type internalIssuer struct {
	ca  *internalCA
	now func() time.Time
}

var _ certmagic.Issuer = (*internalIssuer)(nil)

// IssuerKey implements certmagic.Issuer. It names the CA, so leaves of a
// replaced CA are never mistaken for this one's.
func (is *internalIssuer) IssuerKey() string { return "foyer-internal-ca-" + is.ca.id }

// Issue implements certmagic.Issuer: a leaf for exactly the CSR's DNS
// names, valid for InternalLeafLifetime (never
// past the root), chained leaf then root.
func (is *internalIssuer) Issue(ctx context.Context, csr *x509.CertificateRequest) (*certmagic.IssuedCertificate, error) {
	if err := checkCSR(csr); err != nil {
		return nil, err
	}
	sn, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := is.now()
	notAfter := now.Add(InternalLeafLifetime)
	if notAfter.After(is.ca.cert.NotAfter) {
		notAfter = is.ca.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: sn, DNSNames: csr.DNSNames,
		NotBefore: now.Add(-5 * time.Minute), NotAfter: notAfter, // a little back: clients' clocks drift
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, is.ca.cert, csr.PublicKey, is.ca.key)
	if err != nil {
		return nil, fmt.Errorf("sign certificate for %s: %w", strings.Join(csr.DNSNames, ", "), err)
	}
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return &certmagic.IssuedCertificate{Certificate: append(chain, is.ca.certPEM...)}, nil
}

// checkCSR refuses a CSR with a bad signature, without DNS names, with
// other kinds of names, or with a malformed name.
func checkCSR(csr *x509.CertificateRequest) error {
	if err := csr.CheckSignature(); err != nil {
		return fmt.Errorf("internal CA: bad CSR signature: %w", err)
	}
	if len(csr.DNSNames) == 0 || len(csr.IPAddresses)+len(csr.EmailAddresses)+len(csr.URIs) > 0 {
		return errors.New("internal CA: the CSR must name DNS names only")
	}
	for _, n := range csr.DNSNames {
		if n == "" || len(n) > 253 || strings.ContainsAny(n, " /:@") || net.ParseIP(n) != nil {
			return fmt.Errorf("internal CA: %q is not a DNS name", n)
		}
	}
	return nil
}

// internalConfig builds an on-demand config whose one issuer is the
// internal CA, loading or making the CA first.
func (m *Manager) internalConfig() (*certmagic.Config, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ca, err := loadOrCreateCA(ctx, m.cfg.Storage, m.now())
	if err != nil {
		return nil, err
	}
	cfg := m.onDemandConfig()
	cfg.Issuers = []certmagic.Issuer{&internalIssuer{ca: ca, now: m.now}}
	return cfg, nil
}
