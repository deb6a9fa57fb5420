package main

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/foyerhq/foyer/ops"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// newStoreDir makes a data directory whose store holds the tenants slugs.
func newStoreDir(t *testing.T, slugs ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	st, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, s := range slugs {
		if err := st.Update(context.Background(), "test", func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: s}) }); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tenantsIn lists the tenants of the store in dir.
func tenantsIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, tn := range dumpStore(t, dir).Snapshot.Tenants {
		out = append(out, tn.Slug)
	}
	return out
}

// mustCLI runs foyer in process and fails on a non-zero exit.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runCLI(args...)
	if code != 0 {
		t.Fatalf("foyer %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out + errOut
}

// Ensure that a backup restores over an existing store, keeping the
// previous file, and that --dry-run shows the difference and changes
// nothing.
func TestRestoreReplacesAndKeepsPrevious(t *testing.T) {
	src, dst := newStoreDir(t, "acme", "beta"), newStoreDir(t, "old")
	file := filepath.Join(t.TempDir(), "b.foyerbak")
	mustRun(t, "backup", "--data", src, "-o", file)
	before := dirHashes(t, dst)
	out := mustRun(t, "restore", file, "--data", dst, "--dry-run")
	for _, want := range []string{"+ tenant acme (active)", "- tenant old (active)", "tenants                      1 -> 2", "dry run: nothing changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run does not say %q:\n%s", want, out)
		}
	}
	if after := dirHashes(t, dst); !mapsEqual(before, after) {
		t.Fatalf("a dry run changed the data directory: %v -> %v", before, after)
	}
	out = mustRun(t, "restore", file, "--data", dst)
	if got := strings.Join(tenantsIn(t, dst), ","); got != "acme,beta" {
		t.Fatalf("restored tenants %s, want acme,beta\n%s", got, out)
	}
	kept, _ := filepath.Glob(filepath.Join(dst, "foyer.db.before-restore-*"))
	if len(kept) != 1 || !strings.Contains(out, "kept the previous file as "+kept[0]) {
		t.Fatalf("previous db kept as %v; output:\n%s", kept, out)
	}
	if got := strings.Join(tenantsIn(t, filepath.Dir(kept[0])), ","); got != "acme,beta" {
		t.Fatalf("data dir now %s", got)
	}
	entries, _ := os.ReadDir(dst)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".restore-") {
			t.Errorf("staging directory %s left behind", e.Name())
		}
	}
}

// Ensure that encrypted backups round-trip with a passphrase file and an
// age identity, and that the header says which.
func TestRestoreEncrypted(t *testing.T) {
	src := newStoreDir(t, "acme")
	tmp := t.TempDir()
	pass := filepath.Join(tmp, "pass")
	os.WriteFile(pass, []byte("correct horse battery\n"), 0o600)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(tmp, "id.txt")
	os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600)
	cases := []struct{ name, backupFlag, backupVal, restoreFlag, restoreVal string }{
		{"passphrase", "--passphrase-file", pass, "--passphrase-file", pass},
		{"recipient", "--encrypt-to", id.Recipient().String(), "--identity", idFile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(tmp, tc.name+".foyerbak")
			out := mustRun(t, "backup", "--data", src, "-o", file, tc.backupFlag, tc.backupVal)
			if !strings.Contains(out, "encrypted (age-") || strings.Contains(out, "warning") {
				t.Errorf("backup output: %s", out)
			}
			dst := filepath.Join(t.TempDir(), "data")
			mustRun(t, "restore", file, "--data", dst, tc.restoreFlag, tc.restoreVal)
			if got := strings.Join(tenantsIn(t, dst), ","); got != "acme" {
				t.Fatalf("restored tenants %q", got)
			}
		})
	}
}

// Ensure that every refused file (damaged, truncated, foreign, newer
// format, newer schema, wrong passphrase) fails with a clear error and
// leaves the data directory byte-identical.
func TestRestoreRefusalsChangeNothing(t *testing.T) {
	src := newStoreDir(t, "acme")
	tmp := t.TempDir()
	plain := filepath.Join(tmp, "plain.foyerbak")
	mustRun(t, "backup", "--data", src, "-o", plain)
	pass, wrong := filepath.Join(tmp, "pass"), filepath.Join(tmp, "wrong")
	os.WriteFile(pass, []byte("right\n"), 0o600)
	os.WriteFile(wrong, []byte("wrong\n"), 0o600)
	enc := filepath.Join(tmp, "enc.foyerbak")
	mustRun(t, "backup", "--data", src, "-o", enc, "--passphrase-file", pass)
	good, _ := os.ReadFile(plain)
	variant := func(name string, f func([]byte) []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, f(append([]byte(nil), good...)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"corrupt byte", []string{variant("corrupt", func(b []byte) []byte { b[len(b)-100] ^= 0x40; return b })}, "does not match the checksum"},
		{"truncated", []string{variant("short", func(b []byte) []byte { return b[:len(b)-7] })}, "cut short"},
		{"foreign", []string{variant("foreign", func(b []byte) []byte { return []byte("PK\x03\x04 a zip file, not a backup") })}, "not a foyer backup"},
		{"newer format", []string{variant("newer", func(b []byte) []byte { binary.BigEndian.PutUint32(b[8:], 9); return b })}, "newer foyer"},
		{"wrong passphrase", []string{enc, "--passphrase-file", wrong}, "does not open this backup"},
		{"newer schema", []string{newerSchemaBackup(t)}, "upgrade foyer"},
		{"missing file", []string{filepath.Join(tmp, "nope")}, "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := newStoreDir(t, "keep")
			before := dirHashes(t, dst)
			out, errOut, code := runCLI(append([]string{"restore", "--data", dst}, tc.args...)...)
			if code == 0 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q, want an error saying %q\n%s", code, errOut, tc.want, out)
			}
			if after := dirHashes(t, dst); !mapsEqual(before, after) {
				t.Fatalf("a refused restore changed the data directory: %v -> %v", before, after)
			}
		})
	}
}

// newerSchemaBackup writes a backup of a store whose schema is one this
// foyer does not know, as a newer foyer would.
func newerSchemaBackup(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "data"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v := make([]byte, 8)
	binary.BigEndian.PutUint64(v, 99)
	if err := st.KV().Update(ctx, func(tx store.KVTx) error { return tx.Put(store.BucketMeta, "schema", v) }); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "newer-schema.foyerbak")
	if _, err := ops.BackupOffline(ctx, st, nil, ops.BackupOptions{Path: path, FoyerVersion: "v9.9.9"}); err != nil {
		t.Fatal(err)
	}
	return path
}

// Ensure that restore refuses while a daemon runs on the data directory,
// says how to stop it, and leaves the files in place.
func TestRestoreRefusedWhileDaemonRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	src := newStoreDir(t, "acme")
	file := filepath.Join(t.TempDir(), "b.foyerbak")
	mustRun(t, "backup", "--data", src, "-o", file)
	dir := newStoreDir(t, "running")
	d := startDaemon(t, dir)
	fiBefore, _ := os.Stat(filepath.Join(dir, "foyer.db"))
	out, errOut, code := d.run("restore", file)
	if code == 0 || !strings.Contains(errOut, "a foyer daemon is using the data directory") || !strings.Contains(errOut, "hint: stop the daemon first") {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	fiAfter, _ := os.Stat(filepath.Join(dir, "foyer.db"))
	if !os.SameFile(fiBefore, fiAfter) {
		t.Fatal("foyer.db was replaced under a running daemon")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "before-restore") || strings.HasPrefix(e.Name(), ".restore-") {
			t.Errorf("a refused restore left %s", e.Name())
		}
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tenantsIn(t, dir), ","); got != "running" {
		t.Fatalf("tenants after a refused restore: %s", got)
	}
}

// Ensure that backup warns about an unencrypted file in a directory every
// user may list, and writes it 0600.
func TestBackupWarnsWhenExposed(t *testing.T) {
	src := newStoreDir(t, "acme")
	open := filepath.Join(t.TempDir(), "pub")
	os.Mkdir(open, 0o755)
	os.Chmod(open, 0o755)
	file := filepath.Join(open, "b.foyerbak")
	_, errOut, code := runCLI("backup", "--data", src, "-o", file)
	if code != 0 || !strings.Contains(errOut, "warning: "+file+" is not encrypted") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode: %v %v", fi, err)
	}
	private := filepath.Join(t.TempDir(), "priv")
	os.Mkdir(private, 0o700)
	if _, errOut, _ := runCLI("backup", "--data", src, "-o", filepath.Join(private, "b.foyerbak")); strings.Contains(errOut, "warning") {
		t.Errorf("warned about a private directory: %s", errOut)
	}
}

// Ensure that backup with no daemon and no store says so and writes
// nothing.
func TestBackupNothingThere(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "empty")
	out := filepath.Join(t.TempDir(), "b.foyerbak")
	_, errOut, code := runCLI("backup", "--data", dir, "-o", out)
	if code == 0 || !strings.Contains(errOut, "nothing to back up") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a backup file was written")
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("backup created the data directory")
	}
}
