// Command bareproxy is the reference that bench/run.sh measures foyer against: a bare
// httputil.ReverseProxy (Rewrite, SetURL, SetXForwarded) doing round robin over -backends, with a
// transport tuned for keep-alive load so the baseline is fair (bench/internal/reference's Proxy,
// which bench/baretls serves over TLS). It does nothing else.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/foyerhq/foyer/bench/internal/reference"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9100", "address to listen on")
	backends := flag.String("backends", "http://127.0.0.1:9001", "comma-separated backend URLs")
	flag.Parse()
	rp, err := reference.Proxy(*backends)
	if err != nil {
		log.Fatalf("bareproxy: %v", err)
	}
	srv := &http.Server{Addr: *addr, Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
