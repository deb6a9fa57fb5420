// Command baretls is the HTTPS reference of bench/run.sh. With -backends it is bareproxy over TLS
// (bench/internal/reference's Proxy, as bench/bareproxy). Without -backends it answers itself as
// bench/backend does (reference's Backend: "hello, world\n", or ?size=N bytes), the ceiling of the
// HTTPS rows. Either way it serves the HOST.crt /
// HOST.key pairs of -certs (from bench/certgen), chosen by SNI from a map, over HTTP/1.1 and HTTP/2.
package main

import (
	"crypto/tls"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/foyerhq/foyer/bench/internal/reference"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9443", "address to listen on")
	certs := flag.String("certs", "certs", "directory of HOST.crt and HOST.key pairs")
	backends := flag.String("backends", "", "comma-separated backend URLs (empty: answer directly)")
	flag.Parse()

	byName, err := loadCerts(*certs)
	if err != nil {
		log.Fatalf("baretls: %v", err)
	}
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			return byName[strings.ToLower(hello.ServerName)], nil
		},
	}
	var h http.Handler = http.HandlerFunc(reference.Backend)
	if *backends != "" {
		if h, err = reference.Proxy(*backends); err != nil {
			log.Fatalf("baretls: %v", err)
		}
	}
	srv := &http.Server{Handler: h, TLSConfig: cfg, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("baretls: %v", err)
	}
	log.Fatal(srv.ServeTLS(ln, "", ""))
}

// loadCerts reads every HOST.crt with its HOST.key in dir, keyed by HOST.
func loadCerts(dir string) (map[string]*tls.Certificate, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.crt"))
	if err != nil {
		return nil, err
	}
	m := make(map[string]*tls.Certificate, len(files))
	for _, f := range files {
		host := strings.TrimSuffix(filepath.Base(f), ".crt")
		if host == "ca" {
			continue
		}
		c, err := tls.LoadX509KeyPair(f, strings.TrimSuffix(f, ".crt")+".key")
		if err != nil {
			return nil, err
		}
		m[host] = &c
	}
	if len(m) == 0 {
		return nil, os.ErrNotExist
	}
	return m, nil
}
