# foyer's Makefile. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
BIN := bin/foyer
# The race detector needs cgo and a C compiler; without one, test without it.
RACE := $(shell command -v cc >/dev/null 2>&1 && echo -race)

.PHONY: help build demo test test-short lint fmt bench bench-noisy bench-certs bench-accesslog scale cross docs release-snapshot clean fuzz

help: ## show this help
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-17s %s\n", $$1, $$2}'

build: ## build a static bin/foyer (CGO_ENABLED=0, -trimpath, version stamped)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/foyer

demo: build ## run foyer on embedded defaults: 3 demo tenants on 127.0.0.1:8080/8443
	./$(BIN) demo

test: lint cross ## run every test, with the race detector when a C compiler is present (what CI runs)
	@[ -n "$(RACE)" ] || echo "note: no C compiler (cc), so tests run without the race detector"
	$(GO) test $(RACE) -count=1 ./...

# FUZZ lists the native fuzz targets as package:Target. `make test` runs
# their seed corpora (f.Add seeds and testdata/fuzz/); `make fuzz` fuzzes.
FUZZ := ./appliance/route:FuzzNormalizeHost ./store:FuzzSettingSet ./store:FuzzPolicyKeyValue ./store:FuzzPolicyValue \
	./store/memstore:FuzzTxValidation ./appliance/admin:FuzzRequestBody ./store/backupfile:FuzzRead \
	./store/backupfile:FuzzHeader ./store/backupfile:FuzzCorrupt ./ops:FuzzParseConfig \
	./appliance/proxy/h1:FuzzParseRequest ./appliance/proxy/h1:FuzzParseResponse ./appliance/proxy/h1:FuzzChunkedReader \
	./appliance/proxy/h1:FuzzRequestParts ./store:FuzzParseSSHPublicKey
FUZZTIME ?= 10s

fuzz: ## run each fuzz target for FUZZTIME (default 10s) one after another; a failing input lands in testdata/fuzz/
	@set -e; for t in $(FUZZ); do \
		echo "== $${t#*:} ($${t%%:*}) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) "$${t%%:*}"; \
	done

test-short: ## unit tests only, no whole-binary tests
	$(GO) test -short -count=1 ./...

lint: ## gofmt check and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt: not formatted (run make fmt):"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt: ## format every Go file
	gofmt -w $$(git ls-files '*.go')

cross: ## check that every release target builds (linux/amd64, linux/arm64, darwin/arm64)
	@for t in linux/amd64 linux/arm64 darwin/arm64; do \
	  echo "build $$t"; CGO_ENABLED=0 GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) build -trimpath -o /dev/null ./cmd/foyer || exit 1; done

bench: ## micro-benchmarks, then foyer side by side with Caddy, nginx and HAProxy (bench/run.sh; installs wrk, h2load and the proxies if missing)
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bash bench/run.sh

bench-noisy: ## noisy-neighbour test: tenant A flooded at 20x its rate limit beside tenant B (bench/noisy)
	$(GO) run ./bench/noisy

bench-certs: ## certificate scale: start-up, RSS and TLS handshakes/s with 10,000 vs 1 imported certificates (bench/certscale)
	$(GO) run ./bench/certscale

bench-accesslog: ## access log on vs off at full load (req/s, CPU/request), then logs.db's size under sustained load with small retention (bench/accesslog)
	$(GO) run ./bench/accesslog

scale: ## 10,000 tenants (+100,000 with SCALE_BIG=1): cold start, RSS, config change latency, first vs tenth request, route lookup (bench/scale)
	$(GO) run ./bench/scale

docs: ## regenerate docs/cli.md from the command definitions
	$(GO) run ./cmd/foyer gen-docs --out docs/cli.md

# GoReleaser is pinned in its own module (tools/goreleaser/go.mod) so its
# dependencies stay out of foyer's go.mod; its first build takes minutes.
GORELEASER := $(GO) tool -modfile=tools/goreleaser/go.mod goreleaser
# GoReleaser reads the commit only when `git ls-remote --get-url` succeeds; in
# a repository without a remote, name the project's (nothing is fetched).
GORELEASER_GIT := $(if $(shell git remote 2>/dev/null),,GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/foyerhq/foyer.git)

release-snapshot: ## build the release into dist/ (archives, .deb, .rpm, checksums) without publishing; check the binaries are static and the .deb installs
	$(GORELEASER_GIT) $(GORELEASER) release --snapshot --clean --skip=publish,announce,sign,sbom,docker
	@command -v file >/dev/null || { echo "release-snapshot: the file command is missing (apt-get install file)"; exit 1; }
	@n=0; for b in dist/foyer_*/foyer; do \
	  info=$$(file -b "$$b"); echo "$$b: $$info"; n=$$((n+1)); \
	  case "$$info" in \
	    ELF*statically\ linked*) ;; \
	    Mach-O\ 64-bit\ arm64\ executable*) ;; \
	    *) echo "release-snapshot: $$b is not a static binary"; exit 1 ;; \
	  esac; \
	  $(GO) version -m "$$b" | grep -q 'CGO_ENABLED=0' || { echo "release-snapshot: $$b was not built with CGO_ENABLED=0"; exit 1; }; \
	  $(GO) version -m "$$b" | grep -q -- '-trimpath=true' || { echo "release-snapshot: $$b was not built with -trimpath"; exit 1; }; \
	  done; \
	  [ $$n -eq 3 ] || { echo "release-snapshot: want 3 binaries (linux/amd64, linux/arm64, darwin/arm64), found $$n"; exit 1; }; \
	  echo "release-snapshot: 3 binaries, built with CGO_ENABLED=0 and -trimpath; the linux ones statically linked (macOS binaries always load libSystem)"
	@ls -l dist/*.tar.gz dist/*.deb dist/*.rpm dist/checksums.txt
	@deb=$$(ls dist/foyer_*_$$($(GO) env GOARCH).deb 2>/dev/null | head -1); \
	  if [ "$$(id -u)" = 0 ] && [ -n "$$deb" ] && command -v unshare dpkg setpriv ip curl >/dev/null; then \
	    packaging/check-deb.sh "$$deb"; \
	  else echo "release-snapshot: install check of the .deb skipped (needs root, unshare, dpkg, setpriv, ip and curl)"; fi

clean: ## remove build output and the demo data
	rm -rf bin dist .demo
