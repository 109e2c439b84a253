// Package kernel turns validated spec entries into the kernel IR the backends
// lower: each activation's formula with other entries inlined, its symbolic
// derivative, their numerically stable rewrites, and their limits at ±Inf
// computed by the reference evaluator.
package kernel
