package store

import (
	"strings"
	"testing"
)

// FuzzSettingSet checks every settings key with arbitrary text: Set never
// panics, a value Set accepts leaves Settings that Validate accepts, and
// the value Get then shows round-trips (Set of it gives the same Get).
func FuzzSettingSet(f *testing.F) {
	seeds := []string{"", " ", "0", "-1", "1", "65535", "65536", "0s", "1s", "10m", "-5s", "1e9", "NaN",
		"example.com", "EXAMPLE.COM.", "bücher.example", "[::1]", "a..b", "on", "off", "OFF ", "true", "maybe",
		"https://acme.example.test/dir", "http://x", "https://", "ops@example.test", "not-an-email",
		"http-01", "http-01,tls-alpn-01", " tls-alpn-01 , http-01 ", "dns-01",
		"10.0.0.0/8", "10.0.0.1/8, ::1/128", "fe80::1%eth0/64", ",,,", "1.2.3.4", "1.2.3.4,::1", "1.2.3.4:53",
		"127.0.0.1:8081", ":0", "localhost:99999", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"x\x00y", "\xff", strings.Repeat("a", 300)}
	for _, s := range seeds {
		for i := range SettingKeys {
			f.Add(i, s)
		}
	}
	f.Fuzz(func(t *testing.T, i int, v string) {
		if i < 0 || i >= len(SettingKeys) {
			return
		}
		k := SettingKeys[i]
		s := DefaultSettings()
		if err := k.Set(&s, v); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%s=%q: error %T %v, want a *store.Error", k.Key, v, err, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("%s=%q is accepted by Set, but Validate refuses it: %v", k.Key, v, err)
		}
		got := k.Get(&s)
		s2 := DefaultSettings()
		if err := k.Set(&s2, got); err != nil {
			t.Fatalf("%s=%q shows as %q, which Set refuses: %v", k.Key, v, got, err)
		}
		if again := k.Get(&s2); again != got {
			t.Fatalf("%s=%q shows as %q, and setting that shows %q", k.Key, v, got, again)
		}
	})
}
