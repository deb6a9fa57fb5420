// Package x lies outside the fixed layout: no row covers it.
package x

// X is a placeholder.
const X = 1
