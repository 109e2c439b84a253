# actgen: the two commands are `make report` and `make test`. Both need only Go;
# modules come from the Go module proxy on first use.

GO ?= go
GOFILES = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go')

.PHONY: all generate test test-root test-out vet fmt-check fresh check report bench clean

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

## report: accuracy table and plots of every activation into reports/
report:
	$(GO) run ./harness/cmd/report -out reports

## bench: the generated benchmarks, round-robin (one -count=1 run of every cell per
## round, so machine drift spreads over all of them), then benchstat tables with
## copy() as the base column: reports/bench.txt (raw) and reports/bench-*.txt.
BENCH_ROUNDS ?= 6
BENCH_TIME ?= 100ms
BENCH_FNS ?= .*
bench:
	@mkdir -p reports
	@rm -f reports/bench.txt
	@for i in $$(seq $(BENCH_ROUNDS)); do \
	  echo "round $$i/$(BENCH_ROUNDS)" >&2; \
	  (cd out && $(GO) test -run '^$$' -count=1 -benchtime=$(BENCH_TIME) \
	    -bench 'Benchmark(Forward|Backward)/fn=($(BENCH_FNS))/impl=(avx2.*|copy)/' ./act) >> reports/bench.txt || exit 1; \
	  (cd out && $(GO) test -run '^$$' -count=1 -benchtime=$(BENCH_TIME) \
	    -bench 'Benchmark(Forward|Backward)/fn=($(BENCH_FNS))/impl=go/n=4096$$' ./act) >> reports/bench.txt || exit 1; \
	done
	@for n in 4096 65536 16777216; do \
	  $(GO) tool benchstat -filter "/n:$$n" -col '/impl@(copy go avx2-u8 avx2-u16 avx2-u32 avx2-u32-rcp avx2-u32-nt)' \
	    -row '.name /fn' reports/bench.txt > reports/bench-$$n.txt || exit 1; \
	done
	@echo "wrote reports/bench.txt and reports/bench-{4096,65536,16777216}.txt"

clean:
	rm -rf out/act/.act-new-*
