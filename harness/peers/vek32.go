package peers

import "github.com/viterin/vek/vek32"

// vek32's AVX2 Exp is only right for arguments in about [-87.3, 88.37]: below
// it returns garbage (about -2e32 at -103), above it NaN, then MaxFloat32.
// Every composition clamps into [expLo, expHi] first. At expHi, exp+1 is above
// 2^126, where Inv's VRCPPS flushes to zero, so sigmoid(-Inf) is exactly 0 as
// it should be; expLo is the lowest safe argument, whose exp (1.6e-38)
// vanishes next to 1 wherever it is added to 1.
const (
	expLo = -87
	expHi = 88
)

// vek32Peers builds a fresh peer per call so that scratch slices are not
// shared between independent users of For.
var vek32Peers = map[string]func() Peer{
	"sigmoid":    vekSigmoid,
	"relu":       vekReLU,
	"leaky_relu": vekLeakyReLU,
	"elu":        vekELU,
	"tanh":       vekTanh,
	"softplus":   vekSoftplus,
	"silu":       vekSiLU,
	"mish":       vekMish,
	"gelu_tanh":  vekGELUTanh,
}

// scratch holds the temporaries of one peer, grown to the longest input seen
// so that benchmarks measure computation rather than allocation.
type scratch struct {
	f    []float32
	mask []bool
}

func (s *scratch) floats(n int) []float32 {
	if cap(s.f) < n {
		s.f = make([]float32, n)
	}
	return s.f[:n]
}

func (s *scratch) bools(n int) []bool {
	if cap(s.mask) < n {
		s.mask = make([]bool, n)
	}
	return s.mask[:n]
}

// The pass counts below follow each call: an explicit copy and every in-place
// call are one pass each; an _Into call is two (vek32 copies, then works in
// place).

// sigmoidInto writes 1/(1+exp(-x)) to dst in 7 passes: copy, Neg, two clamps,
// Exp, AddNumber, Inv. The clamps are the price of vek32's Exp range; without
// them sigmoid(103) comes out as -4.7e-33.
func sigmoidInto(dst, x []float32) {
	dst = dst[:len(x)]
	copy(dst, x)
	vek32.Neg_Inplace(dst)
	vek32.MaximumNumber_Inplace(dst, expLo)
	vek32.MinimumNumber_Inplace(dst, expHi)
	vek32.Exp_Inplace(dst)
	vek32.AddNumber_Inplace(dst, 1)
	vek32.Inv_Inplace(dst)
}

const sigmoidPasses = 7

func vekSigmoid() Peer {
	var s scratch
	return Peer{
		Name:          "vek32",
		Forward:       sigmoidInto,
		ForwardPasses: sigmoidPasses,
		// s·(1−s) as s − s²: one pass fewer than forming 1−s.
		Backward: func(dx, x, dy []float32) {
			dx = dx[:len(x)]
			sigmoidInto(dx, x)
			sq := s.floats(len(x))
			vek32.Mul_Into(sq, dx, dx)
			vek32.Sub_Inplace(dx, sq)
			vek32.Mul_Inplace(dx, dy)
		},
		BackwardPasses: sigmoidPasses + 4,
	}
}

func vekReLU() Peer {
	var s scratch
	return Peer{
		Name: "vek32",
		Forward: func(dst, x []float32) {
			vek32.MaximumNumber_Into(dst, x, 0)
		},
		ForwardPasses: 2,
		// The mask is []bool because vek32's comparisons return nothing else;
		// FromBool turns it into the 0/1 factor.
		Backward: func(dx, x, dy []float32) {
			m := s.bools(len(x))
			vek32.GtNumber_Into(m, x, 0)
			vek32.FromBool_Into(dx, m)
			vek32.Mul_Inplace(dx[:len(x)], dy)
		},
		BackwardPasses: 3,
	}
}

func vekLeakyReLU() Peer {
	var s scratch
	// The x > 0 factor is (1−α)·1 + α in float32, which is exactly 1 for
	// α = 0.01; for other α it may be 1 ± 1 ULP.
	const alpha float32 = leakyReLUAlpha
	return Peer{
		Name: "vek32",
		// max(x, αx) is leaky_relu for 0 ≤ α ≤ 1.
		Forward: func(dst, x []float32) {
			dst = vek32.MulNumber_Into(dst, x, alpha)
			vek32.Maximum_Inplace(dst, x)
		},
		ForwardPasses: 3,
		Backward: func(dx, x, dy []float32) {
			m := s.bools(len(x))
			vek32.GtNumber_Into(m, x, 0)
			dx = vek32.FromBool_Into(dx, m)
			vek32.MulNumber_Inplace(dx, 1-alpha)
			vek32.AddNumber_Inplace(dx, alpha)
			vek32.Mul_Inplace(dx, dy)
		},
		BackwardPasses: 5,
	}
}

func vekELU() Peer {
	var s scratch
	return Peer{
		Name: "vek32",
		// max(x,0) + (exp(min(x,0)) − 1), valid for α = 1, the default; no
		// MulNumber by α, as a user with α = 1 would not write one. Without
		// expm1 the result is accurate to ~1e-7 absolute, not relative, near 0.
		Forward: func(dst, x []float32) {
			t := s.floats(len(x))
			vek32.MinimumNumber_Into(t, x, 0)
			vek32.MaximumNumber_Inplace(t, expLo)
			vek32.Exp_Inplace(t)
			vek32.SubNumber_Inplace(t, 1)
			dst = vek32.MaximumNumber_Into(dst, x, 0)
			vek32.Add_Inplace(dst, t)
		},
		ForwardPasses: 8,
		// With α = 1, elu'(x) = exp(min(x, 0)) on both sides of the kink,
		// including autograd's value 1 at x = 0.
		Backward: func(dx, x, dy []float32) {
			dx = vek32.MinimumNumber_Into(dx, x, 0)
			vek32.MaximumNumber_Inplace(dx, expLo)
			vek32.Exp_Inplace(dx)
			vek32.Mul_Inplace(dx, dy)
		},
		BackwardPasses: 5,
	}
}

// vekTanh composes 1 − 2/(exp(2x)+1) in 9 passes. vek32 has no expm1, so near
// 0 it is accurate to ~1e-7 absolute only. No backward: 1 − t² would take six
// more passes and is no composition anyone would choose over the math32 loop.
func vekTanh() Peer {
	return Peer{
		Name: "vek32",
		Forward: func(dst, x []float32) {
			dst = vek32.MulNumber_Into(dst, x, 2)
			vek32.MaximumNumber_Inplace(dst, expLo)
			vek32.MinimumNumber_Inplace(dst, expHi)
			vek32.Exp_Inplace(dst)
			vek32.AddNumber_Inplace(dst, 1)
			vek32.Inv_Inplace(dst)
			vek32.MulNumber_Inplace(dst, -2)
			vek32.AddNumber_Inplace(dst, 1)
		},
		ForwardPasses: 9,
	}
}

func vekSoftplus() Peer {
	// The threshold needs no select: log(1+e^x) > x everywhere, so
	// max(x, log(1+exp(min(x, threshold)))) is x above the threshold and the
	// formula below it. β = 1, the default, so no scaling passes.
	return Peer{
		Name: "vek32",
		Forward: func(dst, x []float32) {
			dst = vek32.MinimumNumber_Into(dst, x, softplusThreshold)
			vek32.MaximumNumber_Inplace(dst, expLo)
			vek32.Exp_Inplace(dst)
			vek32.AddNumber_Inplace(dst, 1)
			vek32.Log_Inplace(dst)
			vek32.Maximum_Inplace(dst, x)
		},
		ForwardPasses: 7,
		// softplus' is sigmoid, and sigmoid(x) rounds to 1 above the
		// threshold, so no select either.
		Backward: func(dx, x, dy []float32) {
			dx = dx[:len(x)]
			sigmoidInto(dx, x)
			vek32.Mul_Inplace(dx, dy)
		},
		BackwardPasses: sigmoidPasses + 1,
	}
}

func vekSiLU() Peer {
	return Peer{
		Name: "vek32",
		Forward: func(dst, x []float32) {
			dst = dst[:len(x)]
			sigmoidInto(dst, x)
			vek32.Mul_Inplace(dst, x)
		},
		ForwardPasses: sigmoidPasses + 1,
	}
}

// vekMish uses tanh(log(1+e^x)) = n/(n+2) with n = e^x(e^x+2), which needs
// neither tanh nor log and does not cancel, in 11 passes. x is clamped at the
// softplus threshold, above which the ratio is 1 in float32, so n cannot
// overflow. Below expLo the ratio stays at about e^-87, so mish(x) comes out
// as x·1.6e-38 instead of underflowing: below 2e-34 in magnitude for
// |x| ≤ 1e4, and wrong only past |x| ≈ 1e37.
func vekMish() Peer {
	var s scratch
	return Peer{
		Name: "vek32",
		Forward: func(dst, x []float32) {
			t := s.floats(len(x))
			dst = vek32.MinimumNumber_Into(dst, x, softplusThreshold)
			vek32.MaximumNumber_Inplace(dst, expLo)
			vek32.Exp_Inplace(dst)
			vek32.AddNumber_Into(t, dst, 2)
			vek32.Mul_Inplace(dst, t)
			vek32.AddNumber_Into(t, dst, 2)
			vek32.Div_Inplace(dst, t)
			vek32.Mul_Inplace(dst, x)
		},
		ForwardPasses: 11,
	}
}

// vekGELUTanh uses 0.5x(1+tanh(u)) = x·sigmoid(2u), which does not cancel for
// x ≪ 0, with −2u = x·(−2c − 2ck·x²), in 11 passes.
func vekGELUTanh() Peer {
	return Peer{
		Name: "vek32",
		Forward: func(dst, x []float32) {
			dst = vek32.Mul_Into(dst, x, x)
			vek32.MulNumber_Inplace(dst, -2*geluTanhC*geluTanhK)
			vek32.AddNumber_Inplace(dst, -2*geluTanhC)
			vek32.Mul_Inplace(dst, x)
			vek32.MaximumNumber_Inplace(dst, expLo)
			vek32.MinimumNumber_Inplace(dst, expHi)
			vek32.Exp_Inplace(dst)
			vek32.AddNumber_Inplace(dst, 1)
			vek32.Inv_Inplace(dst)
			vek32.Mul_Inplace(dst, x)
		},
		ForwardPasses: 11,
	}
}
