package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/foyerhq/foyer/store"
)

// wrapped is a policy that puts the policy writer around the outcome
// writer, so upgrades and flushes must pass through both.
var wrapped = store.Policy{"response-headers-set": "X-Env:test"}

// Ensure that a WebSocket upgrade passes through foyer (hijack through the
// policy and outcome writers, and the response-header timeout's wrapper)
// and frames go both ways.
func TestWebSocketThroughProxy(t *testing.T) {
	be := httptest.NewServer(websocket.Handler(func(c *websocket.Conn) {
		var msg string
		if err := websocket.Message.Receive(c, &msg); err == nil {
			websocket.Message.Send(c, "echo "+msg)
		}
	}))
	defer be.Close()
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	l.change(acmePolicy(store.Policy{"response-headers-set": "X-Env:test", "response-header-timeout": "5s"}))
	srv := frontend(t, l.h)
	defer srv.Close()

	conf, err := websocket.NewConfig("ws://acme.example.test/ws", "http://acme.example.test/")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(5 * time.Second))
	ws, err := websocket.NewClient(conf, raw)
	if err != nil {
		t.Fatalf("handshake through foyer: %v", err)
	}
	if err := websocket.Message.Send(ws, "hello"); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := websocket.Message.Receive(ws, &got); err != nil || got != "echo hello" {
		t.Fatalf("received %q, %v", got, err)
	}
}

// Ensure that a streamed answer (chunked, and text/event-stream) reaches
// the client chunk by chunk: the first arrives before the backend ends.
func TestStreamingFlushesAtOnce(t *testing.T) {
	release := make(chan struct{})
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/events" {
			w.Header().Set("Content-Type", "text/event-stream")
		}
		io.WriteString(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "data: second\n\n")
	}))
	defer be.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	l.change(acmePolicy(wrapped))
	srv := frontend(t, l.h)
	defer srv.Close()
	for i, path := range []string{"/chunked", "/events"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Host = "acme.example.test"
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(resp.Body)
		first, err := br.ReadString('\n')
		if err != nil || first != "data: first\n" || resp.Header.Get("X-Env") != "test" {
			t.Fatalf("%s: first chunk %q, %v", path, first, err)
		}
		if i == 1 {
			close(release) // the backend finishes only now
		}
		resp.Body.Close()
	}
}
