// Package speed is the benchmark suite the report runs: throughput of every
// implementation of every activation in out/act, beside the peers a Go user
// has today (package peers, float32 only) and a plain copy, the memory limit.
//
// It has only benchmarks:
//
//	go test ./harness/speed -run '^$' -bench . [-speed.sizes=4096,65536,16777216]
//
// (-speed.sizes is the test binary's flag, so it goes after the package: the go
// command stops reading its own flags at the first one it does not know.)
//
// BenchmarkForward and BenchmarkBackward (float32), BenchmarkForward64 and
// BenchmarkBackward64 (float64) name their sub-benchmarks
// fn=<spec name>/impl=<impl>/n=<length>, so benchstat can project on /fn,
// /impl and /n, and report elements/ns next to ns/op and MB/s (input bytes
// only, 4n or 8n per call). Inputs repeat x = (i%2001 − 1000)/100, spanning
// [-10, 10] in steps of 0.01 as out/act's own benchmark does, with dy = 1 and
// every parameter at its spec default.
package speed
