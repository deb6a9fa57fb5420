// Command backend is the upstream used by bench/run.sh: a small, fast HTTP/1.1 server that answers
// every request with 200 and "hello, world\n", or with ?size=N bytes of 'x' (N <= 16 MiB).
package main

import (
	"flag"
	"log"
	"net/http"
	"strconv"
	"time"
)

const maxSize = 16 << 20

var (
	hello     = []byte("hello, world\n")
	helloLen  = []string{strconv.Itoa(len(hello))}
	plainText = []string{"text/plain; charset=utf-8"}
	filler    = make([]byte, maxSize)
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "address to listen on")
	flag.Parse()
	for i := range filler {
		filler[i] = 'x'
	}
	srv := &http.Server{
		Addr:              *addr,
		Handler:           http.HandlerFunc(serve),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Fatal(srv.ListenAndServe())
}

// serve answers with the fixed body, or with ?size=N bytes when the query asks for it.
func serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = plainText
	if r.URL.RawQuery == "" {
		h["Content-Length"] = helloLen
		w.Write(hello)
		return
	}
	n, err := strconv.Atoi(r.URL.Query().Get("size"))
	if err != nil || n < 0 || n > maxSize {
		http.Error(w, "size must be an integer in [0, 16777216]", http.StatusBadRequest)
		return
	}
	h["Content-Length"] = []string{strconv.Itoa(n)}
	w.Write(filler[:n])
}
