// Package accuracy measures the error of generated kernels in ULPs against the
// correctly rounded value from the reference evaluator (package ref): on
// sampled inputs for every implementation, type and direction, and over all
// 2^32 float32 inputs (Exhaustive32), where a float64 screen, closed forms in
// the tails and near 0, and an expansion for exact midpoints settle nearly
// every input before the high-precision evaluator is asked.
package accuracy
