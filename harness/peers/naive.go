package peers

import "math"

// The naive peers compute in float64 and round once, which is what most Go code
// does because package math has no float32 functions.
var naivePeers = map[string]Peer{
	"sigmoid":    {Name: "naive", Forward: naiveSigmoid, Backward: naiveSigmoidBackward, ForwardPasses: 1, BackwardPasses: 1},
	"relu":       {Name: "naive", Forward: naiveReLU, Backward: naiveReLUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"leaky_relu": {Name: "naive", Forward: naiveLeakyReLU, Backward: naiveLeakyReLUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"elu":        {Name: "naive", Forward: naiveELU, Backward: naiveELUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"tanh":       {Name: "naive", Forward: naiveTanh, Backward: naiveTanhBackward, ForwardPasses: 1, BackwardPasses: 1},
	"softplus":   {Name: "naive", Forward: naiveSoftplus, Backward: naiveSoftplusBackward, ForwardPasses: 1, BackwardPasses: 1},
	"silu":       {Name: "naive", Forward: naiveSiLU, Backward: naiveSiLUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"mish":       {Name: "naive", Forward: naiveMish, Backward: naiveMishBackward, ForwardPasses: 1, BackwardPasses: 1},
	"gelu":       {Name: "naive", Forward: naiveGELU, Backward: naiveGELUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"gelu_tanh":  {Name: "naive", Forward: naiveGELUTanh, Backward: naiveGELUTanhBackward, ForwardPasses: 1, BackwardPasses: 1},
}

// Each loop reslices its outputs to len(x) so that the compiler drops the
// bounds checks, as a user tuning the loop would.

func naiveSigmoid(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

func naiveSigmoidBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		s := 1 / (1 + math.Exp(-float64(v)))
		dx[i] = float32(float64(dy[i]) * s * (1 - s))
	}
}

func naiveReLU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

func naiveReLUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

func naiveLeakyReLU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = float32(leakyReLUAlpha * float64(v))
		}
	}
}

func naiveLeakyReLUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = float32(leakyReLUAlpha * float64(dy[i]))
		}
	}
}

func naiveELU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = float32(eluAlpha * math.Expm1(float64(v)))
		}
	}
}

func naiveELUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = float32(float64(dy[i]) * eluAlpha * math.Exp(float64(v)))
		}
	}
}

func naiveTanh(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(math.Tanh(float64(v)))
	}
}

func naiveTanhBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		t := math.Tanh(float64(v))
		dx[i] = float32(float64(dy[i]) * (1 - t*t))
	}
}

func naiveSoftplus(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if z := softplusBeta * float64(v); z > softplusThreshold {
			dst[i] = v
		} else {
			dst[i] = float32(math.Log1p(math.Exp(z)) / softplusBeta)
		}
	}
}

func naiveSoftplusBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		if z := softplusBeta * float64(v); z > softplusThreshold {
			dx[i] = dy[i]
		} else {
			dx[i] = float32(float64(dy[i]) / (1 + math.Exp(-z)))
		}
	}
}

func naiveSiLU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		z := float64(v)
		dst[i] = float32(z / (1 + math.Exp(-z)))
	}
}

func naiveSiLUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		z := float64(v)
		s := 1 / (1 + math.Exp(-z))
		dx[i] = float32(float64(dy[i]) * s * (1 + z*(1-s)))
	}
}

func naiveMish(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		z := float64(v)
		dst[i] = float32(z * math.Tanh(math.Log1p(math.Exp(z))))
	}
}

func naiveMishBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		z := float64(v)
		t := math.Tanh(math.Log1p(math.Exp(z)))
		s := 1 / (1 + math.Exp(-z))
		dx[i] = float32(float64(dy[i]) * (t + z*s*(1-t*t)))
	}
}

func naiveGELU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		z := float64(v)
		dst[i] = float32(0.5 * z * (1 + math.Erf(z*invSqrt2)))
	}
}

func naiveGELUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		z := float64(v)
		d := 0.5*(1+math.Erf(z*invSqrt2)) + z*math.Exp(-0.5*z*z)*invSqrt2P
		dx[i] = float32(float64(dy[i]) * d)
	}
}

func naiveGELUTanh(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		z := float64(v)
		dst[i] = float32(0.5 * z * (1 + math.Tanh(geluTanhC*(z+geluTanhK*z*z*z))))
	}
}

func naiveGELUTanhBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		z := float64(v)
		t := math.Tanh(geluTanhC * (z + geluTanhK*z*z*z))
		d := 0.5*(1+t) + 0.5*z*(1-t*t)*geluTanhC*(1+3*geluTanhK*z*z)
		dx[i] = float32(float64(dy[i]) * d)
	}
}
