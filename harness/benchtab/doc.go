// Package benchtab runs actgen's benchmarks and turns their output into
// numbers a tuner can act on and tables a README can show.
//
// Benchmarks are expected to be named
//
//	Benchmark<Dir>/fn=<name>/impl=<impl>/n=<n>
//
// (Dir is Forward or Backward) and to report sec/op (ns/op on the wire) and a
// custom elements/ns metric. A cell is one (Dir, fn, impl, n); its samples are
// all results with that key, from however many files, rounds or packages.
//
// The pieces:
//
//   - [Run] compiles each benchmarked package once and runs the binaries
//     round-robin, one -test.count=1 run of every cell per round, so that the
//     machine's drift (thermal, neighbours on a shared host) is spread over all
//     variants instead of landing on one variant's consecutive samples, which is
//     what -test.count=N would do.
//   - [Load] and [Set.Read] parse the output with golang.org/x/perf/benchfmt
//     and group it with benchproc by .name, /fn, /n and /impl.
//   - [Summarize] and [Compare] are benchmath's AssumeNothing statistics (median,
//     95% confidence interval, Mann-Whitney U test at α = 0.05), so every number
//     equals what `go tool benchstat` prints for the same samples; the tests
//     check this against a golden benchstat run.
//   - [Markdown] renders one table per (Dir, fn) for reports/README.md.
//   - [Fastest] picks a winner among candidate impls for a tuner and says
//     whether the win is statistically significant.
package benchtab
