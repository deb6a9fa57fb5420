package store

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// Ensure that the ACME keys accept what they document and refuse the rest.
func TestACMESettingKeys(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "root"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	root := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	for _, c := range []struct {
		key, value string
		ok         bool
	}{
		{"acme-directory", "https://acme-v02.api.letsencrypt.org/directory", true},
		{"acme-directory", "", true},
		{"acme-directory", "http://insecure.example/dir", false},
		{"acme-directory", "not a url", false},
		{"acme-email", "ops@example.com", true},
		{"acme-email", "", true},
		{"acme-email", "Ops <ops@example.com>", false},
		{"acme-roots", root, true},
		{"acme-roots", "", true},
		{"acme-roots", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", false},
		{"acme-roots", "hello", false},
		{"acme-challenges", "http-01, tls-alpn-01", true},
		{"acme-challenges", "dns-01", false},
		{"tls-handshake-timeout", "2s", true},
		{"tls-handshake-timeout", "1h", false},
		{"acme-fallback", "https://a.example/dir, https://b.example/dir", true},
		{"acme-fallback", "https://a.example/dir,http://b.example/dir", false},
		{"acme-eab-key-id", "kid-1", true},
		{"acme-eab-mac-key", "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W", true},
		{"acme-eab-mac-key", "not base64!", false},
		{"api-listen", ":8443", true},
		{"api-listen", "127.0.0.1:0", true},
		{"api-listen", "8443", false},
		{"api-listen", "example.com:8443", false},
		{"api-host", "api.saas.example.com", true},
		{"api-host", "not a host", false},
	} {
		k, err := LookupSetting(c.key)
		if err != nil {
			t.Fatal(err)
		}
		s := DefaultSettings()
		err = k.Set(&s, c.value)
		if (err == nil) != c.ok {
			t.Errorf("set %s=%q: %v, want ok=%v", c.key, c.value, err, c.ok)
		}
		if err == nil {
			if verr := s.Validate(); verr != nil {
				t.Errorf("set %s=%q, then Validate: %v", c.key, c.value, verr)
			}
		}
	}
}
