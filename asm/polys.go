package asm

import (
	"fmt"
	"math"
	"math/big"
	"sync"

	"github.com/actgen/actgen/asm/fit"
	"github.com/actgen/actgen/ref"
)

// poly names one polynomial core of a vector primitive. Each is fitted at
// generation time (minimax, package fit) against the math/big reference, so
// another degree or range is one table entry away.
type poly struct {
	name     string
	lo, hi   float64
	powers   int // number of coefficients, powers 0..powers-1
	relative bool
	f        func(t *big.Float, prec uint) *big.Float
	// gain bounds how much of the core's error reaches the primitive's
	// relative error (expq enters as r·q/e^r, expm1q as r²·q/expm1(r), ...). erfcq is
	// an exponent of magnitude up to 1.3 and erfs starts at 2/√π, so half an
	// ulp of either is the rounding of its own value, which no fit can beat:
	// their gain counts that error at 0.5.
	gain float64
}

// The variable ranges follow from the range reductions in prims.go.
const (
	expRange   = 0.3466 * 1.02 // |r| ≤ ln2/2, widened for the low part of two-float arguments
	erfSmall   = 0.5           // |u| below which erfc(u) = 1 - u·P(u²)
	erfcMaxF32 = 10.1          // erfc(u) underflows float32 beyond
	erfcMaxF64 = 27.3          // erfc(u) underflows float64 beyond
	// erfcMaxWide bounds erfc for float32 results computed in float64: beyond
	// it erfc(u) < 2^-280, so |x|·erfc(u) rounds to 0 in float32 for every
	// float32 x.
	erfcMaxWide = 14.0
)

// polys lists the cores per lane type. The degrees are the smallest whose
// fitted error leaves the primitive within about half an ulp (TestPolys);
// wide cores (float32 results computed in float64 lanes, see Variant.Wide)
// within 2^-30 (erfcq at gain 1: in float64 lanes the rounding of its own
// value is no floor to discount), 32 times below the 2^-25 that one rounding to float32 at the end needs to
// stay within 1 ULP. Cores at 2^-36 (expq 8, expm1q 7, log1p 13, erfcq 16
// terms) made the rounding all but always the correct one, at 12% more
// time for gelu's forward, 5% for gelu_tanh's (A/B, n=4096).
func polys(w Width, wide bool) []poly {
	if wide {
		return []poly{
			{"expq", -expRange, expRange, 7, true, expq, 0.6},
			{"expm1q", -expRange, expRange, 6, true, expm1q, 0.18},
			{"log1pq", math.Sqrt(0.5) - 1, math.Sqrt2 - 1, 11, true, log1pq, 0.21},
			{"log1pu", -0.25, 0.5, 11, true, log1pq, 0.21},
			{"erfcq", -1, 1, 14, false, onInterval(erfcq, 2/(2+erfcMaxWide), 1), 1},
			{"erfs", 0, erfSmall * erfSmall, 7, true, erfs, 1},
		}
	}
	if w == F32 {
		return []poly{
			{"expq", -expRange, expRange, 6, true, expq, 0.6},
			{"expm1q", -expRange, expRange, 6, true, expm1q, 0.18},
			{"log1pq", math.Sqrt(0.5) - 1, math.Sqrt2 - 1, 10, true, log1pq, 0.21},
			{"log1pu", -0.25, 0.5, 10, true, log1pq, 0.21},
			{"erfcq", -1, 1, 12, false, onInterval(erfcq, 2/(2+erfcMaxF32), 1), 0.5},
			{"erfs", 0, erfSmall * erfSmall, 8, true, erfs, 0.5},
		}
	}
	return []poly{
		{"expq", -expRange, expRange, 11, true, expq, 0.6},
		{"expm1q", -expRange, expRange, 11, true, expm1q, 0.18},
		{"log1pq", math.Sqrt(0.5) - 1, math.Sqrt2 - 1, 21, true, log1pq, 0.21},
		{"log1pu", -0.25, 0.5, 21, true, log1pq, 0.21},
		{"erfcq", -1, 1, 40, false, onInterval(erfcq, 2/(2+erfcMaxF64), 1), 0.5},
		{"erfs", 0, erfSmall * erfSmall, 12, true, erfs, 1},
	}
}

// expq(r) = expm1(r)/r, so e^r = 1 + r·expq(r).
func expq(r *big.Float, prec uint) *big.Float {
	if r.Sign() == 0 {
		return big.NewFloat(1).SetPrec(prec)
	}
	return new(big.Float).SetPrec(prec).Quo(ref.Expm1(r, prec), r)
}

// expm1q(r) = (expm1(r) - r)/r², so expm1(r) = r + r²·expm1q(r) with the
// leading term exact.
func expm1q(r *big.Float, prec uint) *big.Float {
	if r.Sign() == 0 {
		return big.NewFloat(0.5).SetPrec(prec)
	}
	p := prec + 64
	e := ref.Expm1(r, p)
	e.Sub(e, r)
	r2 := new(big.Float).SetPrec(p).Mul(r, r)
	return e.SetPrec(prec).Quo(e, r2)
}

// log1pq(f) = (log1p(f) - f)/f², so log1p(f) = f + f²·log1pq(f).
func log1pq(f *big.Float, prec uint) *big.Float {
	if f.Sign() == 0 {
		return big.NewFloat(-0.5).SetPrec(prec)
	}
	p := prec + 64
	l, _ := ref.Log1p(f, p)
	l.Sub(l, f)
	f2 := new(big.Float).SetPrec(p).Mul(f, f)
	return l.SetPrec(prec).Quo(l, f2)
}

// erfcq(t) = log(erfc(u)/t) + u² with u = 2/t - 2, so that
// erfc(u) = t·exp(-u² + erfcq(t)) for u ≥ 0: a smooth function of t ∈ (0, 1]
// (without the division by t it would carry log t, which polynomials fit
// poorly near 0).
func erfcq(t *big.Float, prec uint) *big.Float {
	p := prec + 64
	u := new(big.Float).SetPrec(p).Quo(big.NewFloat(2), t)
	u.Sub(u, big.NewFloat(2))
	e := ref.Erfc(u, p)
	e.Quo(e, t)
	l, _ := ref.Log(e, p)
	u2 := new(big.Float).SetPrec(p).Mul(u, u)
	return l.SetPrec(prec).Add(l, u2)
}

// erfs(s) = erf(√s)/√s, so that erfc(u) = 1 - u·erfs(u²).
func erfs(s *big.Float, prec uint) *big.Float {
	p := prec + 64
	if s.Sign() == 0 {
		r := new(big.Float).SetPrec(p).Quo(big.NewFloat(2), func() *big.Float { v, _ := ref.Sqrt(ref.Pi(p), p); return v }())
		return r.SetPrec(prec)
	}
	u, _ := ref.Sqrt(s, p)
	e := ref.Erf(u, p)
	return e.SetPrec(prec).Quo(e, u)
}

// onInterval returns f on [lo, hi] as a function of v ∈ [-1, 1]: coefficients
// in a variable centred on the interval stay small, so rounding them costs
// little (in t itself, erfcq's would cancel to 2^-23 at t = 1).
func onInterval(f func(*big.Float, uint) *big.Float, lo, hi float64) func(*big.Float, uint) *big.Float {
	return func(v *big.Float, prec uint) *big.Float {
		mid, half := centre(lo, hi)
		t := new(big.Float).SetPrec(prec).Mul(v, big.NewFloat(half))
		t.Add(t, big.NewFloat(mid))
		return f(t, prec)
	}
}

// centre returns the midpoint and half-width of [lo, hi].
func centre(lo, hi float64) (mid, half float64) { return (lo + hi) / 2, (hi - lo) / 2 }

// fitCache holds the rounded coefficients (lowest power first) per lane
// type and core.
var (
	fitMu    sync.Mutex
	fitCache = map[string][]float64{}
)

// coeffs fits (once per process) and returns the rounded coefficients of the
// named core for w (wide: see polys).
func coeffs(w Width, wide bool, name string) ([]float64, error) {
	key := w.String() + "/" + name
	if wide {
		key = "wide/" + name
	}
	fitMu.Lock()
	defer fitMu.Unlock()
	if c, ok := fitCache[key]; ok {
		return c, nil
	}
	for _, pl := range polys(w, wide) {
		if pl.name != name {
			continue
		}
		c, err := fitPoly(w, pl)
		if err != nil {
			return nil, err
		}
		fitCache[key] = c
		return c, nil
	}
	return nil, fmt.Errorf("asm: no polynomial %q", name)
}

func fitPoly(w Width, pl poly) ([]float64, error) {
	powers := make([]int, pl.powers)
	for i := range powers {
		powers[i] = i
	}
	prob := fit.Problem{F: pl.f, Lo: pl.lo, Hi: pl.hi, Powers: powers, Relative: pl.relative}
	res, err := fit.Remez(prob)
	if err != nil {
		return nil, fmt.Errorf("fitting %s for %s: %w", pl.name, w, err)
	}
	if w == F32 {
		return res.Float32s(), nil
	}
	return res.Float64s(), nil
}
