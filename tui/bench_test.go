package tui

import (
	"testing"

	"github.com/foyerhq/foyer/tui/data"
)

// BenchmarkViewTenants1000 is one frame of the home screen with 1,000
// tenants, each with five minutes of history (a frame at 60 fps has 16.7 ms).
func BenchmarkViewTenants1000(b *testing.B) {
	d := manyTenants(1000, data.HistoryLen)
	app := NewApp(NewEnv(d, nil, false, false), Screens(), Home, nil, fixedNow)
	app.toTop(data.Updated{What: "stats"})
	b.ReportAllocs()
	for b.Loop() {
		_ = app.View()
	}
}

// BenchmarkStatsFrame1000 is what a stats line costs with 1,000 tenants:
// applying the frame to the data and rebuilding, filtering and sorting
// the tenants screen's rows (once a second).
func BenchmarkStatsFrame1000(b *testing.B) {
	d := manyTenants(1000, data.HistoryLen)
	app := NewApp(NewEnv(d, nil, false, false), Screens(), Home, nil, fixedNow)
	frame := data.Frame{Stats: *lastFrame(d)}
	b.ReportAllocs()
	for b.Loop() {
		app.Update(frame)
	}
}
