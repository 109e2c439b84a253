// Package rt is the runtime support of the Go backend: the few scalar helpers
// that generated kernels call. The generator copies this file verbatim into the
// generated package (renaming the package clause), so the helpers are written and
// tested once, here.
package rt

import "math"

// choose is select(c, a, b) for the generated code: Go has no conditional
// expression, and the compiler inlines this.
func choose(c bool, a, b float64) float64 {
	if c {
		return a
	}
	return b
}

// ln2Hi + ln2Lo = ln 2; ln2Hi has 32 significant bits, so x - k·ln2Hi is exact
// for the |x| < 1024 it is used with.
const (
	ln2Hi = 6.93147180369123816490e-01
	ln2Lo = 1.90821492927058770002e-10
)

// exp is math.Exp without its early overflow: on amd64 the assembly returns +Inf
// from x ≈ 709.436 on, although e^x is finite up to 709.78.
func exp(x float64) float64 {
	if x > 709 && x < 710 {
		e := math.Exp(x - 2*ln2Hi)
		return 4 * (e - e*(2*ln2Lo))
	}
	return math.Exp(x)
}

// cosh is math.Cosh without the early overflow it inherits from math.Exp.
func cosh(x float64) float64 {
	x = math.Abs(x)
	if x > 21 {
		// e^-x is below half an ulp of e^x/2 here.
		return 2 * exp(x-2*ln2Hi) * (1 - 2*ln2Lo)
	}
	return math.Cosh(x)
}

// sinh is math.Sinh without the early overflow it inherits from math.Exp.
func sinh(x float64) float64 {
	if a := math.Abs(x); a > 21 {
		return math.Copysign(2*exp(a-2*ln2Hi)*(1-2*ln2Lo), x)
	}
	return math.Sinh(x)
}

// logistic is 1/(1+e^-v) evaluated on the side where e^±v cannot overflow, so it
// is accurate down to the subnormal e^v for v < -709.
func logistic(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + exp(-v))
	}
	e := exp(v)
	return e / (1 + e)
}

// The dd* helpers do double-double arithmetic (a value is hi+lo with |lo| ≤
// ulp(hi)/2). Generated float64 kernels evaluate the argument of exp, erfc and
// their kin in double-double because those functions magnify the argument's
// relative rounding error by the argument's size: exp(u) by |u|, erfc(u) by 2u².
// An argument such as -x²/2 rounded to float64 would cost gelu' 700 ULPs at x = -37.

// twoSum returns s, e with s = fl(a+b) and s+e = a+b exactly (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// twoProd returns p, e with p = fl(a·b) and p+e = a·b exactly (FMA).
func twoProd(a, b float64) (p, e float64) {
	p = a * b
	if math.IsInf(p, 0) {
		return p, 0
	}
	e = math.FMA(a, b, -p)
	return p, e
}

// ddAdd returns (ah+al) + (bh+bl) in double-double.
func ddAdd(ah, al, bh, bl float64) (float64, float64) {
	s, e := twoSum(ah, bh)
	e += al + bl
	return fastTwoSum(s, e)
}

// ddMul returns (ah+al)·(bh+bl) in double-double.
func ddMul(ah, al, bh, bl float64) (float64, float64) {
	p, e := twoProd(ah, bh)
	e += ah*bl + al*bh
	return fastTwoSum(p, e)
}

// ddDiv returns (ah+al)/(bh+bl) in double-double: one quotient and one
// correction from the exact remainder.
func ddDiv(ah, al, bh, bl float64) (float64, float64) {
	q := ah / bh
	if math.IsInf(q, 0) || q == 0 || math.IsNaN(q) {
		return q, 0
	}
	p, e := twoProd(q, bh)
	r := ((ah - p) - e + al - q*bl) / bh
	return fastTwoSum(q, r)
}

// fastTwoSum renormalizes s+e when |s| ≥ |e|; infinite s passes through so that
// overflow stays an overflow instead of becoming NaN.
func fastTwoSum(s, e float64) (float64, float64) {
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return s, 0
	}
	h := s + e
	return h, e - (h - s)
}

// The *DD functions apply f to hi+lo by one Taylor step, f(hi) + f'(hi)·lo, which
// is exact to far below an ulp because |lo| ≤ ulp(hi)/2. lo = 0 (and infinite
// results) return f(hi) unchanged so overflow never turns into ∞·0.

func expDD(hi, lo float64) float64 {
	e := exp(hi)
	if lo == 0 || e == 0 || math.IsInf(e, 0) {
		return e
	}
	return e + e*lo
}

func expm1DD(hi, lo float64) float64 {
	e := math.Expm1(hi)
	if lo == 0 || math.IsInf(e, 0) {
		return e
	}
	return e + exp(hi)*lo
}

// twoOverSqrtPi is 2/√π, the scale of erf's derivative.
const twoOverSqrtPi = 1.1283791670955126

func erfDD(hi, lo float64) float64 {
	e := math.Erf(hi)
	if lo == 0 {
		return e
	}
	return e + twoOverSqrtPi*expMinusSquare(hi)*lo
}

func erfcDD(hi, lo float64) float64 {
	e := math.Erfc(hi)
	if lo == 0 {
		return e
	}
	return e - twoOverSqrtPi*expMinusSquare(hi)*lo
}

// expMinusSquare returns exp(-h²) with h² in double-double: the correction terms
// of erf and erfc are themselves relative to erfc's tiny value at large h.
func expMinusSquare(h float64) float64 {
	s, e := twoProd(h, h)
	return expDD(-s, -e)
}

func coshDD(hi, lo float64) float64 {
	c := cosh(hi)
	if lo == 0 || math.IsInf(c, 0) {
		return c
	}
	return c + sinh(hi)*lo
}

func sinhDD(hi, lo float64) float64 {
	s := sinh(hi)
	if lo == 0 || math.IsInf(s, 0) {
		return s
	}
	return s + cosh(hi)*lo
}

func logisticDD(hi, lo float64) float64 {
	s := logistic(hi)
	if lo == 0 {
		return s
	}
	return s + s*logistic(-hi)*lo
}

// xf is m·2^e with 0.5 ≤ |m| < 1 (m = 0, ±Inf or NaN with e = 0): float64's
// precision with an exponent that does not underflow. Float64 kernels whose
// result falls below 2^-960 evaluate again in xf, because there the result is a
// normal-sized factor times a tiny exp or erfc that float64 could only hold as a
// subnormal with few bits (silu(-745) = -745·e^-745: 373 ulps in float64).
type xf struct {
	m float64
	e int
}

func xfOf(v float64) xf {
	m, e := math.Frexp(v)
	return xf{m, e}
}

// float rounds x to float64, once, also into the subnormal range.
func (x xf) float() float64 { return math.Ldexp(x.m, x.e) }

func xNorm(m float64, e int) xf {
	f, k := math.Frexp(m)
	if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return xf{f, 0}
	}
	return xf{f, e + k}
}

func xNeg(a xf) xf { return xf{-a.m, a.e} }

func xAbs(a xf) xf { return xf{math.Abs(a.m), a.e} }

func xMul(a, b xf) xf { return xNorm(a.m*b.m, a.e+b.e) }

func xDiv(a, b xf) xf { return xNorm(a.m/b.m, a.e-b.e) }

func xAdd(a, b xf) xf {
	switch {
	case a.m == 0:
		return b
	case b.m == 0:
		return a
	case a.e < b.e:
		a, b = b, a
	}
	if d := a.e - b.e; d < 1100 {
		return xNorm(a.m+math.Ldexp(b.m, -d), a.e)
	}
	return a
}

func xSub(a, b xf) xf { return xAdd(a, xNeg(b)) }

// xCmp returns the sign of a - b.
func xCmp(a, b xf) int {
	d := xSub(a, b).m
	switch {
	case d > 0:
		return 1
	case d < 0:
		return -1
	}
	return 0
}

func xMin(a, b xf) xf {
	if xCmp(b, a) < 0 {
		return b
	}
	return a
}

func xMax(a, b xf) xf {
	if xCmp(b, a) > 0 {
		return b
	}
	return a
}

// tiny reports whether a is below 2^-1000, where the primitives are their
// first-order Taylor polynomials to far below an ulp.
func (x xf) tiny() bool { return x.m == 0 || x.e < -1000 }

// xExpDD is e^(hi+lo) as xf: e^r·2^k with hi+lo = k·ln2 + r, |r| ≤ ln2/2.
func xExpDD(hi, lo float64) xf {
	switch {
	case hi != hi:
		return xf{hi, 0}
	case hi > 1e6:
		return xf{math.Inf(1), 0}
	case hi < -1e6:
		return xf{}
	}
	k := math.Round(hi / math.Ln2)
	r := (hi - k*ln2Hi) - k*ln2Lo + lo // k·ln2Hi is exact for |k| < 2^21
	return xNorm(math.Exp(r), int(k))
}

// xErfcDD is erfc(hi+lo) as xf. Beyond 26 it is e^(-t²)·G(t) with e^(-t²) from
// the double-double square and G from its asymptotic series, whose terms fall by
// (2k-1)/(2t²) < 1/40 each.
func xErfcDD(hi, lo float64) xf {
	if hi < 26 {
		return xfOf(erfcDD(hi, lo))
	}
	s, e := twoProd(hi, hi)
	e += 2 * hi * lo
	g, term := 1.0, 1.0
	for k := 1; k < 30; k++ {
		term *= -float64(2*k-1) / (2 * hi * hi)
		g += term
		if math.Abs(term) < 0x1p-60 {
			break
		}
	}
	const sqrtPi = 1.7724538509055160
	return xMul(xExpDD(-s, -e), xfOf(g/(hi*sqrtPi)))
}

// xLogisticDD is logistic(hi+lo) as xf; below -700 it is e^v/(1+e^v) = e^v·(1-e^v).
func xLogisticDD(hi, lo float64) xf {
	if hi > -700 {
		return xfOf(logisticDD(hi, lo))
	}
	return xExpDD(hi, lo)
}

// xChoose is choose for xf values.
func xChoose(c bool, a, b xf) xf {
	if c {
		return a
	}
	return b
}

// xCall applies a primitive to an xf argument that needs no double-double.
func xCall(name string, a xf) xf {
	if name == "log" && a.m > 0 {
		return xfOf(math.Log(a.m) + float64(a.e)*math.Ln2)
	}
	if a.tiny() {
		switch name {
		case "tanh", "sinh", "expm1", "log1p", "abs":
			if name == "abs" {
				return xAbs(a)
			}
			return a
		case "erf":
			return xMul(a, xfOf(twoOverSqrtPi))
		case "exp", "cosh", "erfc":
			return xfOf(1)
		case "logistic":
			return xfOf(0.5)
		}
	}
	switch name {
	case "exp":
		return xExpDD(a.float(), 0)
	case "erfc":
		return xErfcDD(a.float(), 0)
	case "logistic":
		return xLogisticDD(a.float(), 0)
	case "sqrt":
		if a.e%2 != 0 {
			return xNorm(math.Sqrt(2*a.m), (a.e-1)/2)
		}
		return xNorm(math.Sqrt(a.m), a.e/2)
	}
	v := a.float()
	var r float64
	switch name {
	case "expm1":
		r = math.Expm1(v)
	case "log":
		r = math.Log(v)
	case "log1p":
		r = math.Log1p(v)
	case "tanh":
		r = math.Tanh(v)
	case "cosh":
		r = cosh(v)
	case "sinh":
		r = sinh(v)
	case "erf":
		r = math.Erf(v)
	case "abs":
		r = math.Abs(v)
	default:
		r = math.NaN()
	}
	return xfOf(r)
}

// chebyshev evaluates Σ c[k]·T_k(u) for |u| ≤ 1 by Clenshaw's recurrence. The
// generated float64 gradients use it near roots of f' (see kernel.Patch).
func chebyshev(u float64, c []float64) float64 {
	var b1, b2 float64
	for k := len(c) - 1; k >= 1; k-- {
		b1, b2 = math.FMA(2*u, b1, c[k]-b2), b1
	}
	return math.FMA(u, b1, c[0]-b2)
}
