# vaultrepl — build, test and measure. `make help` lists the targets.
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 20s
FUZZKEEP  ?= 32
FUZZPKGS  ?= .
IDLE      ?= 60s
PROFILE   ?=
RUNS      ?= 7
N         ?= 20
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: help build test tidy-check fmt-check vet staticcheck unit stress bench bench-status bench-idle bench-startup fuzz demo lab golden

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# CGO_ENABLED=0: a static binary starts without the C loader and libc (about
# 2 ms of every `vaultrepl status` run from cron); the pure-Go DNS resolver is
# what Vault's own release binaries use too.
build: ## build bin/vaultrepl (static)
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/vaultrepl ./cmd/vaultrepl

test: tidy-check fmt-check vet staticcheck unit ## the CI entry: go.mod tidy, gofmt check, go vet, staticcheck, go test -race (boundaries included)

tidy-check: ## fail when go mod tidy would change go.mod or go.sum (prints the diff)
	$(GO) mod tidy -diff

fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet $(PKGS)

staticcheck: ## staticcheck (pinned in go.mod as a tool)
	$(GO) tool staticcheck $(PKGS)

unit: ## go test -race
	$(GO) test -race -count=1 $(PKGS)

stress: ## N runs (N=20) of go test -race -count=1 beside a CPU hog of two busy loops; counts failing tests by name
	@N=$(N) GO="$(GO)" PKGS="$(PKGS)" sh .ci/stress

bench: ## Go benchmarks, COUNT=5 times each (compare runs with benchstat); bench-idle has its own target
	$(GO) test -run '^$$' -bench . -skip '^BenchmarkIdleDashboard$$' -benchmem -count=$${COUNT:-5} $(PKGS)

bench-status: ## status --json over fleet:32 at 100ms latency: wall time vs one round trip and vs one by one (RUNS=7)
	$(GO) test -run '^$$' -bench '^BenchmarkStatusFleet$$' -benchtime $(RUNS)x ./cmd/vaultrepl

bench-idle: ## the dashboard on fleet:32 polling every 2s for IDLE=60s: CPU seconds per minute and peak RSS; PROFILE=file writes its CPU profile (go tool pprof -top file)
	VAULTREPL_IDLE=$(IDLE) VAULTREPL_CPUPROFILE=$(if $(PROFILE),$(abspath $(PROFILE))) $(GO) test -run '^$$' -bench '^BenchmarkIdleDashboard$$' -benchtime 1x ./cmd/vaultrepl

bench-startup: ## process times of version and status --json (fleet:32, 100ms latency) vs one RTT; demo to first frame, answering and silent terminal (RUNS=7)
	$(GO) test -run '^$$' -bench '^Benchmark(StartupProcess|DemoStartup|DemoStartupSilent)$$' -benchtime $(RUNS)x ./cmd/vaultrepl

fuzz: ## run every fuzz target for FUZZTIME each; keep up to FUZZKEEP new inputs per target in testdata/fuzz
	@set -e; gocache=$$($(GO) env GOCACHE); \
	for f in $$(grep -rl --include='*_test.go' '^func Fuzz' $(FUZZPKGS)); do \
	  pkg=./$$(dirname $${f#./}); ipath=$$($(GO) list -f '{{.ImportPath}}' $$pkg); \
	  for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$f | sed 's/^func //'); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
	    src=$$gocache/fuzz/$$ipath/$$t; dst=$$pkg/testdata/fuzz/$$t; \
	    [ -d $$src ] || continue; mkdir -p $$dst; \
	    have=$$(ls $$dst | wc -l); added=0; \
	    for c in $$(ls -t $$src); do \
	      [ $$have -lt $(FUZZKEEP) ] || break; \
	      [ -e $$dst/$$c ] && continue; \
	      cp $$src/$$c $$dst/$$c; have=$$((have+1)); added=$$((added+1)); \
	    done; \
	    echo "   kept $$added new inputs in $$dst ($$have in all, at most $(FUZZKEEP))"; \
	  done; \
	done

demo: ## the dashboard on the built-in lab
	$(GO) run ./cmd/vaultrepl demo

lab: ## serve simulated clusters on loopback
	$(GO) run ./cmd/vaultrepl lab

golden: ## regenerate golden files
	$(GO) test ./tui/... -update
