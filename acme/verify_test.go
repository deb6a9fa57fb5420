package acme

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Ensure that a directory URL maps to the issuer domain its CAA records name.
func TestCAIdentity(t *testing.T) {
	for dir, want := range map[string]string{
		"https://acme-v02.api.letsencrypt.org/directory":         "letsencrypt.org",
		"https://acme-staging-v02.api.letsencrypt.org/directory": "letsencrypt.org",
		"https://acme.zerossl.com/v2/DV90":                       "sectigo.com",
		"https://ca.internal.example:9000/acme/dir":              "ca.internal.example",
		"": "",
	} {
		if got := CAIdentity(dir); got != want {
			t.Errorf("CAIdentity(%q) = %q, want %q", dir, got, want)
		}
	}
}

// Ensure that the self-test path answers the nonce before routing and
// everything else reaches the next handler.
func TestSelfTestHandler(t *testing.T) {
	st := NewSelfTest()
	h := st.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", SelfTestPath+"tok", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != st.Nonce() || len(st.Nonce()) < 16 {
		t.Fatalf("self-test: %d %q, want 200 and the nonce", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/other", nil))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("other path: %d, want the next handler", rec.Code)
	}
}
