//go:build !unix

package main

// detachStdin does nothing where foyer has no unix file descriptors.
func detachStdin() {}
