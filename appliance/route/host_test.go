package route

import (
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
)

func TestNormalizeHost(t *testing.T) {
	// Ensure that NormalizeHost gives the canonical form of the hosts a Host header carries.
	tests := []struct{ in, want string }{
		{"example.com", "example.com"},
		{"Acme.Example.COM:8443.", ""}, // a port must be a number
		{"host:notaport", ""},
		{"[example.com]:80", ""},
		{"[::1]junk", ""},
		{"Acme.Example.COM.:8443", "acme.example.com"},
		{"acme.example.com.", "acme.example.com"},
		{"[2001:DB8::1]:443", "2001:db8::1"},
		{"2001:DB8::1", "2001:db8::1"},
		{"[::ffff:1.2.3.4]", "::ffff:1.2.3.4"},
		{"10.0.0.1:80", "10.0.0.1"},
		{"BÜCHER.example", "xn--bcher-kva.example"},
		{"XN--BCHER-KVA.example", "xn--bcher-kva.example"},
		{"", ""},
		{":", ""},
		{"[", ""},
		{".", ""},
		{"a..b", ""},
		{"-a.com", ""},
		{"ab--c.com", ""},
		{"under_score.com", ""},
		{"fe80::1%eth0", ""},
		{strings.Repeat("a", 64) + ".com", ""},
		{strings.Repeat("a.", 126) + "A.", strings.Repeat("a.", 126) + "a"}, // 253 bytes
		{strings.Repeat("a.", 126) + "ab", ""},                              // 254 bytes
	}
	for _, tt := range tests {
		got, ok := NormalizeHost(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("NormalizeHost(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func FuzzNormalizeHost(f *testing.F) {
	for _, s := range []string{
		"example.com", "Acme.Example.COM:8443.", "acme.example.com.:8443", "EXAMPLE.COM.",
		"[::1]", "[::1]:443", "::1", "[2001:DB8::1]:8080", "2001:db8::1", "[::ffff:1.2.3.4]:1",
		"fe80::1%eth0", "[fe80::1%25eth0]:80", "fe80::1%x..", "1.2.3.4", "1.2.3.4:80", "01.2.3.4", "256.1.1.1",
		"xn--bcher-kva.example", "XN--BCHER-KVA.EXAMPLE", "xn--zz.com", "ab--cd.com",
		"bücher.example", "BÜCHER.example.", "ｅｘａｍｐｌｅ．ｃｏｍ", "例え.テスト", "bücher.example。",
		"", ":", "[", "]", ".", "..", "a..", ":80", "[]", "[]:80", "a:b:c", "host:port:x",
		"-a.com", "a-.com", "under_score.com", "a b.com", "\x00", "\xff.com",
		strings.Repeat("a", 63) + ".com", strings.Repeat("a", 64) + ".com",
		strings.Repeat("a.", 126) + "a", strings.Repeat("a.", 127) + "aa",
		strings.Repeat("ü", 300), strings.Repeat("x", 5000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		// Ensure that NormalizeHost never panics, agrees with store.NormalizeHost, and is idempotent.
		got, ok := NormalizeHost(in)
		want, err := store.NormalizeHost(in)
		switch {
		case ok && err != nil:
			t.Fatalf("NormalizeHost(%q) = %q, but store refuses it: %v", in, got, err)
		case !ok && err == nil && !strings.Contains(want, "%"):
			t.Fatalf("NormalizeHost(%q) refused, but store gives %q", in, want)
		case ok && got != want:
			t.Fatalf("NormalizeHost(%q) = %q, store.NormalizeHost = %q", in, got, want)
		}
		if !ok {
			return
		}
		if again, ok2 := NormalizeHost(got); !ok2 || again != got {
			t.Fatalf("NormalizeHost(%q) = %q, but NormalizeHost(%q) = %q, %v", in, got, got, again, ok2)
		}
	})
}
