package reference

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Ensure that the backend answers the fixed body or ?size=N bytes, and
// refuses a size out of range; and that the proxy balances over its
// backends in turn and refuses a backend URL without a host.
func TestReference(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(Backend))
	defer be.Close()
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(be.URL); code != 200 || body != "hello, world\n" {
		t.Fatalf("backend: %d %q", code, body)
	}
	if code, body := get(be.URL + "?size=5"); code != 200 || body != "xxxxx" {
		t.Fatalf("backend ?size=5: %d %q", code, body)
	}
	if code, _ := get(be.URL + "?size=-1"); code != 400 {
		t.Fatalf("backend ?size=-1: %d, want 400", code)
	}

	var hits [2]int
	mk := func(i int) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits[i]++ }))
	}
	a, b := mk(0), mk(1)
	defer a.Close()
	defer b.Close()
	rp, err := Proxy(a.URL + ", " + b.URL)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(rp)
	defer front.Close()
	for range 4 {
		if code, _ := get(front.URL); code != 200 {
			t.Fatalf("proxy: %d", code)
		}
	}
	if hits != [2]int{2, 2} {
		t.Errorf("hits %v, want round robin 2 and 2", hits)
	}
	if _, err := Proxy("127.0.0.1:9"); err == nil || !strings.Contains(err.Error(), "bad backend") {
		t.Errorf("a URL without a scheme: %v, want a bad-backend error", err)
	}
}
