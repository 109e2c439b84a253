// Package ref is actgen's high-precision reference evaluator: the oracle that
// generated kernels are measured against. It holds the oracle math, elementary
// functions (Exp, Expm1, Log, Log1p, Sqrt, Tanh, Cosh, Sinh, Erf, Erfc) and
// constants (Pi, E, Ln2) over math/big.Float. Each works internally with 40+
// guard bits, so its relative error is the final rounding's half ulp plus about
// 2^-(prec+20), below 2^(1-prec) in all. A result computed with a few dozen
// bits to spare and rounded to float32 or float64 is therefore the correctly
// rounded value except in astronomically rare near-ties, and a kernel's error
// can be counted in ULPs against it.
//
// Every function returns a fresh *big.Float with the requested precision and
// rounding mode ToNearestEven and never modifies its argument. Results beyond
// big.Float's exponent range (about 2^±2^31) or indistinguishable at prec bits
// from a limit saturate to ±0, ±1, 2 or ±Inf. Log, Log1p and Sqrt report a NaN
// result as (nil, false). A precision of 0 is treated as 53. All functions are
// safe for concurrent use.
package ref
