package asm

import (
	"math"
	"testing"

	"github.com/actgen/actgen/asm/fit"
)

// TestPolys checks that every fitted core, with its coefficients rounded to
// the lane type, is accurate to a fraction of an ulp, so the primitives'
// errors come from their arithmetic, not from the fits.
func TestPolys(t *testing.T) {
	for _, set := range []struct {
		w     Width
		wide  bool
		limit float64
	}{{F32, false, 0x1p-25}, {F64, false, 0x1p-54}, {F64, true, 0x1p-30}} { // a quarter ulp; wide: see polys
		w, limit := set.w, set.limit
		for _, pl := range polys(w, set.wide) {
			c, err := coeffs(w, set.wide, pl.name)
			if err != nil {
				t.Fatal(err)
			}
			powers := make([]int, len(c))
			for i := range powers {
				powers[i] = i
			}
			e, at := fit.MaxError(fit.Problem{F: pl.f, Lo: pl.lo, Hi: pl.hi, Powers: powers, Relative: pl.relative}, c)
			name := w.String()
			if set.wide {
				name = "wide"
			}
			t.Logf("%s %s: %d coefficients, max error %.3g (2^%.1f) at %g", name, pl.name, len(c), e, math.Log2(e), at)
			if !(e*pl.gain < limit) {
				t.Errorf("%s %s: max error %.3g times gain %g exceeds %.3g", name, pl.name, e, pl.gain, limit)
			}
		}
	}
}

// TestExpRanges checks the bounds the one-step exp relies on: 2^(n-1) stays
// normal down to expNormLo, and the fast program's guard sits above it with
// e^guardLo at least 2^3 above subnormalGuard.
func TestExpRanges(t *testing.T) {
	for _, w := range []Width{F32, F64} {
		f := w.fp()
		minExp := 1 - f.bias // the smallest normal exponent
		n := int64(math.Round(f.expNormLo * math.Log2E))
		if n-1 < minExp {
			t.Errorf("%v: at expNormLo = %v, n = %d gives 2^(n-1) below the normal range", w, f.expNormLo, n)
		}
		if n := int64(math.Round(f.expHi * math.Log2E)); n-1 > f.bias {
			t.Errorf("%v: at expHi = %v, 2^(n-1) = 2^%d overflows", w, f.expHi, n-1)
		}
		g := guardLo(w)
		if g <= f.expNormLo {
			t.Errorf("%v: guardLo %v is not above expNormLo %v", w, g, f.expNormLo)
		}
		if r := math.Exp(g) / subnormalGuard(w); r < 8*(1-1e-12) {
			t.Errorf("%v: e^guardLo is %v·subnormalGuard, want at least 8", w, r)
		}
	}
}

// TestTanhMax checks the clamp of tanh: beyond tanhMax, tanh is within a
// quarter ulp of 1 (so 1 is its correctly rounded value), and at the clamp
// h+1 rounds to h, h = expm1(2·tanhMax)/2, so that tanh's quotient is 1 and
// its Fast2Sum correction vanishes.
func TestTanhMax(t *testing.T) {
	for _, w := range []Width{F32, F64} {
		f := w.fp()
		if gap := 2 * math.Exp(-2*f.tanhMax); gap >= math.Ldexp(1, -f.mant-2) {
			t.Errorf("%v: 1 - tanh(tanhMax = %v) ≈ %g is not below a quarter ulp of 1", w, f.tanhMax, gap)
		}
		if h := w.round(math.Expm1(2*f.tanhMax) / 2); w.round(h+1) != h {
			t.Errorf("%v: h+1 != h at tanhMax = %v (h = %g)", w, f.tanhMax, h)
		}
	}
}
