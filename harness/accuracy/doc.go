// Package accuracy measures the error of generated kernels in ULPs against the
// correctly rounded value from the reference evaluator (package ref), on sampled
// inputs, for every implementation, type and direction.
package accuracy
