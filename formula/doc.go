// Package formula is actgen's expression IR: formulas from the spec become trees of
// arithmetic, comparisons, select and primitive calls over the input x and named
// parameters. The package converts parsed Go expressions into that IR, simplifies it,
// differentiates it symbolically and rewrites it into numerically stable forms. It is
// the middle of the pipeline: spec → formula → kernel → backends (Go, AVX2).
package formula
