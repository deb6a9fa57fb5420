// Command backend is the upstream used by bench/run.sh: a small, fast HTTP/1.1 server that answers
// every request with 200 and "hello, world\n", or with ?size=N bytes of 'x' (N <= 16 MiB); the
// answer is bench/internal/reference's Backend, which bench/baretls serves over TLS too.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/foyerhq/foyer/bench/internal/reference"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "address to listen on")
	flag.Parse()
	srv := &http.Server{
		Addr:              *addr,
		Handler:           http.HandlerFunc(reference.Backend),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Fatal(srv.ListenAndServe())
}
