package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/ops"
	"github.com/foyerhq/foyer/store/backupfile"
	"github.com/foyerhq/foyer/store/boltstore"
)

// backupFlags are `foyer backup`'s flags.
type backupFlags struct {
	out            string
	withLogs       bool
	encryptTo      []string
	passphraseFile string
	askPassphrase  bool
}

// newBackupCmd is `foyer backup`.
func newBackupCmd() *cobra.Command {
	var f backupFlags
	cmd := &cobra.Command{
		Use:   "backup [-o FILE] [--with-logs] [--encrypt-to RECIPIENT | --passphrase-file FILE | --passphrase]",
		Short: "Write one file holding everything in foyer.db (and logs.db with --with-logs)",
		Long: "Write a backup: one file with all of foyer.db (settings, tenants, domains and their state,\n" +
			"pools, backends, policies, plans, hashed API keys and tokens, imported and issued\n" +
			"certificates, ACME accounts, the internal CA, the audit trail, usage rollups), and\n" +
			"logs.db (the access log) with --with-logs. While the daemon runs, it streams a\n" +
			"consistent snapshot over the admin socket without pausing traffic; with the daemon\n" +
			"stopped, it reads the files directly. The file is written with mode 0600; it holds\n" +
			"private keys, so encrypt it (age) when it leaves the machine: --encrypt-to an age\n" +
			"recipient, or a passphrase from --passphrase-file or typed at --passphrase's prompt.\n" +
			"See docs/backup.md.",
		Example: "  foyer backup -o /var/backups/foyer/foyer.foyerbak\n" +
			"  foyer backup --encrypt-to age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n" +
			"  foyer backup --passphrase-file /etc/foyer/backup.pass --with-logs",
		Args: noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error { return runBackup(cmd, f) },
	}
	cmd.Flags().StringVarP(&f.out, "out", "o", "", "the file to write (default foyer-backup-<time>.foyerbak in the current directory)")
	cmd.Flags().BoolVar(&f.withLogs, "with-logs", false, "add logs.db, the access log (large; left out by default)")
	cmd.Flags().StringArrayVar(&f.encryptTo, "encrypt-to", nil, "encrypt to this age recipient (age1...; repeat for several)")
	cmd.Flags().StringVar(&f.passphraseFile, "passphrase-file", "", "encrypt with the passphrase on the first line of FILE")
	cmd.Flags().BoolVar(&f.askPassphrase, "passphrase", false, "encrypt with a passphrase typed at a prompt on the terminal")
	cmd.MarkFlagFilename("out", "foyerbak")
	cmd.MarkFlagsMutuallyExclusive("encrypt-to", "passphrase-file", "passphrase")
	return cmd
}

// runBackup writes the backup through the daemon, or from the files when
// no daemon answers.
func runBackup(cmd *cobra.Command, f backupFlags) error {
	dir, err := dataDir(cmd)
	if err != nil {
		return err
	}
	opts := ops.BackupOptions{Path: f.out, WithLogs: f.withLogs, FoyerVersion: version}
	if opts.Path == "" {
		opts.Path = ops.DefaultBackupName(time.Now())
	}
	opts.Encryption.Recipients = f.encryptTo
	if f.passphraseFile != "" || f.askPassphrase {
		if opts.Encryption.Passphrase, err = passphrase(f.passphraseFile, true, cmd.ErrOrStderr()); err != nil {
			return err
		}
	}
	start := time.Now()
	res, err := backupLiveOrOffline(cmd.Context(), dir, opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), ops.BackupSummary(res, time.Since(start)))
	if d, exposed := ops.ExposedDir(res.Path); exposed && res.Header.Encryption == backupfile.EncryptNone {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s is not encrypted and holds every private key, and %s can be listed by every user;\n"+
			"  move it somewhere private, or encrypt it (--encrypt-to RECIPIENT or --passphrase-file FILE)\n", res.Path, d)
	}
	return nil
}

// backupLiveOrOffline asks the daemon in dir; when none answers on its
// socket, it opens the files itself (the daemon is stopped).
func backupLiveOrOffline(ctx context.Context, dir string, opts ops.BackupOptions) (ops.BackupResult, error) {
	c := api.NewClient(filepath.Join(dir, api.SocketName))
	res, err := ops.Backup(ctx, c, opts)
	var unreachable *api.UnreachableError
	if !errors.As(err, &unreachable) {
		return res, err
	}
	return backupOffline(ctx, dir, opts)
}

// backupOffline opens foyer.db (and logs.db) in dir and backs them up.
func backupOffline(ctx context.Context, dir string, opts ops.BackupOptions) (ops.BackupResult, error) {
	if _, err := os.Stat(filepath.Join(dir, api.BackupPartStore)); err != nil {
		return ops.BackupResult{}, hinted{fmt.Errorf("nothing to back up: no daemon answers on %s and there is no %s in %s",
			filepath.Join(dir, api.SocketName), api.BackupPartStore, dir), "point at the data directory with --data DIR or FOYER_DATA"}
	}
	st, err := boltstore.Open(dir, boltstore.Options{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		return ops.BackupResult{}, err
	}
	defer st.Close()
	var logs io.Closer
	var lb any
	if opts.WithLogs {
		l, err := boltstore.OpenLogs(filepath.Join(dir, boltstore.LogsName), boltstore.LogsOptions{LockTimeout: 200 * time.Millisecond})
		if err != nil {
			return ops.BackupResult{}, err
		}
		logs, lb = l, l
		defer logs.Close()
	}
	return ops.BackupOffline(ctx, st, lb, opts)
}
