package ref

import (
	"math"
	"math/big"
)

// erf and erfc use two methods, switching at |x| = erfSplit(wp):
//
//   - below it, the Taylor series erf(a) = 2a/√π Σ (-a²)^n/(n!(2n+1)), summed in
//     fixed point with enough extra bits for its cancellation (terms grow to
//     about e^{a²}) and, for erfc = 1-erf, for the cancellation of the
//     subtraction as well;
//   - above it, Laplace's continued fraction
//     erfc(a) = e^{-a²}/√π · 1/(a+ (1/2)/(a+ 1/(a+ (3/2)/(a+ ...)))),
//     which has positive elements only and so is accurate in relative terms
//     for arbitrarily small results.
//
// The series needs somewhat more than e·a² terms at a precision growing with
// a², the fraction about (wp/(5a))² terms, so the crossover grows like √wp;
// erfSplit's constant comes from timing both around the crossover.

// erfSplit returns the |x| at which erf and erfc switch from the Taylor series
// to the continued fraction at working precision wp.
func erfSplit(wp uint) float64 {
	return max(0.22*math.Sqrt(float64(wp)), 2)
}

// erfTaylor returns erf(a) for 0 < a <= erfSplit at precision p with relative
// error below about 2^(8-p).
func erfTaylor(a *big.Float, p uint) *big.Float {
	af, _ := a.Float64()
	// The largest term is about e^{a²}, the sum is erf(a)·√π/(2a) > 1/(2a), and
	// the truncation errors of up to a few thousand terms feed into it.
	f := p + uint(math.Ceil(af*af*math.Log2E)) + 20
	x2 := newFloat(f+8).Mul(a, a)
	x2i, _ := x2.SetMantExp(x2, int(f)).Int(nil)

	sum := new(big.Int).Lsh(big.NewInt(1), f)
	term := new(big.Int).Set(sum)
	tmp, d, q := new(big.Int), new(big.Int), new(big.Int)
	for n := int64(1); ; n++ {
		tmp.Mul(term, x2i)
		term.Rsh(tmp, f)
		term.Quo(term, d.SetInt64(n))
		if term.Sign() == 0 {
			break
		}
		q.Quo(term, d.SetInt64(2*n+1))
		if n%2 == 1 {
			sum.Sub(sum, q)
		} else {
			sum.Add(sum, q)
		}
	}
	r := newFloat(p).SetInt(sum)
	r.Mul(r, a)
	r.Mul(r, invSqrtPi.get(p))
	return r.SetMantExp(r, 1-int(f))
}

// erfcFrac returns erfc(a) for a >= erfSplit at precision wp with relative
// error below about 2^(20-wp), saturating to +0 below big.Float's range.
func erfcFrac(a *big.Float, wp uint) *big.Float {
	ea := a.MantExp(nil)
	// For a >= 2^16, e^{-a²} < 2^-(2^32) is far below big.Float's smallest value.
	if ea > 17 {
		return newFloat(wp)
	}
	// e^{-a²} has the relative error of a²'s absolute error, so a² needs the bits
	// of its integer part on top of wp.
	x2 := newFloat(wp+8+2*uint(max(ea, 0))).Mul(a, a)
	r := expCore(x2.Neg(x2), wp, 0)
	if r.Sign() == 0 {
		return r
	}
	r.Mul(r, erfcContFrac(a, wp))
	return r.Mul(r, invSqrtPi.get(wp))
}

// erfcContFrac returns K = √π e^{a²} erfc(a) = 1/(a+ (1/2)/(a+ 1/(a+ ...))) for
// 0 < a < 2^17 at precision wp.
//
// The length is fixed first from a float64 run of the fraction's denominator
// recurrence: the fraction has positive elements, so successive convergents f_n
// bracket K and |K - f_n| <= |f_n - f_{n-1}| = Π_{j<=n} a_j / (B_n B_{n-1}),
// where (after scaling every element by 2) a_1 = 2, a_j = 2(j-1), B_{-1} = 0,
// B_0 = 1, B_j = 2a·B_{j-1} + a_j B_{j-2}. Relative to K >= f_2 = 2a/(2a²+1) that
// gives a rigorous truncation bound; float64's rounding only blurs it by far
// less than the 4 bits of margin.
//
// The value is then f_{2m}, the m-th approximant of the even contraction
//
//	K ≈ 2a/(d_0 - c_1/(d_1 - c_2/(d_2 - ... - c_{m-1}/d_{m-1}))),
//	d_j = 2a² + 4j + 1, c_j = (2j-1)(2j).
//
// Rather than evaluating it from the tail with one (slow) division per term,
// write the tail t_j = c_j/(d_j - t_{j+1}) as c_j·u_{j+1}/u_j with the backward
// recurrence u_j = d_j u_{j+1} - c_{j+1} u_{j+2}, u_m = 1, u_{m+1} = 0; then
// K = 2a·u_1/u_0. The subtraction equals u_{j+1}(d_j - t_{j+1}) with t_{j+1}
// at most about half of d_j, so it cancels at most a bit or two and rounding
// errors only add up linearly in m (checked against the all-positive forward
// recurrence to full precision for m up to 50000). Only ratios of the u_j matter, so they are kept as
// integers of about wp+64 bits, shifted down together whenever they grow,
// with d_j in fixed point: big.Int operations on equal-sized operands are
// several times cheaper than big.Float additions of unaligned values.
func erfcContFrac(a *big.Float, wp uint) *big.Float {
	m := erfcFracLen(a, wp)
	f := wp + 16 // fraction bits of d_j
	x2 := newFloat(f+64).Mul(a, a)
	dj, _ := x2.SetMantExp(x2, int(f)+1).Int(nil) // 2a²·2^f
	four := new(big.Int).Lsh(big.NewInt(4), f)
	dj.Add(dj, new(big.Int).Lsh(big.NewInt(4*m+1), f)) // d_m·2^f; d_{m-1} after the first step
	keep := int(wp) + 64
	u0, u1, u2 := new(big.Int), new(big.Int).Lsh(big.NewInt(1), uint(keep)), new(big.Int)
	tmp, c := new(big.Int), new(big.Int)
	for j := m - 1; j >= 0; j-- {
		dj.Sub(dj, four)
		tmp.Mul(dj, u1)
		u0.Rsh(tmp, f)
		tmp.Mul(u2, c.SetInt64((2*j+1)*(2*j+2)))
		u0.Sub(u0, tmp)
		u0, u1, u2 = u2, u0, u1
		if sh := u1.BitLen() - keep; sh > 64 {
			u1.Rsh(u1, uint(sh))
			u2.Rsh(u2, uint(sh))
		}
	}
	// Now u1 = u_0 and u2 = u_1.
	r := scaled(a, wp, 1)
	r.Mul(r, newFloat(wp).SetInt(u2))
	return r.Quo(r, newFloat(wp).SetInt(u1))
}

// erfcFracLen returns the number m of contracted terms erfcContFrac needs for a
// relative truncation error below 2^-(wp+4). It follows the ratio
// r_n = Π_{j<=n} a_j / (B_n B_{n-1}) through q_n = B_{n-1}/B_n = 1/(2a + a_n q_{n-1})
// and r_n = r_{n-1}·a_n·q_{n-1}·q_n, rescaling r to stay inside float64's range.
func erfcFracLen(a *big.Float, wp uint) int64 {
	af, _ := a.Float64()
	b := 2 * af
	// Stop when r_n < 2^-(wp+4)·f_2 with f_2 = 2a/(2a²+1) <= K, halved for margin.
	limit := b / (b*af + 1) / 2
	limitExp := -int(wp + 4)
	r, q := 2/b, 1/b // n = 1: a_1 = 2, B_1 = 2a, B_0 = 1
	rExp := 0        // r_n = r·2^rExp
	for n := int64(2); ; n++ {
		an := 2 * float64(n-1)
		qn := 1 / (b + an*q)
		r *= an * q * qn
		q = qn
		if r < 0x1p-500 {
			r *= 0x1p500
			rExp -= 500
		}
		if n%2 == 0 && rExp <= limitExp+600 {
			if math.Ldexp(r, rExp-limitExp) < limit {
				return n / 2
			}
		}
	}
}

// erfPos returns erf(a) for finite a > 0 at precision wp.
func erfPos(a *big.Float, wp uint) *big.Float {
	if a.MantExp(nil) > 12 {
		return intFloat(wp, 1)
	}
	af, _ := a.Float64()
	// erfc(a) < e^{-a²}: below 2^-(wp+8), 1 is as good as anything we could compute.
	if af*af > float64(wp+8)*math.Ln2 {
		return intFloat(wp, 1)
	}
	if af < erfSplit(wp) {
		return erfTaylor(a, wp)
	}
	// erfc(a) < 2^-(a²·log2 e), so only that many fewer bits of it reach 1-erfc.
	cp := max(int(wp)-int(af*af*math.Log2E), 64)
	c := erfcFrac(a, uint(cp))
	return sub(newFloat(wp), bigOne, c)
}

// Erf returns the error function of x rounded to prec bits, accurate in
// relative terms also for tiny |x| (erf x ≈ 2x/√π); Erf(±Inf) = ±1.
func Erf(x *big.Float, prec uint) *big.Float {
	prec = fixPrec(prec)
	if x.Sign() == 0 {
		return roundTo(x, prec)
	}
	var r *big.Float
	if x.IsInf() {
		r = intFloat(prec, 1)
	} else {
		r = erfPos(new(big.Float).Abs(x), workPrec(prec))
	}
	if x.Sign() < 0 {
		r.Neg(r)
	}
	return roundTo(r, prec)
}

// Erfc returns the complementary error function 1-erf(x) rounded to prec bits,
// accurate in relative terms for large positive x, where the result is tiny
// (erfc(27) ≈ 5e-319, and far smaller values are representable by big.Float);
// Erfc(+Inf) = +0, Erfc(-Inf) = 2, and +0 where the result is below big.Float's
// range (x above about 38600).
func Erfc(x *big.Float, prec uint) *big.Float {
	prec = fixPrec(prec)
	switch {
	case x.IsInf() && x.Sign() > 0:
		return newFloat(prec)
	case x.IsInf():
		return intFloat(prec, 2)
	case x.Sign() == 0:
		return intFloat(prec, 1)
	}
	wp := workPrec(prec)
	if x.Sign() < 0 {
		// 1 + erf|x| lies in (1, 2): no cancellation.
		r := erfPos(new(big.Float).Abs(x), wp)
		return roundTo(add(r, r, bigOne), prec)
	}
	xf, _ := x.Float64()
	if xf >= erfSplit(wp) {
		return roundTo(erfcFrac(x, wp), prec)
	}
	// erfc(x) > 2/√π·e^{-x²}/(x+√(x²+2)) > e^{-x²}/(2x+2), so 1-erf loses at
	// most this many bits.
	cancel := uint(math.Ceil(xf*xf*math.Log2E+math.Log2(2*xf+2))) + 1
	r := erfTaylor(x, wp+cancel)
	return roundTo(sub(r, bigOne, r), prec)
}
