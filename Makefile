# actgen: the two commands are `make report` and `make test`. Both need only Go;
# modules come from the Go module proxy on first use.

GO ?= go
GOFILES = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go')

.PHONY: all generate test test-root test-out vet fmt-check fresh check report verify bench tune clean

all: test

## generate: regenerate out/ (kernels, tests, golden tables) from spec/activations.yaml
generate:
	$(GO) generate ./...

## test: every test of both modules, go vet, gofmt and the freshness check
test: fresh fmt-check vet test-root test-out

test-root:
	$(GO) test ./...

## test-out: out/ with its AVX2 kernels, then as portable Go: under the purego tag, and
## with ACTGEN_PUREGO=1 (the dispatch's environment switch); go vet for arm64 too.
test-out:
	cd out && $(GO) test ./...
	cd out && $(GO) test -tags purego ./...
	cd out && ACTGEN_PUREGO=1 $(GO) test -count=1 ./...
	cd out && $(GO) vet -tags purego ./... && GOARCH=arm64 $(GO) vet ./...

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

## report: reports/README.md and its plots: accuracy of every implementation, speed
## against the peers (runs make bench first unless SKIP_BENCH=1), the tuned dispatch.
## EXHAUSTIVE=1 first sweeps every float32 input (make verify); the sweeps are kept
## in reports/accuracy.json, each reused while its function's code is unchanged.
report: $(if $(SKIP_BENCH),,bench)
	$(GO) run ./harness/cmd/report -out reports $(if $(EXHAUSTIVE),-exhaustive,)

## verify: every float32 input and 10^6 float64 inputs of every kernel whose
## stored results do not match its code, into reports/accuracy.json and
## reports/README.md (12 s to 6 minutes per function and direction on 2 cores).
verify:
	$(GO) run ./harness/cmd/report -out reports -exhaustive

## bench: the speed suite (harness/speed: every variant, the peers, copy) run
## round-robin, BENCH_ROUNDS samples per cell, into reports/bench.txt.
BENCH_ROUNDS ?= 6
BENCH_TIME ?= 50ms
BENCH_FNS ?= .*
bench:
	@mkdir -p reports
	$(GO) run ./harness/cmd/bench -rounds $(BENCH_ROUNDS) -benchtime $(BENCH_TIME) -fns '$(BENCH_FNS)' -o reports/bench.txt

## tune: the dispatch table from measurements (runs make bench first unless
## SKIP_BENCH=1), written to spec/dispatch.tsv and compiled into out/act. A
## variant that beats the default is measured again against it alone
## (reports/confirm.txt) and replaces it only if it wins twice.
tune: $(if $(SKIP_BENCH),,bench)
	$(GO) run ./harness/cmd/tune -bench reports/bench.txt -table spec/dispatch.tsv -summary reports/tune.md
	$(GO) generate ./...

clean:
	rm -rf out/act/.act-new-*
