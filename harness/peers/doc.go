// Package peers holds what a Go programmer can use today instead of out/act, so
// the report can put numbers beside ours. No Go library ships activation
// functions, so each peer is a kernel written the way a user would write it with
// one library:
//
//   - "naive": a plain loop over the float64 functions of package math, rounded
//     to float32 at the end.
//   - "math32": the same loop over github.com/chewxy/math32's scalar float32
//     functions.
//   - "vek32": a chain of whole-slice calls into github.com/viterin/vek/vek32,
//     which has AVX2 Exp, Log, Inv, Maximum and elementwise arithmetic but no
//     activations, so every function costs several passes over memory.
//
// The formulas are PyTorch's as spec/activations.yaml states them, at the spec's
// default parameters, with the library's dedicated function where it has one
// for a whole subexpression (Expm1 for exp(x)-1, Log1p for log(1+u)) and no
// other rewrites: 1+erf(u) and 1+tanh(u) stay as written, and backward passes
// use the textbook derivatives (s·(1−s), 1−t², ...). The error that follows
// from that is the users' error, measured in peers_test.go, not corrected here.
//
// vek32 compositions exist for sigmoid, relu, leaky_relu, elu, tanh, softplus,
// silu, mish and gelu_tanh; gelu has none (vek32 has no erf). Backward
// compositions exist for sigmoid, relu, leaky_relu, elu and softplus. Two
// things shape them:
//
//   - vek32's AVX2 Exp is accurate (≤ 1 ULP) only for arguments in about
//     [-87.3, 88.37]: below that it returns garbage (negative numbers of order
//     1e32 near -100), above it NaN and then MaxFloat32. Every composition
//     clamps the argument of Exp into [-87, 88] first, at one or two extra
//     passes, because a user whose sigmoid(103) is -4.7e-33 has a bug.
//   - vek32 has no expm1 or log1p, so elu near 0 (exp(x)−1), tanh near 0
//     (1−2/(e^2x+1)) and softplus for x ≪ 0 (log(1+e^x)) lose their relative
//     accuracy: they are accurate to about 1e-7 absolute there. mish and
//     gelu_tanh avoid this through cancellation-free exp forms:
//     tanh(softplus(x)) = n/(n+2) with n = e^x(e^x+2), and
//     0.5x(1+tanh(u)) = x·sigmoid(2u).
//
// Each vek32 `_Into` call is a copy followed by the in-place operation, two
// sweeps over memory, so the compositions make one such call (or a copy) and
// continue in place; a Peer's ForwardPasses and BackwardPasses count the
// sweeps.
package peers
