# actgen: the two commands are `make report` and `make test`. Both need only Go;
# modules come from the Go module proxy on first use.

GO ?= go
GOFILES = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go')

.PHONY: all generate test test-root test-out vet fmt-check fresh check report clean

all: test

## generate: regenerate out/ (kernels, tests, golden tables) from spec/activations.yaml
generate:
	$(GO) generate ./...

## test: every test of both modules, go vet, gofmt and the freshness check
test: fresh fmt-check vet test-root test-out

test-root:
	$(GO) test ./...

test-out:
	cd out && $(GO) test ./...

vet:
	$(GO) vet ./...
	cd out && $(GO) vet ./...
	@# out/act is vendorable: it may import nothing outside the standard library.
	@cd out && nonstd=$$($(GO) list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./... | grep -v '^github.com/actgen/actgen/out'); \
	  if [ -n "$$nonstd" ]; then echo "out/act imports non-standard packages: $$nonstd"; exit 1; fi

fmt-check:
	@bad=$$(gofmt -l $(GOFILES)); if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi

## fresh: regenerating from the spec must change nothing that is committed
fresh: generate
	@if [ -n "$$(git status --porcelain -- out)" ]; then \
	  echo "out/ is stale: run 'make generate' and commit the result"; git status --short -- out; git diff --stat -- out; exit 1; fi

## check: regenerate, then require no diff, gofmt-clean and vet-clean code
check: fresh fmt-check vet

## report: accuracy table and plots of every activation into reports/
report:
	$(GO) run ./harness/cmd/report -out reports

clean:
	rm -rf out/act/.act-new-*
