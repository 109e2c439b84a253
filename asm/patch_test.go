package asm

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/actgen/actgen/kernel"
)

// TestPatchPolynomial evaluates every patch as its program does, rounding
// each step to the lane width (FMA once), at 20001 points across it, and
// checks that t·P(t) stays within 3 ULPs of the patch's series: expanded
// about the root, float32 gelu_tanh′ and gelu′ reached 6 and 4 at the left
// end of the patch.
func TestPatchPolynomial(t *testing.T) {
	for _, name := range []string{"silu", "mish", "gelu", "gelu_tanh"} {
		k := specKernel(t, name)
		if len(k.DerivativePatches) == 0 {
			t.Fatalf("%s: no patch", name)
		}
		for _, pt := range k.DerivativePatches {
			for _, w := range []Width{F32, F64} {
				poly := patchPolynomial(pt, w)
				x0hi := w.round(pt.X0Hi)
				x0lo := w.round(pt.X0Hi - x0hi + pt.X0Lo)
				worst, at := 0.0, 0.0
				const n = 20000
				for i := 0; i <= n; i++ {
					x := w.round(pt.X0Hi + pt.Radius*(2*float64(i)/n-1))
					tt := w.round(w.round(x-x0hi) - x0lo)
					if math.Abs(tt) >= pt.Radius {
						continue // the general evaluation's
					}
					v := tt
					if !math.IsNaN(poly.center) {
						v = w.round(x - poly.center)
					}
					acc := poly.coeffs[len(poly.coeffs)-1]
					for j := len(poly.coeffs) - 2; j >= 0; j-- {
						acc = roundedFMA(w, acc, v, poly.coeffs[j])
					}
					got := w.round(tt * acc)
					if e := ulpsOff(w, got, patchSeries(pt, x)); e > worst {
						worst, at = e, x
					}
				}
				about := "its root"
				if !math.IsNaN(poly.center) {
					about = fmt.Sprintf("%.6g", poly.center)
				}
				t.Logf("%s %s: patch about %.6g evaluated about %s: %g ULPs at %g", name, w, pt.X0Hi, about, worst, at)
				if worst > 3 {
					t.Errorf("%s %s: patch off by %g ULPs at x = %g, want at most 3", name, w, worst, at)
				}
			}
		}
	}
}

// roundedFMA returns a·b + c rounded once to w.
func roundedFMA(w Width, a, b, c float64) float64 {
	if w == F64 {
		return math.FMA(a, b, c)
	}
	s := new(big.Float).SetPrec(600).SetFloat64(a)
	s.Mul(s, big.NewFloat(b)).Add(s, big.NewFloat(c))
	f, _ := s.Float32()
	return float64(f)
}

// patchSeries returns (x - x0)·Σ c_k·T_k((x - x0)/Radius), exactly.
func patchSeries(pt kernel.Patch, x float64) *big.Float {
	const prec = 200
	tt := new(big.Float).SetPrec(prec).SetFloat64(x)
	tt.Sub(tt, big.NewFloat(pt.X0Hi)).Sub(tt, big.NewFloat(pt.X0Lo))
	u := new(big.Float).SetPrec(prec).Quo(tt, big.NewFloat(pt.Radius))
	// Clenshaw: b_k = c_k + 2u·b_{k+1} - b_{k+2}; sum = c_0 + u·b_1 - b_2.
	b1, b2 := new(big.Float).SetPrec(prec), new(big.Float).SetPrec(prec)
	for k := len(pt.Coeffs) - 1; k >= 1; k-- {
		b := new(big.Float).SetPrec(prec).Mul(u, b1)
		b.Mul(b, big.NewFloat(2)).Sub(b, b2).Add(b, big.NewFloat(pt.Coeffs[k]))
		b1, b2 = b, b1
	}
	sum := new(big.Float).SetPrec(prec).Mul(u, b1)
	sum.Sub(sum, b2).Add(sum, big.NewFloat(pt.Coeffs[0]))
	return sum.Mul(sum, tt)
}

// ulpsOff returns how many width-w numbers lie between got and want rounded
// (harness/accuracy.ULPs, which imports this package).
func ulpsOff(w Width, got float64, want *big.Float) float64 {
	r, _ := want.Float64()
	if w == F32 {
		r32, _ := want.Float32() // rounded once, not through float64
		r = float64(r32)
	}
	return math.Abs(float64(ordered(got, w) - ordered(r, w)))
}

// ordered maps the numbers of width w to consecutive integers.
func ordered(v float64, w Width) int64 {
	b := int64(math.Float64bits(v) &^ (1 << 63))
	if w == F32 {
		b = int64(math.Float32bits(float32(v)) &^ (1 << 31))
	}
	if math.Signbit(v) {
		return -b
	}
	return b
}
