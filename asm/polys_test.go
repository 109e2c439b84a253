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
	for _, w := range []Width{F32, F64} {
		limit := 0x1p-25 // a quarter ulp of float32
		if w == F64 {
			limit = 0x1p-54
		}
		for _, pl := range polys(w) {
			c, err := coeffs(w, pl.name)
			if err != nil {
				t.Fatal(err)
			}
			powers := make([]int, len(c))
			for i := range powers {
				powers[i] = i
			}
			e, at := fit.MaxError(fit.Problem{F: pl.f, Lo: pl.lo, Hi: pl.hi, Powers: powers, Relative: pl.relative}, c)
			t.Logf("%s %s: %d coefficients, max error %.3g (2^%.1f) at %g", w, pl.name, len(c), e, math.Log2(e), at)
			if !(e*pl.gain < limit) {
				t.Errorf("%s %s: max error %.3g times gain %g exceeds %.3g", w, pl.name, e, pl.gain, limit)
			}
		}
	}
}
