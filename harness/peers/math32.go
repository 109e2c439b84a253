package peers

import "github.com/chewxy/math32"

// The math32 peers are the naive loops kept in float32 throughout, the choice
// of a user who wants to avoid the conversions. math32.Erf and math32.Log1p
// themselves call package math in float64; the rest is float32 code.
var math32Peers = map[string]Peer{
	"sigmoid":    {Name: "math32", Forward: m32Sigmoid, Backward: m32SigmoidBackward, ForwardPasses: 1, BackwardPasses: 1},
	"relu":       {Name: "math32", Forward: m32ReLU, Backward: m32ReLUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"leaky_relu": {Name: "math32", Forward: m32LeakyReLU, Backward: m32LeakyReLUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"elu":        {Name: "math32", Forward: m32ELU, Backward: m32ELUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"tanh":       {Name: "math32", Forward: m32Tanh, Backward: m32TanhBackward, ForwardPasses: 1, BackwardPasses: 1},
	"softplus":   {Name: "math32", Forward: m32Softplus, Backward: m32SoftplusBackward, ForwardPasses: 1, BackwardPasses: 1},
	"silu":       {Name: "math32", Forward: m32SiLU, Backward: m32SiLUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"mish":       {Name: "math32", Forward: m32Mish, Backward: m32MishBackward, ForwardPasses: 1, BackwardPasses: 1},
	"gelu":       {Name: "math32", Forward: m32GELU, Backward: m32GELUBackward, ForwardPasses: 1, BackwardPasses: 1},
	"gelu_tanh":  {Name: "math32", Forward: m32GELUTanh, Backward: m32GELUTanhBackward, ForwardPasses: 1, BackwardPasses: 1},
}

func m32Sigmoid(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = 1 / (1 + math32.Exp(-v))
	}
}

func m32SigmoidBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		s := 1 / (1 + math32.Exp(-v))
		dx[i] = dy[i] * s * (1 - s)
	}
}

// relu and leaky_relu use no library function; they are here so that every
// function has a math32 row and the naive/math32 difference shows the cost of
// float64 conversions alone.

func m32ReLU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

func m32ReLUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

func m32LeakyReLU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = leakyReLUAlpha * v
		}
	}
}

func m32LeakyReLUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = leakyReLUAlpha * dy[i]
		}
	}
}

func m32ELU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = eluAlpha * math32.Expm1(v)
		}
	}
}

func m32ELUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = dy[i] * eluAlpha * math32.Exp(v)
		}
	}
}

func m32Tanh(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = math32.Tanh(v)
	}
}

func m32TanhBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		t := math32.Tanh(v)
		dx[i] = dy[i] * (1 - t*t)
	}
}

func m32Softplus(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if z := softplusBeta * v; z > softplusThreshold {
			dst[i] = v
		} else {
			dst[i] = math32.Log1p(math32.Exp(z)) / softplusBeta
		}
	}
}

func m32SoftplusBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		if z := softplusBeta * v; z > softplusThreshold {
			dx[i] = dy[i]
		} else {
			dx[i] = dy[i] / (1 + math32.Exp(-z))
		}
	}
}

func m32SiLU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = v / (1 + math32.Exp(-v))
	}
}

func m32SiLUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		s := 1 / (1 + math32.Exp(-v))
		dx[i] = dy[i] * s * (1 + v*(1-s))
	}
}

func m32Mish(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = v * math32.Tanh(math32.Log1p(math32.Exp(v)))
	}
}

func m32MishBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		t := math32.Tanh(math32.Log1p(math32.Exp(v)))
		s := 1 / (1 + math32.Exp(-v))
		dx[i] = dy[i] * (t + v*s*(1-t*t))
	}
}

func m32GELU(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = 0.5 * v * (1 + math32.Erf(v*invSqrt2))
	}
}

func m32GELUBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		d := 0.5*(1+math32.Erf(v*invSqrt2)) + v*math32.Exp(-0.5*v*v)*invSqrt2P
		dx[i] = dy[i] * d
	}
}

func m32GELUTanh(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = 0.5 * v * (1 + math32.Tanh(geluTanhC*(v+geluTanhK*v*v*v)))
	}
}

func m32GELUTanhBackward(dx, x, dy []float32) {
	dx, dy = dx[:len(x)], dy[:len(x)]
	for i, v := range x {
		t := math32.Tanh(geluTanhC * (v + geluTanhK*v*v*v))
		d := 0.5*(1+t) + 0.5*v*(1-t*t)*geluTanhC*(1+3*geluTanhK*v*v)
		dx[i] = dy[i] * d
	}
}
