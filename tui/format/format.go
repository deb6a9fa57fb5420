// Package format turns numbers into the short strings the TUI's screens
// show, so every screen writes a rate, a latency or a size the same way.
package format

import (
	"fmt"
	"strconv"
	"time"
)

// Rate shows requests per second compactly: 0.4, 12.5, 340, 1.2k.
func Rate(r float64) string {
	switch {
	case r >= 1000:
		return strconv.FormatFloat(r/1000, 'f', 1, 64) + "k"
	case r >= 100:
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// Uptime shows a duration as 3d4h, 2h5m, 4m10s, 9s; "-" when not positive.
func Uptime(d time.Duration) string {
	d = d.Truncate(time.Second)
	switch {
	case d <= 0:
		return "-"
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd%dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%ds", d/time.Minute, d%time.Minute/time.Second)
	}
	return d.String()
}

// Latency shows a latency rounded for a table: 850us, 12ms, 1.2s; "-" for none.
func Latency(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	case d < time.Second:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// Bytes shows bytes (per second, when the caller adds "/s") in powers of
// 1024: 512B, 1.5K, 20M, 3.1G.
func Bytes(b float64) string {
	const unit = 1024
	if b < unit {
		return strconv.FormatFloat(b, 'f', 0, 64) + "B"
	}
	for i, suf := range []string{"K", "M", "G", "T"} {
		v := b / float64(uint64(1)<<(10*(i+1)))
		if v < unit || suf == "T" {
			if v >= 100 {
				return strconv.FormatFloat(v, 'f', 0, 64) + suf
			}
			return strconv.FormatFloat(v, 'f', 1, 64) + suf
		}
	}
	return ""
}

// Percent shows a share (0..1) as 12%, 0.4%, 0%.
func Percent(r float64) string {
	switch {
	case r <= 0:
		return "0%"
	case r < 0.1:
		return strconv.FormatFloat(r*100, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(r*100, 'f', 0, 64) + "%"
}
