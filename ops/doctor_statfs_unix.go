//go:build linux || darwin

package ops

import (
	"io/fs"
	"syscall"
)

// diskUsage reads the filesystem holding path with statfs(2).
func diskUsage(path string) (Disk, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return Disk{}, err
	}
	bs := uint64(st.Bsize)
	return Disk{Total: uint64(st.Blocks) * bs, Free: uint64(st.Bavail) * bs}, nil
}

// fileOwner returns the uid that owns a file.
func fileOwner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
