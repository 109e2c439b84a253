// Package harness is actgen's measuring side: it checks the generated package
// out/act against the reference evaluator, times it against the alternatives a
// Go user has, and draws what it finds. The work is in its subpackages:
// accuracy (sampled and exhaustive error in ULPs, kept in reports/accuracy.json),
// peers (plain Go, chewxy/math32 and viterin/vek implementations), speed (the
// benchmark suite over every variant, peer and copy()), benchtab (round-robin
// runs and benchstat statistics with golang.org/x/perf) and plot; and in the
// commands cmd/bench, cmd/tune (the measured dispatch table) and cmd/report,
// which writes reports/README.md.
package harness
