package asm

import (
	"math"
	"math/big"

	"github.com/actgen/actgen/kernel"
)

// patchMonomials converts a patch's Chebyshev series in u = t/Radius into
// monomial coefficients in t, rounded to w, after dropping the terms below
// the lane precision: Horner needs one FMA per coefficient where Clenshaw
// needs two, and the series' geometric decay keeps the monomial form well
// conditioned on |u| ≤ 1.
func patchMonomials(pt kernel.Patch, w Width) []float64 {
	cut := 0x1p-28
	if w == F64 {
		cut = 0x1p-57
	}
	c := pt.Coeffs
	for len(c) > 1 && math.Abs(c[len(c)-1]) < cut*math.Abs(c[0]) {
		c = c[:len(c)-1]
	}
	const prec = 256
	// T_k as monomials: T_0 = 1, T_1 = u, T_k = 2u·T_{k-1} - T_{k-2}.
	n := len(c)
	mono := make([]*big.Float, n)
	for i := range mono {
		mono[i] = new(big.Float).SetPrec(prec)
	}
	prev2 := []*big.Float{big.NewFloat(1).SetPrec(prec)}
	prev1 := []*big.Float{new(big.Float).SetPrec(prec), big.NewFloat(1).SetPrec(prec)}
	add := func(t []*big.Float, ck float64) {
		for j, a := range t {
			mono[j].Add(mono[j], new(big.Float).SetPrec(prec).Mul(a, big.NewFloat(ck)))
		}
	}
	add(prev2, c[0])
	if n > 1 {
		add(prev1, c[1])
	}
	for k := 2; k < n; k++ {
		cur := make([]*big.Float, k+1)
		for j := range cur {
			cur[j] = new(big.Float).SetPrec(prec)
			if j > 0 && j-1 < len(prev1) {
				cur[j].Add(cur[j], new(big.Float).SetPrec(prec).Mul(prev1[j-1], big.NewFloat(2)))
			}
			if j < len(prev2) {
				cur[j].Sub(cur[j], prev2[j])
			}
		}
		add(cur, c[k])
		prev2, prev1 = prev1, cur
	}
	out := make([]float64, n)
	inv := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), big.NewFloat(pt.Radius))
	scale := big.NewFloat(1).SetPrec(prec)
	for j, m := range mono {
		v, _ := new(big.Float).SetPrec(prec).Mul(m, scale).Float64()
		out[j] = w.round(v)
		scale.Mul(scale, inv)
	}
	return out
}

// patch returns f'(x) near a root x0 as t·P(t), t = (x - x0): the root is
// factored out, so nothing cancels (see kernel.Patch).
func (p *Prog) patch(pt kernel.Patch, general value) value {
	x := p.x()
	x0hi := p.W.round(pt.X0Hi)
	x0lo := p.W.round(pt.X0Hi - x0hi + pt.X0Lo)
	t := p.sub(p.sub(x, p.c(x0hi)), p.c(x0lo))
	v := p.mul(t, p.horner(patchMonomials(pt, p.W), t))
	return p.blend(p.less(p.abs(t), p.c(pt.Radius)), v, general)
}
