package formula

import "math"

// hornerPoly rewrites a polynomial in x of degree 2 or more, written in any
// shape (gelu_tanh's 2·(√(2/π)·(x + 0.044715·x·x·x))), into Horner's form
// x^k·(c_k + x·(c_k+1 + …)) with constant-expression coefficients: the
// backends fold each coefficient into one constant (a two-float one where
// the AVX2 backend evaluates the argument of exp or logistic in two floats)
// and pay one multiply-add per degree, instead of a rounding or a two-float
// product for every constant and power as written.
//
// Expanding can cancel where the written form does not ((1+x)² is
// 1 + x(2 + x), which cancels near x = -1), so the rule applies only where
// the factor after x^k is a polynomial in x² whose coefficients share one
// sign: its terms then never cancel.
func hornerPoly(n *Node) (*Node, bool) {
	c, ok := polyCoeffs(n)
	if !ok || len(c) < 3 || n.Kind == X {
		return nil, false
	}
	k := 0
	for k < len(c) && c[k].IsConst(0) {
		k++
	}
	if k == len(c) {
		return Int(0), true
	}
	sign := 0.0
	for i := k; i < len(c); i++ {
		v := Eval64(c[i], 0, nil)
		switch {
		case v == 0:
		case (i-k)%2 == 1 || v != v:
			return nil, false // an odd power of x beside the first: its sign varies
		case sign == 0:
			sign = math.Copysign(1, v)
		case math.Copysign(1, v) != sign:
			return nil, false
		}
	}
	x := Input()
	h := horner(x, c[k:])
	for ; k > 0; k-- {
		h = Bin(Mul, x, h)
	}
	return Simplify(h), true
}

// polyCoeffs returns the coefficients of n as a polynomial in x, lowest
// degree first, each a constant expression; ok is false when n is not a
// polynomial (it calls a function of x, divides by x, selects, or has a
// parameter).
func polyCoeffs(n *Node) ([]*Node, bool) {
	switch {
	case n.Kind == X:
		return []*Node{Int(0), Int(1)}, true
	case n.IsConstExpr():
		return []*Node{n}, true
	}
	var a, b []*Node
	var ok bool
	if len(n.Args) > 0 {
		if a, ok = polyCoeffs(n.Args[0]); !ok {
			return nil, false
		}
	}
	if len(n.Args) > 1 {
		if n.Kind == Div {
			if !n.Args[1].IsConstExpr() {
				return nil, false
			}
			out := make([]*Node, len(a))
			for i, c := range a {
				out[i] = Simplify(Bin(Div, c, n.Args[1]))
			}
			return out, true
		}
		if b, ok = polyCoeffs(n.Args[1]); !ok {
			return nil, false
		}
	}
	switch n.Kind {
	case Neg:
		out := make([]*Node, len(a))
		for i, c := range a {
			out[i] = Simplify(Negate(c))
		}
		return out, true
	case Add, Sub:
		out := make([]*Node, max(len(a), len(b)))
		for i := range out {
			ca, cb := Int(0), Int(0)
			if i < len(a) {
				ca = a[i]
			}
			if i < len(b) {
				cb = b[i]
			}
			out[i] = Simplify(Bin(n.Kind, ca, cb))
		}
		return out, true
	case Mul:
		out := make([]*Node, len(a)+len(b)-1)
		for i := range out {
			out[i] = Int(0)
		}
		for i, ca := range a {
			for j, cb := range b {
				out[i+j] = Simplify(Bin(Add, out[i+j], Bin(Mul, ca, cb)))
			}
		}
		return out, true
	}
	return nil, false
}

// horner is c[0] + v·(c[1] + v·(… + v·c[len-1])).
func horner(v *Node, c []*Node) *Node {
	h := c[len(c)-1]
	for i := len(c) - 2; i >= 0; i-- {
		h = Bin(Add, c[i], Bin(Mul, v, h))
	}
	return h
}
