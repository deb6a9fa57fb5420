package main

import (
	"os"
	"os/exec"
	"testing"
)

// otherEngineTests are the end-to-end tests of traffic that run a second
// time with the engine the rest of the suite does not use.
const otherEngineTests = "^(TestE2ETraffic.*|TestE2EPoolHealthAndDrain|TestE2EResilience|TestGracefulStopDrainsInFlight|" +
	"TestServeAbuse.*|TestE2ETLSParamsAndHSTS|TestAccessLogEndToEnd|TestFaultHangingBackend|TestServeEndToEnd|" +
	"TestLiveChangesUnderLoad|TestE2ETrace)$"

// Ensure that the traffic, abuse, TLS and drain tests through the real
// binary pass under both engines (one conformance suite, two engines): the
// test binary runs them again with FOYER_TEST_ENGINE set to the engine
// this run does not use.
func TestOtherEngine(t *testing.T) {
	if os.Getenv("FOYER_TEST_ENGINE") != "" {
		t.Skip("FOYER_TEST_ENGINE chooses one engine for this run")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	other := "fast"
	if fastEngine() {
		other = "std"
	}
	cmd := exec.Command(os.Args[0], "-test.count=1", "-test.run", otherEngineTests)
	cmd.Env = append(os.Environ(), "FOYER_TEST_ENGINE="+other)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the end-to-end tests with --engine %s failed: %v\n%s", other, err, out)
	}
	t.Logf("--engine %s: passed", other)
}
