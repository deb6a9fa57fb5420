package store

import "testing"

// Ensure that the domain verification keys accept what they document,
// normalise it, and refuse the rest.
func TestDomainVerificationSettingKeys(t *testing.T) {
	for _, c := range []struct {
		key, value, want string
		ok               bool
	}{
		{"dns-resolver", "127.0.0.1:53", "127.0.0.1:53", true},
		{"dns-resolver", "[::1]:5353", "[::1]:5353", true},
		{"dns-resolver", "", "", true},
		{"dns-resolver", "dns.google", "", false},
		{"public-ips", "203.0.113.7, 2001:db8::7,203.0.113.7", "203.0.113.7,2001:db8::7", true},
		{"public-ips", "", "", true},
		{"public-ips", "10.0.0.0/8", "", false},
		{"cname-target", "Edge.Example.COM.", "edge.example.com", true},
		{"cname-target", "", "", true},
		{"cname-target", "https://edge.example.com/", "", false},
	} {
		k, err := LookupSetting(c.key)
		if err != nil {
			t.Fatal(err)
		}
		s := DefaultSettings()
		err = k.Set(&s, c.value)
		if (err == nil) != c.ok {
			t.Errorf("%s=%q: err = %v, want ok=%v", c.key, c.value, err, c.ok)
			continue
		}
		if got := k.Get(&s); c.ok && got != c.want {
			t.Errorf("%s=%q: reads back %q, want %q", c.key, c.value, got, c.want)
		}
	}
}
