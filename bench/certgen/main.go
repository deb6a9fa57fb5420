// Command certgen writes the certificates bench/run.sh gives every proxy: a throwaway test CA and
// one ECDSA P-256 leaf per tenant host (t0.test .. t<n-1>.test), each valid for its own name only.
// For each host it writes HOST.crt (leaf then CA), HOST.key (PKCS#8) and pem/HOST.pem (both, for
// HAProxy's "crt DIR", which loads every file of a directory), plus ca.crt. The CA's key is never written: nothing can be issued from it afterwards.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

func main() {
	dir := flag.String("dir", "certs", "directory to write into (created if missing)")
	n := flag.Int("n", 100, "number of hosts t0.test .. t<n-1>.test")
	prefix := flag.String("prefix", "t", "host name prefix")
	suffix := flag.String("suffix", ".test", "host name suffix")
	flag.Parse()
	if *n < 1 || *n > 100000 {
		log.Fatalf("certgen: -n %d out of range: give 1 to 100000 hosts", *n)
	}
	if err := os.MkdirAll(filepath.Join(*dir, "pem"), 0o700); err != nil {
		log.Fatalf("certgen: %v", err)
	}
	caKey, caCert, caDER, err := newCA()
	if err != nil {
		log.Fatalf("certgen: create CA: %v", err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if err := os.WriteFile(filepath.Join(*dir, "ca.crt"), caPEM, 0o600); err != nil {
		log.Fatalf("certgen: %v", err)
	}
	for i := 0; i < *n; i++ {
		host := fmt.Sprintf("%s%d%s", *prefix, i, *suffix)
		if err := writeLeaf(*dir, host, caKey, caCert, caPEM); err != nil {
			log.Fatalf("certgen: %s: %v", host, err)
		}
	}
}

// newCA returns a self-signed CA valid for a week.
func newCA() (*ecdsa.PrivateKey, *x509.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	tpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "foyer bench CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, der, err
}

// writeLeaf issues a leaf for host from the CA and writes HOST.crt, HOST.key and pem/HOST.pem.
func writeLeaf(dir, host string, caKey *ecdsa.PrivateKey, ca *x509.Certificate, caPEM []byte) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), caPEM...)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	for name, data := range map[string][]byte{
		host + ".crt":                     chain,
		host + ".key":                     keyPEM,
		filepath.Join("pem", host+".pem"): append(append([]byte{}, chain...), keyPEM...),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// serial returns a random 128-bit serial number.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		log.Fatalf("certgen: serial: %v", err)
	}
	return n
}
