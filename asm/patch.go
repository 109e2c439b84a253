package asm

import (
	"math"
	"math/big"

	"github.com/actgen/actgen/kernel"
)

// patchPrec is the precision of the exact steps from a patch's Chebyshev
// series to the rounded coefficients the program uses.
const patchPrec = 256

// patchPoly is the polynomial a patch evaluates: P(t) = Σ coeffs[j]·v^j with
// v = x - center, so that f'(x) = t·P(t), t = x - x0 (see kernel.Patch).
type patchPoly struct {
	// center is a width-w number, so that x - center rounds once, or NaN
	// for the root itself: v is then t.
	center float64
	coeffs []float64 // rounded to the width
}

// patchPolynomial converts a patch's Chebyshev series into monomials about
// the center that keeps Horner's scheme best conditioned, after dropping the
// terms below the lane precision: Horner needs one FMA per coefficient where
// Clenshaw needs two.
//
// Expanded about the root itself, P falls from P(0) to a sixth of it at one
// end of the patch while its terms do not (gelu′: Σ|m_j·t^j| is 9·|P(t)| at
// t = -Radius). Every rounding of a coefficient or of a Horner step then
// counts nine times over there: float32 gelu_tanh′ reached 6 ULPs at the
// left end. The center is chosen among the points Radius/8 apart by the
// error bound of Horner's scheme relative to P, (Σ|d_j·v^j| + |v·P'(v)|) /
// |P(v)|, whose second term is the rounding of v = x - center; a center near
// where P is smallest wins, as P's terms then add up rather than cancel.
// The root stays the center where its bound is at most rootBoundMax.
func patchPolynomial(pt kernel.Patch, w Width) patchPoly {
	return patchPolynomialCut(pt, w, false)
}

// patchPolynomialCut is patchPolynomial, of a wide program (see polys)
// with wide.
func patchPolynomialCut(pt kernel.Patch, w Width, wide bool) patchPoly {
	cut := 0x1p-28
	switch {
	case wide:
		cut = 0x1p-40
	case w == F64:
		cut = 0x1p-57
	}
	c := pt.Coeffs
	for len(c) > 1 && math.Abs(c[len(c)-1]) < cut*math.Abs(c[0]) {
		c = c[:len(c)-1]
	}
	mono := chebyshevMonomials(c, pt.Radius)
	x0 := new(big.Float).SetPrec(patchPrec).SetFloat64(pt.X0Hi)
	x0.Add(x0, big.NewFloat(pt.X0Lo))
	best, bestBound := patchPoly{}, math.Inf(1)
	// Candidates from the root outwards, so that ties keep the center
	// nearest to it.
	for _, k := range []int{0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6, -7, 7, -8, 8} {
		center := w.round(pt.X0Hi + float64(k)*pt.Radius/8)
		s := new(big.Float).SetPrec(patchPrec).SetFloat64(center)
		s.Sub(s, x0) // t = v + s exactly
		if k == 0 {
			center, s = math.NaN(), new(big.Float)
		}
		d := taylorShift(mono, s)
		sf, _ := s.Float64()
		if b := hornerBound(d, -pt.Radius-sf, pt.Radius-sf); b < bestBound {
			rounded := make([]float64, len(d))
			for j, dj := range d {
				v, _ := dj.Float64()
				rounded[j] = w.round(v)
			}
			best, bestBound = patchPoly{center: center, coeffs: rounded}, b
		}
		if k == 0 && bestBound <= rootBoundMax {
			break
		}
	}
	return best
}

// rootBoundMax is the Horner bound (in roundings) up to which a patch stays
// expanded about its root, where v is t: another center costs a subtraction
// and a register live across Horner's chain per vector (A/B: mish′ took
// 8–20% longer, gelu′ 8%). About their roots silu′ and mish′ are bounded by 4.1 and 5.0,
// within their budgets; gelu′ and gelu_tanh′ by 9.
const rootBoundMax = 6

// chebyshevMonomials returns Σ c_k·T_k(t/radius) as monomials in t.
func chebyshevMonomials(c []float64, radius float64) []*big.Float {
	n := len(c)
	mono := make([]*big.Float, n)
	for i := range mono {
		mono[i] = new(big.Float).SetPrec(patchPrec)
	}
	add := func(t []*big.Float, ck float64) {
		for j, a := range t {
			mono[j].Add(mono[j], new(big.Float).SetPrec(patchPrec).Mul(a, big.NewFloat(ck)))
		}
	}
	// T_0 = 1, T_1 = u, T_k = 2u·T_{k-1} - T_{k-2}.
	prev2 := []*big.Float{big.NewFloat(1).SetPrec(patchPrec)}
	prev1 := []*big.Float{new(big.Float).SetPrec(patchPrec), big.NewFloat(1).SetPrec(patchPrec)}
	add(prev2, c[0])
	if n > 1 {
		add(prev1, c[1])
	}
	for k := 2; k < n; k++ {
		cur := make([]*big.Float, k+1)
		for j := range cur {
			cur[j] = new(big.Float).SetPrec(patchPrec)
			if j > 0 && j-1 < len(prev1) {
				cur[j].Add(cur[j], new(big.Float).SetPrec(patchPrec).Mul(prev1[j-1], big.NewFloat(2)))
			}
			if j < len(prev2) {
				cur[j].Sub(cur[j], prev2[j])
			}
		}
		add(cur, c[k])
		prev2, prev1 = prev1, cur
	}
	inv := new(big.Float).SetPrec(patchPrec).Quo(big.NewFloat(1), big.NewFloat(radius))
	scale := big.NewFloat(1).SetPrec(patchPrec)
	for _, m := range mono {
		m.Mul(m, scale)
		scale.Mul(scale, inv)
	}
	return mono
}

// taylorShift returns d with Σ m_j·t^j = Σ d_j·v^j where t = v + s.
func taylorShift(m []*big.Float, s *big.Float) []*big.Float {
	d := make([]*big.Float, len(m))
	for j, mj := range m {
		d[j] = new(big.Float).SetPrec(patchPrec).Set(mj)
	}
	for i := 0; i < len(d)-1; i++ {
		for j := len(d) - 2; j >= i; j-- {
			d[j].Add(d[j], new(big.Float).SetPrec(patchPrec).Mul(s, d[j+1]))
		}
	}
	return d
}

// hornerBound returns the largest over [lo, hi] of the bound on Horner's
// error relative to P, in units of the rounding of one operation, counting
// the rounding of v itself (see patchPolynomial).
func hornerBound(d []*big.Float, lo, hi float64) float64 {
	df := make([]float64, len(d))
	for j, dj := range d {
		df[j], _ = dj.Float64()
	}
	const samples = 256
	worst := 0.0
	for i := 0; i <= samples; i++ {
		v := lo + (hi-lo)*float64(i)/samples
		p, dp, abs := 0.0, 0.0, 0.0
		for j := len(df) - 1; j >= 0; j-- {
			dp = dp*v + p
			p = p*v + df[j]
			abs = abs*math.Abs(v) + math.Abs(df[j])
		}
		worst = math.Max(worst, (abs+math.Abs(v*dp))/math.Abs(p))
	}
	return worst
}

// patch returns f'(x) near a root x0 as t·P(t), t = (x - x0): the root is
// factored out, so nothing cancels (see kernel.Patch).
func (p *Prog) patch(pt kernel.Patch, general value) value {
	x := p.x()
	x0hi := p.W.round(pt.X0Hi)
	x0lo := p.W.round(pt.X0Hi - x0hi + pt.X0Lo)
	t := p.sub(p.sub(x, p.c(x0hi)), p.c(x0lo))
	poly := patchPolynomialCut(pt, p.W, p.wide)
	v := t
	if !math.IsNaN(poly.center) {
		v = p.sub(x, p.c(poly.center))
	}
	val := p.mul(t, p.horner(poly.coeffs, v))
	return p.blend(p.less(p.abs(t), p.c(pt.Radius)), val, general)
}
