package ref

import (
	"math"
	"math/big"
	"math/bits"
	"sync"
)

// Error budget. Exported functions work at workPrec(prec), which is at least
// 40 bits above prec and rounded up to whole 64-bit words (a partial word costs
// as much as a full one, so the extra bits are free). The internal helpers below
// promise relative errors of at most about 2^(20-wp) at working precision wp,
// which leaves the final rounding to prec as the dominant error.

// workPrec returns the internal working precision used for a result of prec bits.
func workPrec(prec uint) uint {
	p := prec + 40 + uint(bits.Len(prec))
	return (p + 63) &^ 63
}

// fixPrec maps the meaningless precision 0 to float64's 53 bits, so that a
// zero-valued config field does not silently turn every result into ±0.
func fixPrec(prec uint) uint {
	if prec == 0 {
		return 53
	}
	return prec
}

func newFloat(prec uint) *big.Float { return new(big.Float).SetPrec(prec) }

// add sets z = x+y rounded to z's precision, exactly as z.Add(x, y) would.
// big.Float aligns the operands exactly before rounding, so 1 + 2^-(2^30)
// would allocate 2^30 bits; standIn replaces an operand that lies entirely
// below the other's rounding point by a small one that rounds the same way.
func add(z, x, y *big.Float) *big.Float {
	if s := standIn(z, x, y); s != nil {
		return z.Add(x, s)
	}
	if s := standIn(z, y, x); s != nil {
		return z.Add(s, y)
	}
	return z.Add(x, y)
}

// sub sets z = x-y rounded to z's precision, exactly as z.Sub(x, y) would;
// see add.
func sub(z, x, y *big.Float) *big.Float {
	if s := standIn(z, x, y); s != nil {
		return z.Sub(x, s)
	}
	if s := standIn(z, y, x); s != nil {
		return z.Sub(s, y)
	}
	return z.Sub(x, y)
}

// standIn returns ±2^(ex-p-3), with the sign of y, when x ± y and x ± standIn
// round alike to z's precision because y is negligible next to x; otherwise
// nil. Here |x| is in [2^(ex-1), 2^ex) and p = max(prec z, prec x). Both x and
// every rounding boundary of z's precision near x (its values and the
// midpoints between them, also in the binade below) are multiples of
// G = 2^(ex-p-2). If |y| < G, which the test below guarantees with two bits to
// spare, x ± y lies strictly between x and the next multiple of G on y's side,
// as does x ± standIn: no boundary separates the two sums, so they round to
// the same value in the same direction (z.Acc() agrees too). A z of precision
// 0 would take the operands' larger precision, so it gets no stand-in.
func standIn(z, x, y *big.Float) *big.Float {
	if z.Prec() == 0 || x.Sign() == 0 || y.Sign() == 0 || x.IsInf() || y.IsInf() {
		return nil
	}
	p := int(max(z.Prec(), x.Prec()))
	ex := x.MantExp(nil)
	if ex-y.MantExp(nil) <= p+4 {
		return nil
	}
	// ex-p-3 > y's exponent, so the stand-in is inside big.Float's range.
	s := new(big.Float).SetMantExp(bigOne, ex-p-3)
	if y.Sign() < 0 {
		s.Neg(s)
	}
	return s
}

// roundTo returns a fresh copy of x rounded to prec bits.
func roundTo(x *big.Float, prec uint) *big.Float { return newFloat(prec).Set(x) }

func intFloat(prec uint, v int64) *big.Float { return newFloat(prec).SetInt64(v) }

func infFloat(prec uint, neg bool) *big.Float { return newFloat(prec).SetInf(neg) }

// scaled returns x·2^e rounded to prec bits. (big.Float.SetMantExp copies the
// precision of its argument, which is rarely what is wanted here.)
func scaled(x *big.Float, prec uint, e int) *big.Float {
	z := newFloat(prec).Set(x)
	return z.SetMantExp(z, e)
}

// Shared read-only operands; math/big never writes to operands, so sharing them
// between goroutines is safe.
var (
	bigOne  = big.NewFloat(1)
	bigTwo  = big.NewFloat(2)
	sqrtHlf = big.NewFloat(math.Sqrt2 / 2)
)

// constant caches a mathematical constant per precision. The value is computed
// once at a precision well above any request so far and rounded down on demand;
// the rounded copies are kept because the same few working precisions are
// requested over and over by the functions in this package.
type constant struct {
	compute func(prec uint) *big.Float // value with relative error below 2^-prec

	mu     sync.RWMutex
	master *big.Float
	byPrec map[uint]*big.Float
}

// get returns the constant rounded to prec bits. The result is shared and must
// not be modified.
func (c *constant) get(prec uint) *big.Float {
	c.mu.RLock()
	v := c.byPrec[prec]
	c.mu.RUnlock()
	if v != nil {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v := c.byPrec[prec]; v != nil {
		return v
	}
	if c.master == nil || c.master.Prec() < prec+64 {
		p := prec + 64
		if c.master != nil && p < 2*c.master.Prec() {
			p = 2 * c.master.Prec()
		}
		c.master = c.compute(p)
	}
	if c.byPrec == nil || len(c.byPrec) > 1024 {
		// Bound the cache for callers that sweep many precisions.
		c.byPrec = make(map[uint]*big.Float)
	}
	v = roundTo(c.master, prec)
	c.byPrec[prec] = v
	return v
}

var (
	piConst = &constant{compute: computePi}
	eConst  = &constant{compute: computeE}
	ln2     = &constant{compute: computeLn2}
	// invSqrtPi is 1/√π, the normalisation of erf and erfc.
	invSqrtPi = &constant{compute: func(prec uint) *big.Float {
		p := prec + 32
		s := newFloat(p).Sqrt(piConst.get(p))
		return newFloat(p).Quo(bigOne, s)
	}}
)

// Pi returns π rounded to prec bits.
func Pi(prec uint) *big.Float {
	prec = fixPrec(prec)
	return roundTo(piConst.get(prec), prec)
}

// E returns Euler's number e rounded to prec bits.
func E(prec uint) *big.Float {
	prec = fixPrec(prec)
	return roundTo(eConst.get(prec), prec)
}

// Ln2 returns the natural logarithm of 2 rounded to prec bits.
func Ln2(prec uint) *big.Float {
	prec = fixPrec(prec)
	return roundTo(ln2.get(prec), prec)
}

// The constants are computed by classical series in fixed point (big.Int scaled
// by 2^f): only additions and divisions by small integers, which are much cheaper
// than big.Float operations, and each term's truncation error is at most one unit
// of 2^-f, so a few guard bits cover the whole sum.

func constGuard(prec uint) uint { return 16 + uint(bits.Len(prec)) }

// fixedToFloat converts v·2^-f to a Float of prec bits.
func fixedToFloat(v *big.Int, f, prec uint) *big.Float {
	z := newFloat(prec).SetInt(v)
	return z.SetMantExp(z, -int(f))
}

// atanInv returns atan(1/n)·2^f (hyperbolic: atanh(1/n)·2^f) in fixed point.
func atanInv(n int64, f uint, hyperbolic bool) *big.Int {
	sum := new(big.Int)
	term := new(big.Int).Lsh(big.NewInt(1), f)
	term.Quo(term, big.NewInt(n))
	n2 := big.NewInt(n * n)
	d, q := new(big.Int), new(big.Int)
	for k := int64(0); term.Sign() != 0; k++ {
		q.Quo(term, d.SetInt64(2*k+1))
		if k%2 == 1 && !hyperbolic {
			sum.Sub(sum, q)
		} else {
			sum.Add(sum, q)
		}
		term.Quo(term, n2)
	}
	return sum
}

// computePi uses Machin's formula π = 16 atan(1/5) - 4 atan(1/239).
func computePi(prec uint) *big.Float {
	f := prec + constGuard(prec)
	a := atanInv(5, f, false)
	b := atanInv(239, f, false)
	a.Lsh(a, 4)
	b.Lsh(b, 2)
	return fixedToFloat(a.Sub(a, b), f, prec)
}

// computeLn2 uses ln 2 = 2 atanh(1/3).
func computeLn2(prec uint) *big.Float {
	f := prec + constGuard(prec)
	a := atanInv(3, f, true)
	return fixedToFloat(a.Lsh(a, 1), f, prec)
}

// computeE sums 1/k!.
func computeE(prec uint) *big.Float {
	f := prec + constGuard(prec)
	term := new(big.Int).Lsh(big.NewInt(1), f)
	sum := new(big.Int).Set(term)
	d := new(big.Int)
	for k := int64(1); term.Sign() != 0; k++ {
		term.Quo(term, d.SetInt64(k))
		sum.Add(sum, term)
	}
	return fixedToFloat(sum, f, prec)
}

// expSplit picks how far expm1Small scales its argument down (|r| < 2^-t) before
// the Taylor series: each halving costs one squaring step on the way back, each
// bit of t saves series terms; this balances the two for a working precision wp.
func expSplit(wp uint) int {
	t := int(math.Sqrt(float64(wp)*2/3)) - 3
	return max(t, 2)
}

// expm1Small returns exp(r)-1 for |r| <= 1 at precision wp. It has no
// cancellation anywhere, so the relative error stays near 2^(8-wp) even for
// r = 2^-1100: r is scaled by 2^-s, the series of (e^r-1)/r is summed in fixed
// point, and the scaling is undone with e^{2u}-1 = (e^u-1)(e^u-1+2), which only
// adds positive quantities.
func expm1Small(r *big.Float, wp uint) *big.Float {
	y := newFloat(wp)
	if r.Sign() == 0 {
		return y.Set(r)
	}
	t := expSplit(wp)
	s := 0
	if e := r.MantExp(nil); e > -t {
		s = e + t
	}
	rs := scaled(r, wp, -s)

	// g = Σ rs^n/(n+1)!, so e^rs - 1 = rs·g. Terms are summed as magnitudes and
	// the sign alternates when rs < 0.
	f := wp
	rAbs, _ := new(big.Float).SetMantExp(rs, int(f)).Int(nil)
	neg := rAbs.Sign() < 0
	rAbs.Abs(rAbs)
	g := new(big.Int).Lsh(big.NewInt(1), f)
	term := new(big.Int).Set(g)
	tmp, d := new(big.Int), new(big.Int)
	for n := int64(1); ; n++ {
		tmp.Mul(term, rAbs)
		term.Rsh(tmp, f)
		term.Quo(term, d.SetInt64(n+1))
		if term.Sign() == 0 {
			break
		}
		if neg && n%2 == 1 {
			g.Sub(g, term)
		} else {
			g.Add(g, term)
		}
	}
	y.SetInt(g)
	y.Mul(y, rs)
	y.SetMantExp(y, -int(f))

	u := newFloat(wp)
	for i := 0; i < s; i++ {
		u.Add(y, bigTwo)
		y.Mul(y, u)
	}
	return y
}

// expCore returns e^x·2^scale at precision wp for finite x, saturating to +Inf
// or +0 outside big.Float's exponent range. The scale lets callers such as Cosh
// halve the result without overflowing where e^x itself would.
func expCore(x *big.Float, wp uint, scale int) *big.Float {
	if x.Sign() == 0 {
		return scaled(bigOne, wp, scale)
	}
	// |x| >= 2^32 exceeds (MaxExp+1)·ln2 ≈ 1.49e9 by far; reducing it with an
	// enormous k would be pointless work.
	if x.MantExp(nil) > 32 {
		if x.Sign() > 0 {
			return infFloat(wp, false)
		}
		return newFloat(wp)
	}
	xf, _ := x.Float64()
	k := int64(math.Round(xf / math.Ln2))
	r := x
	if k != 0 {
		// x - k·ln2 loses the leading bits of k·ln2, so ln2 needs as many extra
		// bits as k has to leave r accurate to 2^-wp in absolute terms.
		kb := uint(bits.Len64(uint64(k)))
		if k < 0 {
			kb = uint(bits.Len64(uint64(-k)))
		}
		rp := wp + kb + 8
		kl := intFloat(rp, k)
		kl.Mul(kl, ln2.get(rp))
		r = newFloat(wp).Sub(x, kl)
	}
	y := expm1Small(r, wp)
	add(y, y, bigOne)
	// SetMantExp saturates to ±Inf/±0 when the exponent leaves big.Float's range.
	return y.SetMantExp(y, int(k)+scale)
}

// expm1Core returns e^x-1 at precision wp for finite x.
func expm1Core(x *big.Float, wp uint) *big.Float {
	if x.Sign() == 0 || x.MantExp(nil) <= 0 { // |x| < 1: no cancellation allowed
		return expm1Small(x, wp)
	}
	// |x| >= 1: e^x-1 is at least 1-1/e in magnitude, so subtracting 1 costs
	// at most two bits.
	y := expCore(x, wp, 0)
	return sub(y, y, bigOne)
}

// Exp returns e^x rounded to prec bits: +Inf above about 1.49e9 and +0 below
// about -1.49e9, where big.Float's exponent range ends.
func Exp(x *big.Float, prec uint) *big.Float {
	prec = fixPrec(prec)
	if x.IsInf() {
		if x.Sign() > 0 {
			return infFloat(prec, false)
		}
		return newFloat(prec)
	}
	return roundTo(expCore(x, workPrec(prec), 0), prec)
}

// Expm1 returns e^x-1 rounded to prec bits, with small relative error also for
// tiny |x| where computing e^x first would cancel. Expm1(-Inf) = -1.
func Expm1(x *big.Float, prec uint) *big.Float {
	prec = fixPrec(prec)
	if x.IsInf() {
		if x.Sign() > 0 {
			return infFloat(prec, false)
		}
		return intFloat(prec, -1)
	}
	return roundTo(expm1Core(x, workPrec(prec)), prec)
}

// log1pSmall returns log(1+t) for t in about [-0.3, 0.42] at precision wp with
// small relative error, by Halley's iteration on e^y = 1+t written in terms of
// expm1, y ← y + 2(t - E)/(2 + t + E) with E = e^y-1: t - E is small only
// because y is already close, so it carries no cancellation relative to y, and
// each step triples the number of correct bits. Early steps run at lower
// precision, so the whole costs about 1.3 expm1 evaluations at wp.
func log1pSmall(t *big.Float, wp uint) *big.Float {
	if t.Sign() == 0 || t.MantExp(nil) < -int(wp) {
		// log1p(t) = t(1 - t/2 + ...): t itself is within 2^-(wp+1).
		return roundTo(t, wp)
	}
	var y *big.Float
	acc := uint(50)
	if t.MantExp(nil) < -60 {
		// log1p(t) = t(1 - t/2 + ...), so t itself is good to 60 bits.
		y = newFloat(64).Set(t)
		acc = 60
	} else {
		tf, _ := t.Float64()
		y = newFloat(64).SetFloat64(math.Log1p(tf))
	}
	// A step at precision p yields min(p-6, 3·acc) good bits; plan backwards
	// from wp.
	steps := []uint{wp}
	for p := wp; p-6 > 3*acc; {
		p = (p-6+2)/3 + 6
		steps = append(steps, p)
	}
	for i := len(steps) - 1; i >= 0; i-- {
		p := steps[i]
		e := expm1Small(y, p)
		num := newFloat(p).Sub(t, e)
		den := newFloat(p).Add(e, t)
		den.Add(den, bigTwo)
		num.Quo(num, den)
		num.SetMantExp(num, 1)
		y = newFloat(p).Add(y, num)
	}
	return y
}

// logCore returns log(x) at precision wp for finite x > 0.
func logCore(x *big.Float, wp uint) *big.Float {
	m := new(big.Float)
	e := x.MantExp(m) // x = m·2^e, m in [0.5, 1)
	if m.Cmp(sqrtHlf) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	// m in [1/√2, √2): m-1 is exact at this precision, and keeping it exact is
	// what makes Log accurate for x just above or below 1.
	t := newFloat(m.MinPrec()+2).Sub(m, bigOne)
	if t.Prec() > wp {
		t = roundTo(t, wp)
	}
	y := log1pSmall(t, wp)
	if e == 0 {
		return y
	}
	// |e·ln2| >= ln2 > 2|log m|, so the sum cancels at most about two bits.
	lp := wp + uint(bits.Len64(uint64(max(e, -e)))) + 4
	l := intFloat(lp, int64(e))
	l.Mul(l, ln2.get(lp))
	return newFloat(wp).Add(l, y)
}

// Log returns the natural logarithm of x rounded to prec bits, with Log(±0) =
// -Inf and Log(+Inf) = +Inf. For x < 0 it returns nil, false (NaN).
func Log(x *big.Float, prec uint) (*big.Float, bool) {
	prec = fixPrec(prec)
	switch {
	case x.Sign() < 0:
		return nil, false
	case x.Sign() == 0:
		return infFloat(prec, true), true
	case x.IsInf():
		return infFloat(prec, false), true
	}
	return roundTo(logCore(x, workPrec(prec)), prec), true
}

// Log1p returns log(1+x) rounded to prec bits, with small relative error also
// for tiny |x|. Log1p(-1) = -Inf, Log1p(+Inf) = +Inf; for x < -1 it returns
// nil, false (NaN).
func Log1p(x *big.Float, prec uint) (*big.Float, bool) {
	prec = fixPrec(prec)
	if x.IsInf() {
		if x.Sign() > 0 {
			return infFloat(prec, false), true
		}
		return nil, false
	}
	switch c := x.Cmp(big.NewFloat(-1)); {
	case c < 0:
		return nil, false
	case c == 0:
		return infFloat(prec, true), true
	}
	if x.Sign() == 0 {
		return roundTo(x, prec), true
	}
	wp := workPrec(prec)
	if xf, _ := x.Float64(); xf > -0.29 && xf < 0.41 {
		return roundTo(log1pSmall(x, wp), prec), true
	}
	// Away from 0 the result is at least 0.34 in magnitude, so rounding 1+x to
	// wp bits only costs an absolute 2^-wp. (An exact 1+x would need about
	// 3000 bits for x = 2^3000.)
	u := add(newFloat(wp), x, bigOne)
	return roundTo(logCore(u, wp), prec), true
}

// Sqrt returns the square root of x rounded to prec bits, with Sqrt(±0) = ±0
// and Sqrt(+Inf) = +Inf. For x < 0 it returns nil, false (NaN).
func Sqrt(x *big.Float, prec uint) (*big.Float, bool) {
	prec = fixPrec(prec)
	switch {
	case x.Sign() < 0:
		return nil, false
	case x.Sign() == 0:
		return roundTo(x, prec), true
	case x.IsInf():
		return infFloat(prec, false), true
	}
	// big.Float.Sqrt does not promise correct rounding; 32 extra bits make a
	// misrounding after the second rounding astronomically unlikely.
	return roundTo(newFloat(prec+32).Sqrt(x), prec), true
}

// Tanh returns the hyperbolic tangent of x rounded to prec bits, accurate in
// relative terms also for tiny |x|; Tanh(±Inf) = ±1.
func Tanh(x *big.Float, prec uint) *big.Float {
	prec = fixPrec(prec)
	if x.Sign() == 0 {
		return roundTo(x, prec)
	}
	neg := x.Sign() < 0
	if x.IsInf() || tanhIsOne(x, prec) {
		r := intFloat(prec, 1)
		if neg {
			r.Neg(r)
		}
		return r
	}
	wp := workPrec(prec)
	// tanh|x| = E/(E+2) with E = e^{2|x|}-1: no cancellation for tiny |x|.
	a := new(big.Float).Abs(x)
	e := expm1Core(a.SetMantExp(a, 1), wp)
	d := add(newFloat(wp), e, bigTwo)
	r := newFloat(wp).Quo(e, d)
	if neg {
		r.Neg(r)
	}
	return roundTo(r, prec)
}

// tanhIsOne reports whether 1-tanh|x| = 2/(e^{2|x|}+1) < 2^-(prec+4), so that
// ±1 is within a sixteenth of an ulp of the true result.
func tanhIsOne(x *big.Float, prec uint) bool {
	if x.MantExp(nil) > 32 {
		return true
	}
	xf, _ := x.Float64()
	return math.Abs(xf) > float64(prec+6)*math.Ln2/2
}

// Cosh returns the hyperbolic cosine of x rounded to prec bits; Cosh(±Inf) =
// +Inf.
func Cosh(x *big.Float, prec uint) *big.Float {
	prec = fixPrec(prec)
	if x.IsInf() {
		return infFloat(prec, false)
	}
	wp := workPrec(prec)
	a := new(big.Float).Abs(x)
	// cosh a = e^a/2 + 1/(4·(e^a/2)), a sum of positive terms. Computing e^a/2
	// directly keeps the overflow threshold where cosh's own is.
	h := expCore(a, wp, -1)
	if h.IsInf() {
		return infFloat(prec, false)
	}
	q := scaled(h, wp, 2)
	q.Quo(bigOne, q)
	add(h, h, q)
	return roundTo(h, prec)
}

// Sinh returns the hyperbolic sine of x rounded to prec bits, accurate in
// relative terms also for tiny |x|; Sinh(±Inf) = ±Inf. (Not in the original
// list, but sinh is a formula primitive and eval.go needs it.)
func Sinh(x *big.Float, prec uint) *big.Float {
	prec = fixPrec(prec)
	if x.Sign() == 0 {
		return roundTo(x, prec)
	}
	if x.IsInf() {
		return infFloat(prec, x.Sign() < 0)
	}
	wp := workPrec(prec)
	a := new(big.Float).Abs(x)
	var r *big.Float
	if a.MantExp(nil) <= 0 {
		// |x| < 1: sinh a = (E + E/(E+1))/2 with E = e^a-1, all positive, so
		// tiny arguments keep their relative accuracy.
		e := expm1Small(a, wp)
		d := add(newFloat(wp), e, bigOne)
		d.Quo(e, d)
		r = d.Add(d, e)
		r.SetMantExp(r, -1)
	} else {
		// |x| >= 1: e^a/2 - 1/(4·(e^a/2)), where the subtrahend is below 7% of
		// the result, and e^a/2 overflows exactly where sinh does.
		r = expCore(a, wp, -1)
		if !r.IsInf() {
			q := scaled(r, wp, 2)
			q.Quo(bigOne, q)
			sub(r, r, q)
		}
	}
	if x.Sign() < 0 {
		r.Neg(r)
	}
	return roundTo(r, prec)
}
