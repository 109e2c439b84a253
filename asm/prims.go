package asm

import (
	"math"
	"math/big"

	"github.com/actgen/actgen/ref"
)

// none marks an absent low part of a two-float value.
const none value = -1

// pair is an unevaluated sum hi + lo of two lane values; lo may be none.
type pair struct{ hi, lo value }

// fp describes the binary format of the lane type.
type fp struct {
	mant  int     // explicit mantissa bits
	bias  int64   // exponent bias
	magic float64 // 1.5·2^mant: adding it rounds to an integer held in the low bits
	one   uint64  // bits of 1.0
	// expLo, expHi clamp exp's argument: below expLo the result rounds to 0,
	// above expHi it overflows.
	expLo, expHi float64
	// expNormLo bounds where exp's one-step form works: above it, 2^(n-1) is
	// a normal number, so guardLo, below which the fast program hands
	// vectors to the exact one, must lie above it.
	expNormLo float64
	// expm1Lo is where expm1 rounds to -1.
	expm1Lo float64
	// tanhMax is where tanh rounds to 1: 1 - tanh(u) ≈ 2e^-2u is below a
	// quarter ulp of 1 beyond it, and h+1 rounds to h in tanh, which then
	// gives exactly 1.
	tanhMax float64
	erfcMax float64
}

func (w Width) fp() fp {
	if w == F32 {
		return fp{mant: 23, bias: 127, magic: 0x1.8p23, one: 0x3f800000,
			expLo: -104, expHi: 89, expNormLo: -86.9, expm1Lo: -30, tanhMax: 9.1, erfcMax: erfcMaxF32}
	}
	return fp{mant: 52, bias: 1023, magic: 0x1.8p52, one: 0x3ff0000000000000,
		expLo: -746, expHi: 710, expNormLo: -708, expm1Lo: -40, tanhMax: 19.1, erfcMax: erfcMaxF64}
}

// fp is the format of p's lanes, with erfc's bound of a wide program.
func (p *Prog) fp() fp {
	f := p.W.fp()
	if p.wide {
		f.erfcMax = erfcMaxWide
	}
	return f
}

// coeffs returns the fitted coefficients of the named core for p.
func (p *Prog) coeffs(name string) ([]float64, error) { return coeffs(p.W, p.wide, name) }

// ln2 returns ln 2 rounded to w and the rounded remainder (from math/big:
// the float64 constant has no remainder to give).
func (w Width) ln2() (hi, lo float64) {
	l := ref.Ln2(256)
	h, _ := l.Float64()
	if w == F32 {
		f, _ := l.Float32()
		h = float64(f)
	}
	rest, _ := new(big.Float).Sub(l, big.NewFloat(h)).Float64()
	return h, w.round(rest)
}

// estrin evaluates Σ c[i]·t^i in a tree of FMAs on t, t², t⁴...: a few more
// operations than Horner but about log2(n) of them in a row instead of n,
// which is what a kernel limited by its dependency chains needs.
func (p *Prog) estrin(c []float64, t value) value {
	if len(c) <= 3 || !p.useEstrin {
		return p.horner(c, t)
	}
	var terms []value
	for i := 0; i < len(c); i += 2 {
		if i+1 < len(c) {
			terms = append(terms, p.fma(p.c(c[i+1]), t, p.c(c[i])))
		} else {
			terms = append(terms, p.c(c[i]))
		}
	}
	pw := p.mul(t, t)
	for len(terms) > 1 {
		var next []value
		for i := 0; i < len(terms); i += 2 {
			if i+1 < len(terms) {
				next = append(next, p.fma(terms[i+1], pw, terms[i]))
			} else {
				next = append(next, terms[i])
			}
		}
		terms = next
		if len(terms) > 1 {
			pw = p.mul(pw, pw)
		}
	}
	return terms[0]
}

// horner evaluates Σ c[i]·t^i with one FMA per coefficient.
func (p *Prog) horner(c []float64, t value) value {
	acc := p.c(c[len(c)-1])
	for i := len(c) - 2; i >= 0; i-- {
		acc = p.fma(acc, t, p.c(c[i]))
	}
	return acc
}

// expMagic is added to n·log2(e) to round it to an integer n held in the
// low mantissa bits, biased so that those bits are the exponent field of
// 2^(n-1): 1.5·2^mant rounds, bias-1 biases.
func (f fp) expMagic() float64 { return f.magic + float64(f.bias-1) }

// pow2 returns 2^(n-1) from t = n + expMagic, n an integer with 2^(n-1)
// normal: shifting the low bits into the exponent field is all it takes
// (the bits of 1.5·2^mant above them fall off).
func (p *Prog) pow2(t value) value {
	return p.ishl(t, p.fp().mant)
}

// reduce splits the clamped argument hi + lo of exp as n·ln2 + r with n an
// integer and |r| ≤ ln2/2 (plus the rounding of hi + lo); t is n + expMagic.
// nonPositive says hi + lo ≤ 0 (up to lo's rounding), so that no clamp
// against overflow is needed.
// A NaN clampLo leaves the argument unclamped below (lanes the fast program
// flags).
func (p *Prog) reduce(hi, lo value, clampLo, clampHi float64, nonPositive bool) (t, n, r value) {
	f := p.fp()
	hc := hi
	if !math.IsNaN(clampLo) {
		hc = p.max(hi, p.c(clampLo))
	}
	if !nonPositive {
		hc = p.min(hc, p.c(clampHi))
	}
	s := hc
	if lo != none {
		if hc != hi {
			// A clamped (or NaN) hi makes lo meaningless: drop it, or a
			// huge or NaN lo would undo the clamp.
			lo = p.and(lo, p.cmp(cmpEQ, hc, hi))
		}
		s = p.addv(hc, lo)
	}
	t = p.fma(s, p.c(math.Log2E), p.c(f.expMagic()))
	n = p.sub(t, p.c(f.expMagic()))
	ln2hi, ln2lo := p.W.ln2()
	r = p.fnma(n, p.c(ln2hi), hc) // exact: r is a small multiple of ulp(ln2hi)
	if lo != none {
		r = p.addv(r, lo)
	}
	r = p.fnma(n, p.c(ln2lo), r)
	return t, n, r
}

// exp returns e^(hi+lo) as 2^n·e^r.
//
// Its callers' results depend on the exact value of a tiny e^(hi+lo)
// (σ(u) = z/(1+z) ≈ z for u ≪ 0), so subnormal results must come out right,
// and 2^n, which leaves the normal range, is applied in two steps
// 2^n1·2^(n-n1), n1 = n/2 rounded: five more instructions on every lane.
// The fast program of a kernel (p.fast) applies 2^n in one step instead and
// adds the lanes whose argument is below guardLo to p.flags: such vectors go
// to the exact program.
func (p *Prog) exp(a pair, nonPositive bool) (value, error) {
	e, err := p.expPair(a, nonPositive)
	return e.hi, err
}

// expPair returns e^(hi+lo) as exp does and, as lo, the rounding of the
// polynomial's last FMA, k + r·P(r) with k = 2 or 4, found with a second FMA
// (k - e is exact, e lying within [k/2, 2k]): where a formula goes on in two
// floats (see lowerer.timesQuotient), the exp's rounding is no longer its
// largest error. The lo of a result the fast program scales to a subnormal
// is not exact, nor needed: such lanes are flagged.
func (p *Prog) expPair(a pair, nonPositive bool) (pair, error) {
	q, err := p.coeffs("expq")
	if err != nil {
		return pair{}, err
	}
	f := p.fp()
	if p.fast {
		// The lanes below guardLo are dropped, so no lower clamp is needed.
		p.flagOnce(p.less(a.hi, p.c(guardLo(p.W))))
		p.guarded = true
		// 2·e^r·2^(n-1): the polynomial scaled by 2 (exactly) keeps 2^(n-1)
		// finite up to the overflow threshold.
		t, _, r := p.reduce(a.hi, a.lo, math.NaN(), f.expHi, nonPositive)
		poly := p.estrin(scaled(q, 2), r)
		e := p.fma(r, poly, p.c(2))
		hi := p.mul(e, p.pow2(t))
		lo := p.fma(r, poly, p.sub(p.c(2), e))
		return pair{hi, p.mul(lo, p.pow2(t))}, nil
	}
	t, n, r := p.reduce(a.hi, a.lo, f.expLo, f.expHi, nonPositive)
	// 4·e^r·2^(n1-1)·2^(n-n1-1), the halves computed in expMagic form.
	poly := p.estrin(scaled(q, 4), r)
	e := p.fma(r, poly, p.c(4))
	t1 := p.fma(n, p.c(0.5), p.c(f.expMagic()))   // n1 + expMagic
	t2 := p.addv(p.sub(t, t1), p.c(f.expMagic())) // (n - n1) + expMagic, exactly
	hi := p.mul(p.mul(e, p.pow2(t1)), p.pow2(t2))
	lo := p.fma(r, poly, p.sub(p.c(4), e))
	return pair{hi, p.mul(p.mul(lo, p.pow2(t1)), p.pow2(t2))}, nil
}

// scaled returns c·k for a power of two k: the polynomial scaled exactly.
func scaled(c []float64, k float64) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = v * k
	}
	return out
}

// guardLo is the exp argument below which the fast program hands a vector to
// the exact one: e^guardLo is 2^3 above subnormalGuard, so no tiny maker
// (σ ≥ z/2, erfc ≥ e^(...)·2/(2+erfcMax)) of a vector the fast program
// keeps falls below subnormalGuard, and its results need no tiny check.
func guardLo(w Width) float64 {
	return math.Log(subnormalGuard(w)) + 3
}

// expm1 returns e^(hi+lo) - 1 as twice expm1Half, with its sign (which also
// keeps expm1(-0) = -0).
func (p *Prog) expm1(a pair) (value, error) {
	f := p.fp()
	h, err := p.expm1Half(a, f.expm1Lo, f.expHi)
	if err != nil {
		return none, err
	}
	return p.or(p.mul(h, p.c(2)), p.signOf(a.hi)), nil
}

// expm1Half returns (e^(hi+lo) - 1)/2 as s·expm1(r) + (s - 1/2) with
// s = 2^(n-1), for the argument clamped to [clampLo, clampHi] (a NaN clampLo
// leaves it unclamped below): one rounding in the FMA, and s stays finite up
// to the overflow threshold. expm1(r) = r + r²·expm1q(r) keeps its leading
// term exact, so its rounding is that of one FMA.
func (p *Prog) expm1Half(a pair, clampLo, clampHi float64) (value, error) {
	q, err := p.coeffs("expm1q")
	if err != nil {
		return none, err
	}
	t, _, r := p.reduce(a.hi, a.lo, clampLo, clampHi, false)
	em1 := p.fma(p.mul(r, r), p.estrin(q, r), r)
	s := p.pow2(t)
	return p.fma(s, em1, p.sub(s, p.c(0.5))), nil
}

// logistic returns 1/(1+e^-u) for u = ±(hi+lo): with z = e^-|u| ≤ 1 it is
// 1/(1+z) or z/(1+z), neither of which cancels.
func (p *Prog) logistic(a pair, negate bool, d divider) (value, error) {
	lo := none
	if a.lo != none {
		// -|u| = -sign(hi)·(hi + lo)
		lo = p.xor(p.neg(a.lo), p.signOf(a.hi))
	}
	z, err := p.exp(pair{p.or(a.hi, p.signMask()), lo}, true)
	if err != nil {
		return none, err
	}
	num := p.blend(a.hi, z, p.c(1)) // hi < 0: σ(u) = z/(1+z)
	if negate {
		num = p.blend(a.hi, p.c(1), z)
	}
	return d(p, num, p.addv(z, p.c(1))), nil
}

// scaledLogistic returns y·σ(u) for u = ±(hi+lo) as y/(1+e^-u). y times
// logistic's z/(1+z), z = e^-|u|, rounds once more, in the product: that
// took silu to 3 ulps, and a float32 simulation of this form (every 7th
// float32 in [-80, 20], with the kernel's exp) found 2. e^-u grows without
// bound as u falls, so below guardLo, where 1+e^u rounds to 1, y·σ(u) is
// y·e^u instead: the exact program blends the exp's argument, and one exp
// serves both. The fast program flags those lanes instead (σ could need the
// subnormal range, as with logistic's exp): above guardLo the two programs
// compute alike, so a result does not depend on the path its vector took.
//
// tiny, from the exact program, is e^u where the result is y·e^u and 1
// elsewhere (σ ≥ e^guardLo/2 there): a value that leaves the normal range
// where σ does, for the tiny check.
func (p *Prog) scaledLogistic(y value, a pair, negate bool, d divider) (v, tiny value, err error) {
	u, nu := a, pair{p.neg(a.hi), none}
	if a.lo != none {
		nu.lo = p.neg(a.lo)
	}
	if negate {
		u, nu = nu, u
	}
	if p.fast {
		p.flag(p.less(u.hi, p.c(guardLo(p.W))))
		w, err := p.exp(nu, true) // -u ≤ -guardLo for the lanes kept: no overflow
		if err != nil {
			return none, none, err
		}
		return p.divOnePlus(y, w, d, u.lo != none), none, nil
	}
	tail := p.less(u.hi, p.c(guardLo(p.W)))
	arg := pair{p.blend(tail, u.hi, nu.hi), none}
	if u.lo != none {
		arg.lo = p.blend(tail, u.lo, nu.lo)
	}
	w, err := p.exp(arg, false)
	if err != nil {
		return none, none, err
	}
	return p.blend(tail, p.mul(y, w), p.divOnePlus(y, w, d, u.lo != none)), p.blend(tail, w, p.c(1)), nil
}

// divOnePlus returns y/(1+w), with the rounding of 1+w taken back where
// correct is set (float32 only): 1+w = den + e exactly (Fast2Sum on
// max(w,1) and min(w,1)), so the quotient is q·(1 - e/den) to first order,
// with 1/den from VRCPPS (12 bits suffice for a correction below an ulp).
// In a float32 simulation of gelu_tanh's fast program this took the
// exhaustive sweep's worst input, x = -4.9983277, from 3 ulps to 2.
//
// scaledLogistic asks for it where u is two floats: such an argument
// carries an error of its own (gelu_tanh's u = 2v), which leaves less room
// for this rounding. silu (u = x, exact) reaches 2 ulps without it, and
// with it lost its lockstep fitting and took 33% longer (benchstat,
// avx2-u32, n=4096).
func (p *Prog) divOnePlus(y, w value, d divider, correct bool) value {
	one := p.c(1)
	den := p.addv(w, one)
	q := d(p, y, den)
	if p.W != F32 || !correct {
		return q
	}
	e := p.addv(p.sub(p.max(w, one), den), p.min(w, one))
	return p.fnma(q, p.mul(e, p.rcp(den)), q)
}

// productQuotient returns m/c, m = a·b the rounded product (opMul), to
// within about the quotient's last rounding (float32 only): the product's
// rounding (FMA) is its low part for pairQuotient. gelu_tanh′'s z·N/D: 5
// ULPs on 4 inputs without.
func (p *Prog) productQuotient(m, c value, d divider) value {
	in := p.insts[m]
	return p.pairQuotient(pair{m, p.fms(in.args[0], in.args[1], m)}, c, d)
}

// pairQuotient returns (num.hi + num.lo)/b rounded about once (float32
// only): q0 = num.hi/b, plus the remainder num.hi - q0·b (exact with an FMA)
// and num.lo, divided by b with VRCPPS. twoDiv keeps the quotient as two
// floats at the cost of a second division.
func (p *Prog) pairQuotient(num pair, b value, d divider) value {
	q := d(p, num.hi, b)
	r := p.fnma(q, b, num.hi)
	if num.lo != none {
		r = p.addv(r, num.lo)
	}
	return p.fma(r, p.rcp(b), q)
}

// tanh returns sign(u)·h/(1+h) with h = expm1(2|u|)/2, one exp and one
// division for every u (the odd polynomial for small |u| and 1 - 2z/(1+z),
// z = e^-2|u|, for the rest cost two branches and a blend). Neither h nor
// 1+h cancels, but each rounding of a value near 1 would cost up to an ulp
// of a result half its size, so h comes from expm1Half, whose leading term is
// exact, and the rounding e of 1+h, found exactly with
// Fast2Sum, is taken back to first order: h/(1+h) = q0 - e·q0·(1-q0) with
// q0 = h/fl(1+h). Beyond tanhMax the result is 1, which the clamp of the exp
// argument yields.
func (p *Prog) tanh(u value, d divider) (value, error) {
	a := p.abs(u)
	h, err := p.expm1Half(pair{p.addv(a, a), none}, math.NaN(), 2*p.fp().tanhMax)
	if err != nil {
		return none, err
	}
	one := p.c(1)
	den := p.addv(h, one)
	e := p.addv(p.sub(p.max(h, one), den), p.min(h, one))
	q0 := d(p, h, den)
	res := p.fnma(e, p.fnma(q0, q0, q0), q0)
	return p.or(res, p.signOf(u)), nil
}

// log1p returns log(1+v) (or log(v) when plus1 is false): u = 1+v is split
// into 2^k·m with m ∈ [√½, √2), log(m) is a polynomial in f = m-1, and the
// rounding of 1+v is added back as (v - (u-1))/u. checks adds the IEEE special
// cases (+Inf, 0, negative), which callers omit when v is known to lie in
// [0, 1]; log1p of such a v is unitLog1p.
func (p *Prog) log1p(v value, plus1, checks bool, d divider) (value, error) {
	if plus1 && !checks {
		return p.unitLog1p(v)
	}
	q, err := p.coeffs("log1pq")
	if err != nil {
		return none, err
	}
	fm := p.fp()
	u, corr := v, none
	if plus1 {
		u = p.addv(v, p.c(1))
		corr = d(p, p.sub(v, p.sub(u, p.c(1))), u)
	}
	var sqrtHalf, mantMask uint64
	if p.W == F32 {
		sqrtHalf, mantMask = uint64(math.Float32bits(float32(math.Sqrt(0.5)))), 1<<23-1
	} else {
		sqrtHalf, mantMask = math.Float64bits(math.Sqrt(0.5)), 1<<52-1
	}
	ui := p.iadd(u, p.bits(fm.one-sqrtHalf))
	// k + bias sits in the exponent field of ui; converting it through the
	// magic constant needs no int→float instruction (AVX2 has none for int64).
	kf := p.sub(p.iadd(p.ishr(ui, fm.mant), p.bits(floatBits(p.W, fm.magic))), p.c(fm.magic+float64(fm.bias)))
	m := p.iadd(p.and(ui, p.bits(mantMask)), p.bits(sqrtHalf))
	f := p.sub(m, p.c(1))
	r := p.fma(p.mul(f, f), p.estrin(q, f), f)
	ln2hi, ln2lo := p.W.ln2()
	t := p.mul(kf, p.c(ln2lo))
	if corr != none {
		t = p.fma(kf, p.c(ln2lo), corr)
	}
	res := p.fma(kf, p.c(ln2hi), p.addv(t, r))
	if checks {
		res = p.blend(p.cmp(cmpEQ, u, p.c(math.Inf(1))), u, res)
		res = p.blend(p.cmp(cmpEQ, u, p.c(0)), p.c(math.Inf(-1)), res)
		res = p.blend(p.less(u, p.c(0)), p.c(math.NaN()), res)
	}
	return res, nil
}

// unitLog1p returns log(1+v) for v ∈ [0, 1] (softplus's log1p(e^-|u|)) as
// k·ln2 + log1p(f), where k = 1 and f = (v-1)/2 for v ≥ 1/2, k = 0 and f = v
// below. Both f are exact (v-1 by Sterbenz's lemma), so unlike log1p there
// is no rounding of 1+v to add back, and no division; the polynomial
// (log1pu) covers f ∈ [-1/4, 1/2).
func (p *Prog) unitLog1p(v value) (value, error) {
	q, err := p.coeffs("log1pu")
	if err != nil {
		return none, err
	}
	upper := p.cmp(cmpGE, v, p.c(0.5))
	f := p.blend(upper, p.fma(v, p.c(0.5), p.c(-0.5)), v)
	k := p.and(upper, p.c(1))
	r := p.fma(p.mul(f, f), p.estrin(q, f), f)
	ln2hi, ln2lo := p.W.ln2()
	return p.fma(k, p.c(ln2hi), p.fma(k, p.c(ln2lo), r)), nil
}

// erfc returns erfc(hi+lo). Below |u| = erfSmall it is 1 - u·P(u²), one
// FMA from a fitted erf(u)/u (erfs). Beyond, for a = |u|,
// erfc(a) = t·exp(-a² + q(t)) with t = 2/(2+a) and q fitted (erfcq); a² is
// carried exactly as two floats. For u < 0, erfc(u) = 2 - erfc(a) ∈ [1, 2].
func (p *Prog) erfc(a pair) (value, error) {
	q, err := p.coeffs("erfcq")
	if err != nil {
		return none, err
	}
	es, err := p.coeffs("erfs")
	if err != nil {
		return none, err
	}
	fm := p.fp()
	abs := p.min(p.abs(a.hi), p.c(fm.erfcMax))
	t := p.div(p.c(2), p.addv(abs, p.c(2)))
	// q is fitted in v = (t - mid)/half ∈ [-1, 1]
	mid, half := centre(2/(2+fm.erfcMax), 1)
	v := p.fma(t, p.c(1/half), p.c(-mid/half))
	a2 := p.mul(abs, abs)
	// a² rounded, taken back except in a wide program, where it is 2^-45 at
	// most below erfcMaxWide, far below 2^-30
	a2lo := none
	if !p.wide {
		a2lo = p.fms(abs, abs, a2)
		if a.lo != none {
			// the low part belongs to |u| only where |u| was not clamped
			alo := p.and(p.xor(a.lo, p.signOf(a.hi)), p.cmp(cmpLE, p.abs(a.hi), p.c(fm.erfcMax)))
			a2lo = p.fma(p.mul(abs, p.c(2)), alo, a2lo)
		}
	}
	lo := p.estrin(q, v)
	if a2lo != none {
		lo = p.sub(lo, a2lo)
	}
	e, err := p.exp(pair{p.neg(a2), lo}, true)
	if err != nil {
		return none, err
	}
	tail := p.blend(a.hi, p.fnma(t, e, p.c(2)), p.mul(t, e))
	if p.wide {
		// t·exp(...) is within 2^-30 of erfc for small |u| too: a
		// float32 result needs no erf(u)/u
		return tail, nil
	}
	poly := p.estrin(es, a2)
	small := p.fnma(a.hi, poly, p.c(1))
	if a.lo != none {
		small = p.fnma(a.lo, poly, small)
	}
	return p.blend(p.less(p.abs(a.hi), p.c(erfSmall)), small, tail), nil
}

// divider lowers a/b: one division, or a reciprocal estimate refined by Newton.
type divider func(p *Prog, a, b value) value

func divide(p *Prog, a, b value) value { return p.div(a, b) }

// reciprocalNewton refines VRCPPS (12 bits) with one Newton step for 1/b,
// then corrects the quotient with its exact residual a - b·q (FMA).
func reciprocalNewton(p *Prog, a, b value) value {
	if p.W != F32 {
		return p.div(a, b)
	}
	r0 := p.rcp(b)
	r1 := p.fma(p.fnma(b, r0, p.c(1)), r0, r0)
	q0 := p.mul(a, r1)
	return p.fma(p.fnma(b, q0, a), r1, q0)
}

func floatBits(w Width, v float64) uint64 {
	if w == F32 {
		return uint64(math.Float32bits(float32(v)))
	}
	return math.Float64bits(v)
}
