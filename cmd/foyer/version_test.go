package main

import (
	"encoding/json"
	"testing"
)

// Ensure that version prints the linker-set build information, without a
// daemon, as text and as JSON.
func TestVersionCommand(t *testing.T) {
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	version, commit, date = "v1.2.3", "abc1234", "2025-01-02T03:04:05Z"
	out, errOut, code := runCLI("--data", t.TempDir(), "version")
	if code != 0 || errOut != "" || out != "foyer v1.2.3 (commit abc1234, built 2025-01-02T03:04:05Z)\n" {
		t.Fatalf("version: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, _, _ = runCLI("version", "--json")
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); err != nil || v != (versionInfo{"v1.2.3", "abc1234", "2025-01-02T03:04:05Z"}) {
		t.Fatalf("version --json: %q %v", out, err)
	}
}
