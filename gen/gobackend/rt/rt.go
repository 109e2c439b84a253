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
