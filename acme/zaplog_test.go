package acme

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/zap"
)

// Ensure that certmagic's warnings and errors reach slog with their
// fields and logger name, and that info and debug do not.
func TestZapBridge(t *testing.T) {
	var buf bytes.Buffer
	zl := newZapLogger(slog.New(slog.NewTextHandler(&buf, nil)))
	l := zl.Named("handshake").With(zap.String("remote", "192.0.2.1"))
	l.Debug("choosing certificate")
	l.Info("started maintenance")
	l.Warn("stapling OCSP", zap.Strings("identifiers", []string{"a.example.com"}))
	l.Error("renewing", zap.Error(errors.New("boom")))
	got := buf.String()
	for _, want := range []string{
		`level=WARN msg="stapling OCSP" logger=certmagic.handshake identifiers=[a.example.com] remote=192.0.2.1`,
		`level=ERROR msg=renewing logger=certmagic.handshake error=boom remote=192.0.2.1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "choosing") || strings.Contains(got, "maintenance") {
		t.Errorf("debug or info logged:\n%s", got)
	}
}
