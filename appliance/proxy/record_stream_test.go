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

	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// recording gives l a handler that records, with the records kept in c.
func recording(l *live, fn func(tx store.Tx) error) *records {
	l.h = New(Options{Recorder: &traffic.Recorder{Live: traffic.NewLive(traffic.LiveOptions{})}})
	l.t.Cleanup(l.h.Close)
	c := &records{}
	l.h.recHook = c.add
	l.change(fn)
	return c
}

// Ensure that with the record step on, a WebSocket upgrade still passes
// (hijack through the record writer) and is recorded once, as 101.
func TestRecordWebSocket(t *testing.T) {
	be := httptest.NewServer(websocket.Handler(func(c *websocket.Conn) {
		var msg string
		if err := websocket.Message.Receive(c, &msg); err == nil {
			websocket.Message.Send(c, "echo "+msg)
		}
	}))
	defer be.Close()
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	c := recording(l, acmePolicy(wrapped))
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
	raw.SetDeadline(time.Now().Add(5 * time.Second))
	ws, err := websocket.NewClient(conf, raw)
	if err != nil {
		t.Fatalf("handshake through foyer: %v", err)
	}
	var got string
	if err := websocket.Message.Send(ws, "hello"); err != nil || websocket.Message.Receive(ws, &got) != nil || got != "echo hello" {
		t.Fatalf("received %q, %v", got, err)
	}
	raw.Close()
	var recs []store.LogRecord
	for deadline := time.Now().Add(5 * time.Second); len(recs) == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // the handler records when the tunnel ends; Close does not wait for hijacked ones
		recs = c.all()
	}
	if len(recs) != 1 || recs[0].Status != http.StatusSwitchingProtocols || recs[0].Outcome != store.OutcomeAllowed {
		t.Fatalf("records %+v, want one 101", recs)
	}
}

// Ensure that with the record step on, a streamed answer is flushed chunk
// by chunk and its bytes are counted.
func TestRecordStreaming(t *testing.T) {
	release := make(chan struct{})
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
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
	l := newLive(t, tenants("example.test", map[string][]string{"acme": {be.URL}}))
	c := recording(l, acmePolicy(wrapped))
	srv := frontend(t, l.h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/events", nil)
	req.Host = "acme.example.test"
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	if first, err := br.ReadString('\n'); err != nil || first != "data: first\n" {
		t.Fatalf("first chunk %q, %v", first, err)
	}
	close(release) // the backend finishes only now
	io.Copy(io.Discard, br)
	resp.Body.Close()
	srv.Close()
	recs := c.all()
	if len(recs) != 1 || recs[0].Status != 200 || recs[0].BytesOut != int64(len("data: first\n\ndata: second\n\n")) {
		t.Fatalf("records %+v, want one 200 with both chunks' bytes", recs)
	}
}
