package ops

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Thresholds of the disk check, in percent of the filesystem free.
const (
	diskWarnPct = 10
	diskFailPct = 2
)

// Disk is the size and free space of a filesystem, in bytes.
type Disk struct {
	Total, Free uint64 // Free is what an unprivileged user may still write
}

// permissions checks that the data directory is 0700, its files and the
// socket 0600, all owned by the user running doctor (the daemon's user,
// when run as it).
func (d *doctor) permissions() {
	dir := d.opts.DataDir
	var bad []string
	check := func(path string, want fs.FileMode, optional bool) {
		fi, err := os.Lstat(path)
		if err != nil {
			if !optional || !os.IsNotExist(err) {
				bad = append(bad, err.Error())
			}
			return
		}
		if p := fi.Mode().Perm(); p&^want != 0 {
			bad = append(bad, fmt.Sprintf("%s has mode %04o, want %04o", path, p, want))
		}
		if uid, ok := fileOwner(fi); ok && uid != os.Geteuid() && os.Geteuid() != 0 {
			bad = append(bad, fmt.Sprintf("%s is owned by uid %d, not you (uid %d)", path, uid, os.Geteuid()))
		}
	}
	check(dir, 0o700, false)
	for _, name := range []string{"foyer.db", "logs.db"} {
		check(filepath.Join(dir, name), 0o600, !d.up)
	}
	if d.up {
		check(filepath.Join(dir, api.SocketName), 0o600, false)
	}
	if len(bad) > 0 {
		d.add("permissions", LevelFail, strings.Join(bad, "; "),
			"the data directory holds private keys: `chmod 700 "+dir+"`, `chmod 600` its files, owned by foyer's user (`chown -R foyer: "+dir+"`)")
		return
	}
	what := "its files"
	if d.up {
		what = "its files and socket"
	}
	d.add("permissions", LevelOK, dir+" is 0700, "+what+" 0600, owned by uid "+strconv.Itoa(os.Geteuid()), "")
}

// disk checks the free space of the data directory's filesystem, and that
// logs.db's retention fits in it.
func (d *doctor) disk() {
	u, err := d.opts.DiskUsage(d.opts.DataDir)
	if err != nil {
		d.add("disk", LevelWarn, "cannot read the filesystem's free space: "+err.Error(), "")
		return
	}
	l, detail := DiskLevel(u)
	hint := ""
	if l != LevelOK {
		hint = "free space on " + d.opts.DataDir + "'s filesystem; bbolt needs room to grow foyer.db, and a write that cannot is refused"
	}
	d.add("disk", l, detail, hint)
	d.retention(u)
}

// DiskLevel judges a filesystem's free space: under 10% free warns, under
// 2% fails.
func DiskLevel(u Disk) (Level, string) {
	if u.Total == 0 {
		return LevelWarn, "the filesystem reports no size"
	}
	pct := float64(u.Free) * 100 / float64(u.Total)
	detail := fmt.Sprintf("%s free of %s (%.1f%%)", bytesHuman(u.Free), bytesHuman(u.Total), pct)
	switch {
	case pct < diskFailPct:
		return LevelFail, detail
	case pct < diskWarnPct:
		return LevelWarn, detail
	}
	return LevelOK, detail
}

// retention compares log-retention-mb with the room logs.db has: the
// filesystem's free space plus what logs.db holds now (it reuses its own
// pages). It needs the daemon's settings.
func (d *doctor) retention(u Disk) {
	raw, ok := d.settings["log-retention-mb"]
	if !ok {
		d.add("log retention", LevelOK, "skipped: the setting comes from the daemon, which is down", "")
		return
	}
	mb, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		d.add("log retention", LevelWarn, fmt.Sprintf("log-retention-mb is %q, not a number", raw), "")
		return
	}
	var logs uint64
	if fi, err := os.Stat(filepath.Join(d.opts.DataDir, "logs.db")); err == nil {
		logs = uint64(fi.Size())
	}
	l, detail := RetentionLevel(mb, logs, u.Free)
	hint := ""
	if l != LevelOK {
		hint = "lower it: `foyer settings set log-retention-mb N` (logs.db is pruned to it), or free disk space"
	}
	d.add("log retention", l, detail, hint)
}

// RetentionLevel judges log-retention-mb against the room logs.db has
// (logsBytes it holds now plus free bytes): no bound warns, a bound
// beyond the room fails, one beyond half of it warns.
func RetentionLevel(mb, logsBytes, free uint64) (Level, string) {
	room := logsBytes + free
	if mb == 0 {
		return LevelWarn, fmt.Sprintf("log-retention-mb is 0 (no bound): logs.db (now %s) may grow until the disk is full", bytesHuman(logsBytes))
	}
	bound := mb << 20
	detail := fmt.Sprintf("logs.db is pruned at %s; it holds %s and has %s of room", bytesHuman(bound), bytesHuman(logsBytes), bytesHuman(room))
	switch {
	case bound > room:
		return LevelFail, detail + ": the disk fills before retention prunes"
	case bound > room/2:
		return LevelWarn, detail + ": it may take over half the free space"
	}
	return LevelOK, detail
}

// bytesHuman writes n in B, KiB, MiB, GiB or TiB.
func bytesHuman(n uint64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatUint(n, 10) + " B"
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGT"[exp])
}
