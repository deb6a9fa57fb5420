package acme

import (
	"testing"
	"time"
)

// Ensure that the weekly budget counts only ACME certificates of the last
// 7 days, grouped by registered domain under multi-label public suffixes.
func TestWeeklyBudgets(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	certs := []CertInfo{
		{Name: "a.shop.example.com", Source: SourceACME, NotBefore: now.Add(-1 * day)},
		{Name: "b.example.com", Source: SourceACME, NotBefore: now.Add(-6 * day)},
		{Name: "c.example.com", Source: SourceACME, NotBefore: now.Add(-8 * day)},     // too old
		{Name: "d.example.com", Source: SourceInternal, NotBefore: now.Add(-1 * day)}, // not ACME
		{Name: "shop.customer.co.uk", Source: SourceACME, NotBefore: now.Add(-2 * day)},
		{Name: "x.example.com", Source: SourceImported, NotBefore: now},
	}
	got := WeeklyBudgets(certs, now)
	want := []Budget{{"example.com", 2, WeeklyLimit}, {"customer.co.uk", 1, WeeklyLimit}}
	if len(got) != len(want) {
		t.Fatalf("budgets = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("budget %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if d := RegisteredDomain("127.0.0.1"); d != "127.0.0.1" {
		t.Errorf("RegisteredDomain(IP) = %q", d)
	}
}
