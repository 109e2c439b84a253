package accuracy

import (
	"math"
	"math/big"

	"github.com/actgen/actgen/kernel"
)

// tinyLimit bounds the inputs the expansion decides. The exact midpoints it is
// for (f(x) ≈ x/2 with x/2 halfway between float32 values) only occur below
// 2^-125, where x/2 leaves the normal range; 2^-120 takes a margin of 32 so
// that f″ is checked on a little more than the interval it is used on.
const tinyLimit = 0x1p-120

// tinyPrec is the precision of the reference values at 0 and ±tinyLimit.
const tinyPrec = 1024

// tiny settles f(x) near 0 from f(0) = 0 and the second-order Taylor
// expansion f(x) = c1·x + f″(ξ)·x²/2, |ξ| ≤ |x|, for functions whose slope
// at 0 is a short binary fraction such as 1/2 (silu, gelu, gelu_tanh). There
// the float64 screen computes c1·x, which for odd float32 x near the bottom
// of the range is an exact float32 midpoint; no precision of the screen can
// round it, and the high-precision evaluator needs about 300 bits per input,
// for 16.8 million inputs. The sign of f″ decides such a midpoint instead.
type tiny struct {
	c1 float64 // f'(0) rounded to float64, with a significand of at most 29 bits
	// up says that f″ > 0 on [-tinyLimit, tinyLimit], so f(x) lies above c1·x.
	up bool
}

// newTiny prepares the expansion for f (f' when backward) at params, or
// returns nil when it does not apply: f(0) is not exactly 0, f'(0) is not a
// short float64 to within the evaluator's bound, f″(0) is 0, or f″ is not
// within a factor 2 of f″(0) at ±tinyLimit/2 and ±tinyLimit. Those samples
// stand in for the whole interval: an activation's formula is analytic on
// each side of 0 and f″ changes by a relative 2^-100 or so over it, so
// what could break the expansion is a kink at 0, which the samples see.
func newTiny(k *kernel.Kernel, backward bool, params map[string]float64) *tiny {
	ev := newDerivs(k, backward, params)
	if ev == nil {
		return nil // not differentiable symbolically: no expansion
	}
	v0, e0, ok := ev.at(0, 0)
	if !ok || v0.Sign() != 0 || !math.IsInf(e0, -1) {
		return nil // f(0) is not exactly 0 (or has no value)
	}
	v1, e1, ok := ev.at(1, 0)
	if !ok {
		return nil
	}
	c1, _ := v1.Float64()
	if c1 == 0 || math.IsInf(c1, 0) || math.Float64bits(c1)&(1<<24-1) != 0 || math.Abs(c1) < 0x1p-800 {
		return nil // c1·x would not be exact in float64
	}
	// |f'(0) - c1| must be negligible next to the x² term at the smallest
	// input, |f″|·2^-298/2 with |f″| ≥ |f″(0)|/2.
	diff := new(big.Float).SetPrec(tinyPrec).Sub(v1, new(big.Float).SetFloat64(c1))
	errBound := math.Max(exponentOf(diff), e1) + 1
	v2, e2, ok := ev.at(2, 0)
	if !ok || v2.Sign() == 0 || exponentOf(v2) <= e2+2 {
		return nil // f″(0) is 0 or its sign is not certain
	}
	if errBound > exponentOf(v2)-2-300-8 {
		return nil
	}
	// f″, the slope's change (f'(x) - c1)/x and the curvature 2(f(x) -
	// c1·x)/x² must all agree with f″(0) within a factor 2 at the sample
	// points: a select with a kink at 0 fails one of them.
	half := new(big.Float).Quo(v2, big.NewFloat(2))
	twice := new(big.Float).Mul(v2, big.NewFloat(2))
	near := func(v *big.Float) bool {
		if v2.Sign() > 0 {
			return v.Cmp(half) >= 0 && v.Cmp(twice) <= 0
		}
		return v.Cmp(half) <= 0 && v.Cmp(twice) >= 0
	}
	bc1 := new(big.Float).SetFloat64(c1)
	for _, x := range []float64{-tinyLimit, -tinyLimit / 2, tinyLimit / 2, tinyLimit} {
		bx := new(big.Float).SetFloat64(x)
		fx, _, ok0 := ev.at(0, x)
		dx, _, ok1 := ev.at(1, x)
		ddx, _, ok2 := ev.at(2, x)
		if !ok0 || !ok1 || !ok2 {
			return nil
		}
		slope := new(big.Float).SetPrec(tinyPrec).Sub(dx, bc1)
		slope.Quo(slope, bx)
		curv := new(big.Float).SetPrec(tinyPrec).Sub(fx, new(big.Float).SetPrec(tinyPrec).Mul(bc1, bx))
		curv.Quo(curv, bx).Quo(curv, bx).Mul(curv, big.NewFloat(2))
		if !near(ddx) || !near(slope) || !near(curv) {
			return nil
		}
	}
	return &tiny{c1: c1, up: v2.Sign() > 0}
}

// exponentOf is log2 of |v|'s magnitude bound (its MantExp exponent), -Inf
// for 0.
func exponentOf(v *big.Float) float64 {
	if v.Sign() == 0 {
		return math.Inf(-1)
	}
	return float64(v.MantExp(nil))
}

// round returns f(x) correctly rounded to float32 for |x| ≤ tinyLimit, or
// false when x is beyond it. m = c1·x is exact, and f(x) - m = (f'(0) - c1)·x
// + f″(ξ)·x²/2 is below |m|·2^-100 in magnitude and has the sign of f″.
// Where m is not a rounding boundary it is at least a float64 ULP from one,
// so f(x) rounds like m; where m is a midpoint between two float32 values,
// f(x) lies on the side of f″.
func (t *tiny) round(x float64) (float32, bool) {
	if t == nil || math.Abs(x) > tinyLimit {
		return 0, false
	}
	m := t.c1 * x
	r := float32(m) // ties to even
	if float64(r) == m {
		return r, true
	}
	toward := float32(math.Inf(1))
	if float64(r) > m {
		toward = float32(math.Inf(-1))
	}
	other := math.Nextafter32(r, toward) // m lies between r and other
	if (float64(r)+float64(other))/2 != m {
		return r, true
	}
	if t.up == (float64(other) > m) {
		return other, true
	}
	return r, true
}
