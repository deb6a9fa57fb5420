package store

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"time"
)

// ParseCertificate validates a PEM certificate chain and private key
// imported for name (a domain or "*.domain") and returns the record to
// store. It refuses a pair whose key does not match, a leaf that does not
// cover name, and a certificate that has expired or is not yet valid.
func ParseCertificate(name, certPEM, keyPEM string, now time.Time) (Certificate, error) {
	name, err := ValidateCertName(name)
	if err != nil {
		return Certificate{}, err
	}
	const hint = "give the PEM files a CA or `openssl req -x509` produced: --cert chain.pem --key key.pem"
	if len(certPEM) > MaxCertBytes || len(keyPEM) > MaxCertBytes {
		return Certificate{}, invalid("cert.cert_pem", hint, "certificate or key is larger than %d bytes", MaxCertBytes)
	}
	if !strings.Contains(certPEM, "-----BEGIN CERTIFICATE-----") {
		return Certificate{}, invalid("cert.cert_pem", hint, "no PEM CERTIFICATE block found")
	}
	if !strings.Contains(keyPEM, "PRIVATE KEY-----") {
		return Certificate{}, invalid("cert.key_pem", hint, "no PEM PRIVATE KEY block found")
	}
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		return Certificate{}, invalid("cert.key_pem", hint, "certificate and key do not form a pair: %v", err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return Certificate{}, invalid("cert.cert_pem", hint, "leaf certificate does not parse: %v", err)
	}
	if now.After(leaf.NotAfter) {
		return Certificate{}, invalid("cert.cert_pem", "renew it and import the new one",
			"certificate expired on %s", leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(leaf.NotBefore) {
		return Certificate{}, invalid("cert.cert_pem", "check the machine's clock or wait",
			"certificate is not valid before %s", leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	if !covers(leaf.DNSNames, name) {
		return Certificate{}, invalid("cert.name", "import it under a name it covers: "+strings.Join(leaf.DNSNames, ", "),
			"certificate does not cover %q (its names: %s)", name, strings.Join(leaf.DNSNames, ", "))
	}
	return Certificate{
		Name: name, Names: leaf.DNSNames, CertPEM: certPEM, KeyPEM: keyPEM,
		Issuer: leaf.Issuer.String(), NotBefore: leaf.NotBefore.UTC(), NotAfter: leaf.NotAfter.UTC(),
	}, nil
}

// covers reports whether one of sans names name exactly (case-insensitive,
// wildcards compared as written).
func covers(sans []string, name string) bool {
	for _, s := range sans {
		if strings.EqualFold(strings.TrimSuffix(s, "."), name) {
			return true
		}
	}
	return false
}
