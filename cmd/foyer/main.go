// Command foyer is a tenant-aware HTTPS reverse proxy for SaaS builders:
// `foyer serve` runs the daemon, every other command talks to it through
// the admin socket in the data directory.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
