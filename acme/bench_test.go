package acme_test

import (
	"crypto/tls"
	"net"
	"strconv"
	"testing"
)

// BenchmarkGetCertificate measures choosing a certificate for a
// ClientHello, without the handshake's cryptography: an exact hit, a
// wildcard hit and a miss, among a few hundred imported certificates.
func BenchmarkGetCertificate(b *testing.B) {
	e := newEnv(b)
	for i := range 300 {
		e.put(b, "site"+strconv.Itoa(i)+".example.org")
	}
	e.put(b, "shop.example.com")
	e.put(b, "*.example.net")
	conn, peer := net.Pipe() // certmagic reads the remote address on a miss
	b.Cleanup(func() { conn.Close(); peer.Close() })
	for _, tc := range []struct{ name, sni string }{
		{"hit", "shop.example.com"},
		{"wildcard", "a.example.net"},
		{"miss", "unknown.example.com"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			hello := &tls.ClientHelloInfo{ServerName: tc.sni, Conn: conn}
			b.ReportAllocs()
			for b.Loop() {
				_, err := e.m.GetCertificate(hello)
				if (err == nil) != (tc.name != "miss") {
					b.Fatalf("GetCertificate(%s): %v", tc.sni, err)
				}
			}
		})
	}
}
