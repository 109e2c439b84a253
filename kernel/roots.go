package kernel

import (
	"fmt"
	"math"
	"math/big"

	"github.com/actgen/actgen/formula"
	"github.com/actgen/actgen/ref"
)

// Patch replaces the general evaluation of a derivative near one of its roots,
// where the terms of f' cancel (silu' = σ(x)(1 + x(1-σ(x))) at x ≈ -1.278): there
// float64 loses as many bits as the terms exceed the result, unboundedly many at
// the root. Within the patch
//
//	f'(x) = t · Σ Coeffs[k]·T_k(t/Radius),  t = (x - X0) computed as (x - X0Hi) - X0Lo,
//
// a Chebyshev expansion fitted to f'(x)/t with the reference evaluator, which has
// no cancellation left: the root is factored out exactly.
type Patch struct {
	X0Hi, X0Lo float64
	Radius     float64
	Coeffs     []float64
}

// patchRadius is the half-width of a patch: where the general evaluation's
// cancellation has fallen to a few bits (gelu' loses 11 ULPs at 0.1 from its root,
// 3 at 0.5).
const patchRadius = 1.0

// scanLimit bounds the search for roots of f': beyond it the activations are in
// their asymptotic regime and f' does not change sign.
const scanLimit = 16

// derivativePatches finds the roots of f' where the spec has no kink and fits a
// Patch around each. Only entries without parameters get patches: a root moves
// with the parameters, and the runtime values are not known here.
func (k *Kernel) derivativePatches() ([]Patch, error) {
	if len(k.Entry.Params) > 0 {
		return nil, nil
	}
	d := k.StableDerivative
	var conds []*formula.Node
	formula.Walk(d, func(m *formula.Node) {
		if m.Kind == formula.Select {
			conds = append(conds, m.Args[0])
		}
	})
	condAt := func(x float64) []bool {
		var v []bool
		for _, c := range conds {
			v = append(v, formula.Eval64(formula.Sel(c, formula.Int(1), formula.Int(0)), x, nil) == 1)
		}
		return v
	}
	sameConds := func(a, b []bool) bool {
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	var patches []Patch
	const step = 1.0 / 64
	prevX := float64(-scanLimit)
	prev := formula.Eval64(d, prevX, nil)
	for x := -scanLimit + step; x <= scanLimit; x += step {
		v := formula.Eval64(d, x, nil)
		if v == 0 || prev == 0 || math.Signbit(v) == math.Signbit(prev) || !sameConds(condAt(prevX), condAt(x)) {
			prev, prevX = v, x
			continue
		}
		p, err := k.fitPatch(prevX, x)
		if err != nil {
			return nil, fmt.Errorf("%s: patch near %v: %w", k.Entry.Name, x, err)
		}
		patches = append(patches, p)
		prev, prevX = v, x
	}
	return patches, nil
}

const patchPrec = 320

func (k *Kernel) derivAt(x *big.Float) (*big.Float, error) {
	v, errExp, err := ref.Eval(k.Derivative, x, nil, patchPrec)
	if err != nil {
		return nil, err
	}
	if v == nil || float64(v.MantExp(nil))-errExp < 100 && v.Sign() != 0 {
		return nil, fmt.Errorf("f'(%v) not accurate at %d bits", x, patchPrec)
	}
	return v, nil
}

// fitPatch locates the root in [lo, hi] to 120 bits by bisection on the
// reference and fits the Chebyshev expansion of f'(x0+t)/t.
func (k *Kernel) fitPatch(lo, hi float64) (Patch, error) {
	a := new(big.Float).SetPrec(patchPrec).SetFloat64(lo)
	b := new(big.Float).SetPrec(patchPrec).SetFloat64(hi)
	fa, err := k.derivAt(a)
	if err != nil {
		return Patch{}, err
	}
	for i := 0; i < 120; i++ {
		m := new(big.Float).SetPrec(patchPrec).Add(a, b)
		m.Quo(m, big.NewFloat(2))
		fm, err := k.derivAt(m)
		if err != nil {
			return Patch{}, err
		}
		if fm.Sign() == 0 {
			a, b = m, m
			break
		}
		if fm.Sign() == fa.Sign() {
			a, fa = m, fm
		} else {
			b = m
		}
	}
	x0 := a
	hiF, _ := x0.Float64()
	loF, _ := new(big.Float).SetPrec(patchPrec).Sub(x0, new(big.Float).SetFloat64(hiF)).Float64()
	for n := 16; n <= 128; n *= 2 {
		c, err := k.chebyshev(x0, patchRadius, n)
		if err != nil {
			return Patch{}, err
		}
		// Converged when the last quarter of the coefficients is below 2^-60 of
		// the first: the truncation error is then far below a float64 ulp.
		tail := 0.0
		for _, v := range c[3*n/4:] {
			tail = math.Max(tail, math.Abs(v))
		}
		if tail < 0x1p-60*math.Abs(c[0]) {
			for len(c) > 1 && math.Abs(c[len(c)-1]) < 0x1p-64*math.Abs(c[0]) {
				c = c[:len(c)-1]
			}
			return Patch{X0Hi: hiF, X0Lo: loF, Radius: patchRadius, Coeffs: c}, nil
		}
	}
	return Patch{}, fmt.Errorf("Chebyshev expansion did not converge with 128 terms")
}

// chebyshev returns the n Chebyshev coefficients of the polynomial that
// interpolates g(t) = f'(x0+t)/t at the n Chebyshev points of [-r, r] (none is 0
// for even n). The points are rounded to float64, so instead of the discrete
// cosine transform, which assumes the exact points and would leave 2^-52 of noise
// in every coefficient, the interpolation system is solved at the points used.
func (k *Kernel) chebyshev(x0 *big.Float, r float64, n int) ([]float64, error) {
	newF := func() *big.Float { return new(big.Float).SetPrec(patchPrec) }
	a := make([][]*big.Float, n) // a[j] = T_0..T_{n-1} at u_j, then g(t_j)
	for j := 0; j < n; j++ {
		t := newF().SetFloat64(r * math.Cos(math.Pi*(float64(j)+0.5)/float64(n)))
		v, err := k.derivAt(newF().Add(x0, t))
		if err != nil {
			return nil, err
		}
		u := newF().Quo(t, newF().SetFloat64(r))
		row := make([]*big.Float, n+1)
		row[0] = newF().SetInt64(1)
		if n > 1 {
			row[1] = newF().Set(u)
		}
		for i := 2; i < n; i++ {
			z := newF().Mul(u, row[i-1])
			z.Add(z, z)
			row[i] = z.Sub(z, row[i-2])
		}
		row[n] = v.Quo(v, t)
		a[j] = row
	}
	// Gaussian elimination with partial pivoting.
	for col := 0; col < n; col++ {
		p := col
		for j := col + 1; j < n; j++ {
			if newF().Abs(a[j][col]).Cmp(newF().Abs(a[p][col])) > 0 {
				p = j
			}
		}
		a[col], a[p] = a[p], a[col]
		if a[col][col].Sign() == 0 {
			return nil, fmt.Errorf("singular interpolation system")
		}
		for j := col + 1; j < n; j++ {
			f := newF().Quo(a[j][col], a[col][col])
			for i := col; i <= n; i++ {
				a[j][i].Sub(a[j][i], newF().Mul(f, a[col][i]))
			}
		}
	}
	c := make([]float64, n)
	x := make([]*big.Float, n)
	for j := n - 1; j >= 0; j-- {
		s := newF().Set(a[j][n])
		for i := j + 1; i < n; i++ {
			s.Sub(s, newF().Mul(a[j][i], x[i]))
		}
		x[j] = s.Quo(s, a[j][j])
		c[j], _ = x[j].Float64()
	}
	return c, nil
}
