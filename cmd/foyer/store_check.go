package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// newStoreCmd is `foyer store`: what works on the data directory's files
// themselves, with the daemon stopped.
func newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "store",
		Short:   "Work on the data directory's files with foyer stopped",
		Example: "  foyer store check\n  foyer store check --data /var/lib/foyer",
		Args:    cobra.ArbitraryArgs,
		RunE:    runGroup,
	}
	cmd.AddCommand(newStoreCheckCmd())
	return cmd
}

// newStoreCheckCmd is `foyer store check`.
func newStoreCheckCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check foyer.db and logs.db offline (foyer stopped): structure, schema, every record",
		Long: "Opens foyer.db and logs.db read-only (nothing is written) and runs bbolt's consistency\n" +
			"check, checks the schema version and reads every record back. It exits non-zero when\n" +
			"it finds a problem. While the daemon runs it holds the files: use `foyer doctor`, which\n" +
			"asks the daemon to check them.",
		Example: "  foyer store check --data /var/lib/foyer\n  foyer store check --json",
		Args:    noArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := dataDir(cmd)
			if err != nil {
				return err
			}
			files, err := checkStoreOffline(cmd, dir)
			if err != nil {
				return err
			}
			if asJSON {
				if err := printJSON(cmd.OutOrStdout(), files); err != nil {
					return err
				}
			} else {
				printFileChecks(cmd.OutOrStdout(), files)
			}
			return fileCheckError(files)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// checkStoreOffline runs boltstore.CheckDir on dir and gives the store's
// refusal (the daemon holds the files) its hint.
func checkStoreOffline(cmd *cobra.Command, dir string) ([]api.FileCheck, error) {
	res, err := boltstore.CheckDir(cmd.Context(), dir, boltstore.CheckOptions{})
	var se *store.Error
	if errors.As(err, &se) {
		return nil, hinted{err, se.Hint}
	}
	if err != nil {
		return nil, err
	}
	out := make([]api.FileCheck, len(res))
	for i, f := range res {
		out[i] = api.FileCheck{Path: f.Path, Records: f.Records, Problems: f.Problems}
	}
	return out, nil
}

// printFileChecks prints one line per file and one per problem.
func printFileChecks(w io.Writer, files []api.FileCheck) {
	for _, f := range files {
		if len(f.Problems) == 0 {
			fmt.Fprintf(w, "ok    %s: sound, %d records read\n", f.Path, f.Records)
			continue
		}
		fmt.Fprintf(w, "fail  %s: %d problem(s)\n", f.Path, len(f.Problems))
		for _, p := range f.Problems {
			fmt.Fprintf(w, "      - %s\n", p)
		}
	}
}

// fileCheckError is the command's error when any file has a problem.
func fileCheckError(files []api.FileCheck) error {
	n := 0
	for _, f := range files {
		n += len(f.Problems)
	}
	if n == 0 {
		return nil
	}
	return hinted{fmt.Errorf("store check found %d problem(s); the files were not changed", n),
		"restore foyer.db from a backup (`foyer restore`); logs.db only holds access logs: with foyer stopped, delete it"}
}
