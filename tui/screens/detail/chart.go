package detail

import (
	"strings"

	"github.com/foyerhq/foyer/tui/data"
)

// blocks are the eighths of a cell, from empty to full.
var blocks = []rune(" ▁▂▃▄▅▆▇█")

// bucket reduces xs (oldest first, the newest at the right edge of a span
// of data.HistoryLen samples) to w cells: each cell the mean (or, with
// peak, the largest) of its samples; have is false for cells before the
// first sample.
func bucket(xs []float64, w int, peak bool) (cells []float64, have []bool) {
	cells, have = make([]float64, w), make([]bool, w)
	if w <= 0 {
		return cells, have
	}
	n := make([]int, w)
	for i := range xs {
		// the span of HistoryLen samples spread evenly over the w cells
		c := w - 1 - (len(xs)-1-i)*w/data.HistoryLen
		if c < 0 {
			continue
		}
		if peak {
			cells[c] = max(cells[c], xs[i])
		} else {
			cells[c] += xs[i]
		}
		n[c]++
		have[c] = true
	}
	if !peak {
		for i := range cells {
			if n[i] > 0 {
				cells[i] /= float64(n[i])
			}
		}
	}
	return cells, have
}

// chart draws cells as a block chart rows high, scaled so top fills the
// top row; it returns the rows from top to bottom.
func chart(cells []float64, have []bool, top float64, rows int) []string {
	out := make([]string, rows)
	levels := rows * 8
	var b strings.Builder
	for r := range rows {
		b.Reset()
		floor := (rows - 1 - r) * 8 // eighths below this row
		for i, v := range cells {
			if !have[i] {
				b.WriteByte(' ')
				continue
			}
			lvl := 0
			if top > 0 {
				lvl = int(v/top*float64(levels) + 0.5)
			}
			if r == rows-1 && lvl == 0 && v > 0 {
				lvl = 1 // a non-zero value is never drawn as nothing
			}
			if r == rows-1 && lvl == 0 {
				b.WriteRune(blocks[1]) // a held zero sample is a baseline, unlike no sample
				continue
			}
			b.WriteRune(blocks[min(max(lvl-floor, 0), 8)])
		}
		out[r] = b.String()
	}
	return out
}

// axis is the time axis under a chart of w cells spanning five minutes:
// "-5m" at the left, a mark each minute, "now" at the right.
func axis(w int) string {
	line := []rune(strings.Repeat(" ", w))
	put := func(at int, s string) {
		for i, r := range s {
			if at+i >= 0 && at+i < w {
				line[at+i] = r
			}
		}
	}
	labels := []string{"-5m", "-4m", "-3m", "-2m", "-1m"}
	last := -1
	for i, l := range labels {
		at := i * w / 5
		if at <= last {
			continue
		}
		put(at, l)
		last = at + len(l)
	}
	if w >= 3 && last < w-3 {
		put(w-3, "now")
	}
	return string(line)
}
