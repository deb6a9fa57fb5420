package appliance

import "os"

// The package's tests run the listeners with the engine FOYER_TEST_ENGINE
// names ("fast" or "std"; default std), so one suite checks both.
func init() {
	if e := os.Getenv("FOYER_TEST_ENGINE"); e == EngineFast || e == EngineStd {
		defaultEngine = e
	}
}
