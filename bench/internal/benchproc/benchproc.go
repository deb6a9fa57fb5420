// Package benchproc holds what the benchmark programs under bench/ share
// about running the real foyer binary: building it, free loopback ports,
// waiting for a URL, stopping the process, and reading its memory and CPU
// from /proc (Linux only).
package benchproc

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Build compiles ./cmd/foyer (run from the module root) into dir/foyer
// with CGO_ENABLED=0 and -trimpath, as a release is built, and returns
// its path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "foyer")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/foyer")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/foyer: %v\n%s", err, b)
	}
	return bin, nil
}

// FreeAddr returns a loopback address with a port that was free a moment
// ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// WaitReady polls url every 2ms until it answers 200 and returns the time
// since t0; it gives up once limit has passed since t0.
func WaitReady(url string, t0 time.Time, limit time.Duration) (time.Duration, error) {
	return WaitStatus(&http.Client{Timeout: time.Second}, url, "", http.StatusOK, t0, limit)
}

// WaitStatus polls url (with Host set to host unless it is "") through c
// every 1ms until it answers want and returns the time since t0; it gives
// up once limit has passed since t0.
func WaitStatus(c *http.Client, url, host string, want int, t0 time.Time, limit time.Duration) (time.Duration, error) {
	for time.Since(t0) < limit {
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			return 0, err
		}
		if host != "" {
			req.Host = host
		}
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == want {
				return time.Since(t0), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("%s (host %q) did not answer %d within %s", url, host, want, limit)
}

// Stop sends SIGTERM, then kills the process if it has not stopped in 10s.
func Stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Memory reads VmRSS and VmHWM, in MiB, from /proc/pid/status.
func Memory(pid int) (rss, hwm float64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, fmt.Errorf("read memory (Linux only): %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm, nil
}

// CPUTime is the process's user+system CPU time from /proc/pid/stat; 0
// when it cannot be read.
func CPUTime(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// SelfCPU is this process's user+system CPU time.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Fetch saves what url answers (200 only) to path, creating its
// directory; for pprof profiles from the ops listener.
func Fetch(url, path string) error {
	c := &http.Client{Timeout: 2 * time.Minute}
	resp, err := c.Get(url)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch %s: answered %s", url, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// MiB converts bytes to MiB.
func MiB(n int64) float64 { return float64(n) / (1 << 20) }

// Quantile returns the q-quantile (0..1, nearest rank) of v, which it
// sorts; 0 for an empty v.
func Quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	i := int(q*float64(len(v)) + 0.5)
	return v[min(max(i-1, 0), len(v)-1)]
}

// Median is the middle value of v (the upper one of an even count), which
// it sorts; 0 for an empty v.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// Machine describes this machine for a report: CPU model, cores, Go
// version, OS/arch.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s %s/%s", model, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// LoadAvg is the 1-minute load average from /proc/loadavg, or "?".
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
