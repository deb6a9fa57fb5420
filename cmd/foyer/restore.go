package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/ops"
	"github.com/foyerhq/foyer/store/backupfile"
	"github.com/foyerhq/foyer/store/boltstore"
)

// restoreFlags are `foyer restore`'s flags.
type restoreFlags struct {
	dryRun         bool
	passphraseFile string
	identity       string
}

// newRestoreCmd is `foyer restore FILE`.
func newRestoreCmd() *cobra.Command {
	var f restoreFlags
	cmd := &cobra.Command{
		Use:   "restore FILE [--data DIR] [--dry-run] [--passphrase-file FILE | --identity FILE]",
		Short: "Replace the data directory's store with a backup (the daemon must be stopped)",
		Long: "Restore a backup written by foyer backup. It checks the file's format and checksum,\n" +
			"decrypts it, opens the restored store (migrating an older schema forward, refusing a\n" +
			"newer one), runs bbolt's consistency check, and prints what it holds. Then it swaps\n" +
			"the files in atomically and keeps the previous ones as foyer.db.before-restore-<time>.\n" +
			"With --dry-run it prints how the backup differs from the current store and changes\n" +
			"nothing. It refuses while a daemon uses the data directory: stop it, restore, start it.\n" +
			"A damaged, truncated or foreign file is refused and changes nothing. See docs/backup.md.",
		Example: "  foyer restore foyer-backup-20260102T030405Z.foyerbak --dry-run\n" +
			"  systemctl stop foyer && foyer restore backup.foyerbak --data /var/lib/foyer && systemctl start foyer\n" +
			"  foyer restore backup.foyerbak --identity ~/.config/foyer/backup-key.txt",
		Args: exactArgs(1, "FILE, the backup to restore"),
		RunE: func(cmd *cobra.Command, args []string) error { return runRestore(cmd, args[0], f) },
	}
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "check the backup and show what would change; change nothing")
	cmd.Flags().StringVar(&f.passphraseFile, "passphrase-file", "", "the passphrase of an encrypted backup, on the first line of FILE (else asked on the terminal)")
	cmd.Flags().StringVar(&f.identity, "identity", "", "an age identity file (AGE-SECRET-KEY-...) for a backup encrypted to its recipient")
	cmd.MarkFlagFilename("identity")
	cmd.MarkFlagsMutuallyExclusive("passphrase-file", "identity")
	return cmd
}

// runRestore restores file into the data directory and prints the report.
func runRestore(cmd *cobra.Command, file string, f restoreFlags) error {
	dir, err := dataDir(cmd)
	if err != nil {
		return err
	}
	dec, err := restoreKeys(file, f, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	start := time.Now()
	res, err := ops.Restore(cmd.Context(), ops.RestoreOptions{File: file, DataDir: dir, DryRun: f.dryRun, Decryption: dec,
		Open: openForRestore})
	if err != nil {
		return err
	}
	printRestore(out, file, dir, f.dryRun, res, time.Since(start))
	return nil
}

// openForRestore is ops.OpenStore over boltstore, with a short lock
// timeout: a running daemon is reported at once.
func openForRestore(dir string) (ops.RestoreStore, error) {
	return boltstore.Open(dir, boltstore.Options{LockTimeout: 200 * time.Millisecond})
}

// restoreKeys reads the key the file needs: the identity file, or the
// passphrase from its file or the terminal.
func restoreKeys(file string, f restoreFlags, stderr io.Writer) (backupfile.Decryption, error) {
	var dec backupfile.Decryption
	if f.identity != "" {
		b, err := os.ReadFile(f.identity)
		if err != nil {
			return dec, fmt.Errorf("--identity: %w", underlying(err))
		}
		dec.Identities = string(b)
		return dec, nil
	}
	if f.passphraseFile == "" && !needsPassphrase(file) {
		return dec, nil
	}
	p, err := passphrase(f.passphraseFile, false, stderr)
	dec.Passphrase = p
	return dec, err
}

// needsPassphrase reports whether file's header says it is encrypted with
// a passphrase (a file that cannot be read is left for Restore to refuse).
func needsPassphrase(file string) bool {
	fh, err := os.Open(file)
	if err != nil {
		return false
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return false
	}
	bf, err := backupfile.Open(fh, fi.Size())
	return err == nil && bf.Header.Encryption == backupfile.EncryptPassphrase
}

// printRestore prints what the backup held and what was done.
func printRestore(w io.Writer, file, dir string, dry bool, res ops.RestoreResult, took time.Duration) {
	h := res.Header
	fmt.Fprintf(w, "backup %s: written by foyer %s at %s, schema %d", file, h.FoyerVersion, h.Created.Format(time.RFC3339), h.Schema)
	if res.Schema != h.Schema {
		fmt.Fprintf(w, " (migrated to %d)", res.Schema)
	}
	fmt.Fprintln(w, "; checksum ok, consistency check ok")
	fmt.Fprintln(w, "it holds:")
	ops.WriteInventory(w, res.Restored)
	if dry {
		fmt.Fprintf(w, "compared with the store in %s:\n", dir)
		ops.WriteInventoryDiff(w, res.Current, res.Restored)
		fmt.Fprintln(w, "dry run: nothing changed")
		return
	}
	fmt.Fprintf(w, "restored into %s in %s\n", dir, took.Round(time.Millisecond))
	for _, k := range res.Kept {
		fmt.Fprintf(w, "kept the previous file as %s\n", k)
	}
}
