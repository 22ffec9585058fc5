# vaultrepl — build, test and measure. `make help` lists the targets.
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 20s
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: help build test fmt-check vet staticcheck unit bench fuzz demo lab golden

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build bin/vaultrepl
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/vaultrepl ./cmd/vaultrepl

test: fmt-check vet staticcheck unit ## gofmt check, go vet, staticcheck, go test -race

fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet $(PKGS)

staticcheck: ## staticcheck (pinned in go.mod as a tool)
	$(GO) tool staticcheck $(PKGS)

unit: ## go test -race
	$(GO) test -race -count=1 $(PKGS)

bench: ## Go benchmarks (medians: run with COUNT=10 and benchstat)
	$(GO) test -run '^$$' -bench . -benchmem -count=$${COUNT:-5} $(PKGS)

fuzz: ## run every fuzz target for FUZZTIME each
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
	  pkg=./$$(dirname $${f#./}); \
	  for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$f | sed 's/^func //'); do \
	    echo "== $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

demo: ## the dashboard on the built-in lab
	$(GO) run ./cmd/vaultrepl demo

lab: ## serve simulated clusters on loopback
	$(GO) run ./cmd/vaultrepl lab

golden: ## regenerate golden files
	$(GO) test ./tui/... -update
