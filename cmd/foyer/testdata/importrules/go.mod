// A fixture module for importrules_test.go: the same module path as foyer,
// so the same rules apply, with deliberate forbidden edges. The third-party
// modules are fakes replaced by directories here, so nothing is downloaded.
module github.com/foyerhq/foyer

go 1.26

require (
	example.com/leftpad v0.0.0
	go.etcd.io/bbolt v0.0.0
)

replace (
	example.com/leftpad => ./fakemods/leftpad
	go.etcd.io/bbolt => ./fakemods/bbolt
)
