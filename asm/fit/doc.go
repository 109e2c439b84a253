// Package fit computes minimax polynomial approximations by the Remez
// exchange algorithm, for the polynomial cores of actgen's vector math
// kernels (exp, expm1, log1p, tanh, erfc, ...).
//
// # What is minimized
//
// Given a target F on [Lo, Hi] and a set of exponents Powers, Remez finds the
// coefficients c_k of
//
//	p(t) = Σ_k c_k · t^Powers[k]
//
// that minimize the maximum over [Lo, Hi] of the weighted error
//
//	e(t) = w(t) · (p(t) - F(t)),
//
// with w = 1 for an absolute fit and w = 1/F for a relative fit, in which case
// e is the signed relative error p/F - 1 (its absolute value is |p-F|/|F|; the
// signed form keeps e continuous where F changes sign at a zero that the basis
// reproduces, such as log1p at 0 with powers 1..9).
//
// # Why Remez
//
// A kernel's accuracy is judged by its worst case, in ULPs of the result, over
// every input, so the quantity that matters is the maximum error, not an
// average. Least-squares fits and Taylor polynomials minimize the wrong norm;
// Chebyshev interpolation comes close but leaves the error unlevelled.
// By the equioscillation theorem, the best approximation in the max norm from
// a Haar system of n basis functions is characterized by an error that
// attains its maximum magnitude with alternating sign at n+1 points. The
// Remez exchange algorithm enforces that property directly: it solves for a
// polynomial whose error alternates with equal magnitude on a reference set of
// n+1 points, moves the reference to the extrema of the resulting error, and
// repeats until the extrema are level. Convergence is quadratic for the
// smooth (analytic) targets used here, typically in a handful of iterations.
//
// # Numerics
//
// Every quantity that can suffer cancellation is computed in math/big at the
// working precision (Problem.Prec, 256 bits by default): the target, the
// polynomial, their difference and the linear system (Gaussian elimination
// with partial pivoting). Only positions of sample points and error
// magnitudes, which need no more than a few digits, are handled as float64.
// Target values are cached per point, so the dense sampling grid costs one
// evaluation of F per point for the whole fit.
//
// Coefficients are returned at full precision; Result.Float64s and
// Result.Float32s round them for code generation, and MaxError (or
// Result.MaxErrRounded) measures what the rounding costs by evaluating the
// rounded polynomial exactly. Neither accounts for the rounding errors of
// evaluating the polynomial in float32/float64 arithmetic, which a kernel adds
// on top.
//
// # Bases and zeros
//
// The exchange relies on the weighted basis being a Haar system on [Lo, Hi].
// That holds for contiguous powers on any interval, and for any increasing
// powers (for instance odd {1,3,5,...} or even {0,2,4,...}) on an interval
// that does not contain 0 in its interior; gapped powers on an interval
// straddling 0 are rejected (fit the odd or even function on [0, Hi]
// instead). In a relative fit, F may vanish only at t = 0 and only to exactly
// the order Powers[0], so that p/F stays finite and nonzero there (tanh with
// odd powers, expm1 or log1p with powers from 1, expm1(t)-t with powers
// from 2). At t = 0 itself the error is then evaluated at t = (Hi-Lo)·2^-60
// toward the interior, which differs from the limit by a negligible amount.
package fit
