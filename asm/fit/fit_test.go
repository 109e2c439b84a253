package fit

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/actgen/actgen/ref"
)

func expF(t *big.Float, prec uint) *big.Float   { return ref.Exp(t, prec) }
func expm1F(t *big.Float, prec uint) *big.Float { return ref.Expm1(t, prec) }
func tanhF(t *big.Float, prec uint) *big.Float  { return ref.Tanh(t, prec) }
func erfcF(t *big.Float, prec uint) *big.Float  { return ref.Erfc(t, prec) }

func log1pF(t *big.Float, prec uint) *big.Float {
	v, ok := ref.Log1p(t, prec)
	if !ok {
		return nil
	}
	return v
}

// expm1MinusT is e^t - 1 - t, which vanishes to second order at 0.
func expm1MinusT(t *big.Float, prec uint) *big.Float {
	v := ref.Expm1(t, prec+64)
	v.Sub(v, t)
	return v.SetPrec(prec)
}

// runge is 1/(1+25t²), whose poles at ±i/5 make polynomial fits on [-1,1]
// slow to converge, so the exchange has a lot to improve over a Chebyshev
// start.
func runge(t *big.Float, prec uint) *big.Float {
	v := new(big.Float).SetPrec(prec).Mul(t, t)
	v.Mul(v, big.NewFloat(25))
	v.Add(v, big.NewFloat(1))
	return v.Quo(big.NewFloat(1).SetPrec(prec), v)
}

func powers(lo, hi, step int) []int {
	var p []int
	for k := lo; k <= hi; k += step {
		p = append(p, k)
	}
	return p
}

// independentMaxErr evaluates the weighted error of the exact coefficients
// on n+1 equally spaced points with plain big.Float arithmetic, without the
// package's evaluation code, skipping a zero of F at t = 0.
func independentMaxErr(t *testing.T, p Problem, c []*big.Float, n int) float64 {
	t.Helper()
	const prec = 256
	var worst float64
	for j := 0; j <= n; j++ {
		x := p.Lo + (p.Hi-p.Lo)*float64(j)/float64(n)
		xb := new(big.Float).SetPrec(prec).SetFloat64(x)
		f := p.F(xb, prec)
		if p.Relative && f.Sign() == 0 {
			continue
		}
		s := new(big.Float).SetPrec(prec)
		for k, pk := range p.Powers {
			term := new(big.Float).SetPrec(prec).Set(c[k])
			for range pk {
				term.Mul(term, xb)
			}
			s.Add(s, term)
		}
		s.Sub(s, f)
		if p.Relative {
			s.Quo(s, f)
		}
		e, _ := s.Float64()
		worst = math.Max(worst, math.Abs(e))
	}
	return worst
}

// checkMinimax runs Remez and verifies the properties every minimax fit
// must have: an alternating, levelled reference, a dense-check maximum that
// agrees with the reference levels and with an independent evaluation, and
// rounded coefficients that cannot beat the exact ones.
func checkMinimax(t *testing.T, name string, p Problem) Result {
	t.Helper()
	r, err := Remez(p)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m := len(p.Powers)
	if len(r.Coeffs) != m || len(r.Ref) != m+1 || len(r.RefErr) != m+1 {
		t.Fatalf("%s: %d coeffs, %d reference points, %d reference errors; want %d, %d, %d",
			name, len(r.Coeffs), len(r.Ref), len(r.RefErr), m, m+1, m+1)
	}
	emin, emax := math.Inf(1), 0.0
	for i, e := range r.RefErr {
		if i > 0 {
			if r.Ref[i] <= r.Ref[i-1] {
				t.Errorf("%s: reference not increasing: %v", name, r.Ref)
			}
			if (e > 0) == (r.RefErr[i-1] > 0) {
				t.Errorf("%s: reference errors do not alternate: %v", name, r.RefErr)
			}
		}
		if r.Ref[i] < p.Lo || r.Ref[i] > p.Hi {
			t.Errorf("%s: reference point %g outside [%g, %g]", name, r.Ref[i], p.Lo, p.Hi)
		}
		emin = math.Min(emin, math.Abs(e))
		emax = math.Max(emax, math.Abs(e))
	}
	if emax-emin > 0.01*emax {
		t.Errorf("%s: reference error levels %g..%g differ by more than 1%%: %v", name, emin, emax, r.RefErr)
	}
	// The levelled error bounds the minimax error from below, so the dense
	// maximum cannot be below it, and must not exceed the reference levels
	// (else the exchange missed an extremum).
	if r.MaxErr < r.Level*(1-1e-9) || r.MaxErr > emax*1.01 {
		t.Errorf("%s: dense max error %g inconsistent with level %g and reference max %g",
			name, r.MaxErr, r.Level, emax)
	}
	ind := independentMaxErr(t, p, r.Coeffs, 2000)
	if ind > r.MaxErr*(1+1e-6) || ind < r.MaxErr*0.98 {
		t.Errorf("%s: independent max error %g vs MaxErr %g", name, ind, r.MaxErr)
	}
	e64, _ := r.MaxErrRounded(r.Float64s())
	e32, _ := r.MaxErrRounded(r.Float32s())
	if e64 < r.Level*(1-1e-9) || e32 < r.Level*(1-1e-9) {
		t.Errorf("%s: rounded coefficients beat the minimax level %g: float64 %g, float32 %g", name, r.Level, e64, e32)
	}
	t.Logf("%-28s MaxErr %.6e at %+.6f  level %.6e  iterations %d  F evals %d  float64 %.6e  float32 %.6e",
		name, r.MaxErr, r.MaxErrAt, r.Level, r.Iterations, r.Evals, e64, e32)
	return r
}

func TestExp(t *testing.T) {
	h := math.Ln2 / 2
	p := Problem{F: expF, Lo: -h, Hi: h, Powers: powers(0, 6, 1), Relative: true}
	r := checkMinimax(t, "exp deg 6 rel", p)
	if r.MaxErr >= 2e-8 {
		t.Errorf("MaxErr %g, want < 2e-8", r.MaxErr)
	}
	// Theory: the error of the best degree-n approximation of a function
	// with a smooth (n+1)st derivative on [-h, h] is asymptotically
	// |f^(n+1)|·h^(n+1)/(2^n (n+1)!), and for e^t the relative version has
	// f^(n+1)/f = 1: 1.862e-9 for n = 6.
	est := math.Pow(h, 7) / (64 * 5040)
	t.Logf("exp deg 6: asymptotic estimate %.4e, MaxErr/estimate %.4f", est, r.MaxErr/est)
	if r.MaxErr < 0.9*est || r.MaxErr > 1.1*est {
		t.Errorf("MaxErr %g is not within 10%% of the asymptotic estimate %g", r.MaxErr, est)
	}
	// The coefficients are close to Taylor's 1/k!.
	c := r.Float64s()
	fact := 1.0
	for k := range c {
		if k > 0 {
			fact *= float64(k)
		}
		if d := math.Abs(c[k]*fact - 1); d > 0.02 {
			t.Errorf("c%d = %g, far from 1/%d! (relative difference %g)", k, c[k], k, d)
		}
	}
	// Rounding to float64 costs nothing visible; to float32 it costs about
	// the size of the float32 rounding of c0 = 1 ± small.
	e64, _ := MaxError(p, r.Float64s())
	if math.Abs(e64-r.MaxErr) > 1e-3*r.MaxErr {
		t.Errorf("float64 coefficients: MaxError %g, want ≈ %g", e64, r.MaxErr)
	}
	e32, _ := MaxError(p, r.Float32s())
	if e32 > r.MaxErr+1e-7 {
		t.Errorf("float32 coefficients: MaxError %g, want ≤ %g + 1e-7", e32, r.MaxErr)
	}
	if got, _ := r.MaxErrRounded(r.Float32s()); got != e32 {
		t.Errorf("MaxErrRounded %g != MaxError %g", got, e32)
	}
}

func TestExpm1(t *testing.T) {
	h := math.Ln2 / 2
	p := Problem{F: expm1F, Lo: -h, Hi: h, Powers: powers(1, 7, 1), Relative: true}
	r := checkMinimax(t, "expm1 powers 1..7 rel", p)
	// At t → 0 the relative error tends to c1 - 1, so |c1-1| ≤ MaxErr.
	c1, _ := r.Coeffs[0].Float64()
	if math.Abs(c1-1) > r.MaxErr*(1+1e-6) {
		t.Errorf("c1 = %.17g: |c1-1| = %g exceeds MaxErr %g", c1, math.Abs(c1-1), r.MaxErr)
	}
	// p/F = q(t)·t/expm1(t) with q of degree 6, so the error is about that
	// of the degree-6 fit of e^t, divided by 8 for the extra 1/(k+1) in
	// expm1(t)/t = Σ t^k/(k+1)!.
	est := math.Pow(h, 7) / (64 * 5040) / 8
	t.Logf("expm1: c1-1 = %.3e, asymptotic estimate %.4e, ratio %.4f", c1-1, est, r.MaxErr/est)
	if r.MaxErr > 2*est || r.MaxErr < est/2 {
		t.Errorf("MaxErr %g far from the estimate %g", r.MaxErr, est)
	}

	// The same with c1 = 1 fixed: fit e^t-1-t, which vanishes to order 2,
	// with powers 2..7.
	p2 := Problem{F: expm1MinusT, Lo: -h, Hi: h, Powers: powers(2, 7, 1), Relative: true}
	r2 := checkMinimax(t, "expm1-t powers 2..7 rel", p2)
	c2, _ := r2.Coeffs[0].Float64()
	if math.Abs(c2-0.5) > 0.5*r2.MaxErr*(1+1e-6) {
		t.Errorf("c2 = %.17g, want 1/2 within %g", c2, 0.5*r2.MaxErr)
	}
}

func TestTanhOdd(t *testing.T) {
	p := Problem{F: tanhF, Lo: 0, Hi: 0.625, Powers: powers(1, 11, 2), Relative: true}
	r := checkMinimax(t, "tanh odd 1..11 rel", p)
	c1, _ := r.Coeffs[0].Float64()
	if math.Abs(c1-1) > r.MaxErr*(1+1e-6) {
		t.Errorf("c1 = %.17g: |c1-1| = %g exceeds MaxErr %g", c1, math.Abs(c1-1), r.MaxErr)
	}
	if r.Ref[0] != 0 {
		t.Errorf("reference starts at %g, want the endpoint 0 (where the error is c1-1)", r.Ref[0])
	}
	if r.MaxErr > 1e-7 {
		t.Errorf("MaxErr %g, want < 1e-7", r.MaxErr)
	}
}

func TestLog1p(t *testing.T) {
	p := Problem{F: log1pF, Lo: math.Sqrt(0.5) - 1, Hi: math.Sqrt2 - 1, Powers: powers(1, 9, 1), Relative: true}
	r := checkMinimax(t, "log1p powers 1..9 rel", p)
	c1, _ := r.Coeffs[0].Float64()
	if math.Abs(c1-1) > r.MaxErr*(1+1e-6) {
		t.Errorf("c1 = %.17g: |c1-1| = %g exceeds MaxErr %g", c1, math.Abs(c1-1), r.MaxErr)
	}
	// log1p(t)/t is analytic inside the Bernstein ellipse through its
	// branch point t = -1; on this interval its parameter is
	// ρ = |z| + sqrt(z²-1) with z = (-1-mid)/half ≈ -3.0, and degree-8
	// errors decay like ρ^-8 ≈ 7e-7 times a modest constant.
	mid, half := (p.Lo+p.Hi)/2, (p.Hi-p.Lo)/2
	z := (1 + mid) / half
	rho := z + math.Sqrt(z*z-1)
	t.Logf("log1p: ρ = %.4f, ρ^-8 = %.3e, MaxErr·ρ^8 = %.4f", rho, math.Pow(rho, -8), r.MaxErr*math.Pow(rho, 8))
	if r.MaxErr > 0.1*math.Pow(rho, -8) {
		t.Errorf("MaxErr %g, want < ρ^-8/10 = %g", r.MaxErr, 0.1*math.Pow(rho, -8))
	}
}

func TestErfcAbsolute(t *testing.T) {
	p := Problem{F: erfcF, Lo: 0.5, Hi: 1.5, Powers: powers(0, 8, 1)}
	r := checkMinimax(t, "erfc deg 8 abs", p)
	// Asymptotic estimate |f^(9)(1)|·h^9/(2^8·9!) with h = 1/2 and
	// erfc^(9)(x) = (2/√π)·H_8(x)·e^(-x²) (up to sign), H_8(1) = -1648.
	d9 := 2 / math.Sqrt(math.Pi) * 1648 * math.Exp(-1)
	est := d9 * math.Pow(0.5, 9) / (256 * 362880)
	t.Logf("erfc: asymptotic estimate %.4e, MaxErr/estimate %.4f", est, r.MaxErr/est)
	if r.MaxErr > 2*est || r.MaxErr < est/2 {
		t.Errorf("MaxErr %g far from the estimate %g", r.MaxErr, est)
	}
}

// chebInterp returns the coefficients of the polynomial in the basis that
// interpolates F at the len(Powers) Chebyshev points of the first kind on
// [Lo, Hi] (for a relative problem that is also where the relative error
// vanishes).
func chebInterp(t *testing.T, p Problem) []float64 {
	t.Helper()
	const prec = 256
	m := len(p.Powers)
	a := make([][]*big.Float, m)
	b := make([]*big.Float, m)
	for i := range m {
		x := (p.Lo+p.Hi)/2 - (p.Hi-p.Lo)/2*math.Cos(float64(2*i+1)*math.Pi/float64(2*m))
		xb := new(big.Float).SetPrec(prec).SetFloat64(x)
		a[i] = make([]*big.Float, m)
		for k, pk := range p.Powers {
			v := new(big.Float).SetPrec(prec).SetInt64(1)
			for range pk {
				v.Mul(v, xb)
			}
			a[i][k] = v
		}
		b[i] = p.F(xb, prec)
	}
	c, err := gauss(a, b, prec)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, m)
	for i, v := range c {
		out[i], _ = v.Float64()
	}
	return out
}

func TestBeatsChebyshevInterpolation(t *testing.T) {
	h := math.Ln2 / 2
	for _, tc := range []struct {
		name string
		p    Problem
		gain float64 // minimax error must be below gain × the interpolant's
	}{
		{"exp deg 6 rel", Problem{F: expF, Lo: -h, Hi: h, Powers: powers(0, 6, 1), Relative: true}, 1},
		{"erfc deg 8 abs", Problem{F: erfcF, Lo: 0.5, Hi: 1.5, Powers: powers(0, 8, 1)}, 1},
		{"tanh odd rel", Problem{F: tanhF, Lo: 0.02, Hi: 0.625, Powers: powers(1, 11, 2), Relative: true}, 1},
		{"log1p powers 1..9 rel", Problem{F: log1pF, Lo: math.Sqrt(0.5) - 1, Hi: math.Sqrt2 - 1, Powers: powers(1, 9, 1), Relative: true}, 1},
		{"runge deg 10 abs", Problem{F: runge, Lo: -1, Hi: 1, Powers: powers(0, 10, 1)}, 0.8},
	} {
		r := checkMinimax(t, tc.name, tc.p)
		ce, at := MaxError(tc.p, chebInterp(t, tc.p))
		t.Logf("%-28s minimax %.6e, Chebyshev interpolation %.6e at %+.4f, ratio %.4f",
			tc.name, r.MaxErr, ce, at, r.MaxErr/ce)
		if !(r.MaxErr <= tc.gain*ce) {
			t.Errorf("%s: minimax error %g not below %g × Chebyshev interpolation error %g",
				tc.name, r.MaxErr, tc.gain, ce)
		}
	}
}

func TestExactFit(t *testing.T) {
	// F is in the span of the basis: the fit reproduces it.
	cubic := func(x *big.Float, prec uint) *big.Float {
		v := new(big.Float).SetPrec(prec).Mul(x, x)
		v.Mul(v, x)
		v.Neg(v)
		w := new(big.Float).SetPrec(prec).Mul(x, big.NewFloat(2))
		v.Add(v, w)
		return v.Add(v, big.NewFloat(1))
	}
	r, err := Remez(Problem{F: cubic, Lo: -2, Hi: 3, Powers: []int{0, 1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 2, 0, -1}
	for i, c := range r.Float64s() {
		if math.Abs(c-want[i]) > 1e-60 {
			t.Errorf("c%d = %g, want %g", i, c, want[i])
		}
	}
	if r.MaxErr > 1e-60 {
		t.Errorf("MaxErr %g, want ~0", r.MaxErr)
	}
}

func TestAbsoluteOddFromZero(t *testing.T) {
	// The basis vanishes at the endpoint 0, as does tanh: the error is 0
	// there and equioscillates on (0, Hi].
	checkMinimax(t, "tanh odd 1..7 abs", Problem{F: tanhF, Lo: 0, Hi: 0.5, Powers: powers(1, 7, 2)})
}

func TestErrors(t *testing.T) {
	h := math.Ln2 / 2
	base := Problem{F: expF, Lo: -h, Hi: h, Powers: powers(0, 4, 1), Relative: true}
	mod := func(f func(*Problem)) Problem { p := base; f(&p); return p }
	for _, tc := range []struct {
		name string
		p    Problem
		want error
		msg  string
	}{
		{"nil F", mod(func(p *Problem) { p.F = nil }), ErrProblem, "F is nil"},
		{"Lo = Hi", mod(func(p *Problem) { p.Hi = p.Lo }), ErrProblem, "not below"},
		{"Lo > Hi", mod(func(p *Problem) { p.Lo, p.Hi = p.Hi, p.Lo }), ErrProblem, "not below"},
		{"NaN", mod(func(p *Problem) { p.Lo = math.NaN() }), ErrProblem, "not finite"},
		{"Inf", mod(func(p *Problem) { p.Hi = math.Inf(1) }), ErrProblem, "not finite"},
		{"no powers", mod(func(p *Problem) { p.Powers = nil }), ErrProblem, "no powers"},
		{"repeated power", mod(func(p *Problem) { p.Powers = []int{0, 1, 1, 2} }), ErrProblem, "strictly increasing"},
		{"decreasing powers", mod(func(p *Problem) { p.Powers = []int{2, 1} }), ErrProblem, "strictly increasing"},
		{"negative power", mod(func(p *Problem) { p.Powers = []int{-1, 0} }), ErrProblem, "negative"},
		{"low precision", mod(func(p *Problem) { p.Prec = 32 }), ErrProblem, "precision"},
		{"bad tolerance", mod(func(p *Problem) { p.Tol = 2 }), ErrProblem, "tolerance"},
		{"gapped powers across 0", mod(func(p *Problem) { p.F = tanhF; p.Powers = []int{1, 3, 5} }), ErrProblem, "Haar"},
		{"basis vanishes, F(0) != 0", mod(func(p *Problem) { p.Powers = []int{1, 2, 3} }), ErrProblem, "F(0) = 1"},
		{"zero order too high", mod(func(p *Problem) { p.F = expm1MinusT; p.Powers = []int{1, 2, 3} }), ErrProblem, "order"},
		{"zero order too low", mod(func(p *Problem) { p.F = expm1F; p.Powers = []int{2, 3, 4} }), ErrProblem, "order"},
		{"relative, F vanishes off 0", mod(func(p *Problem) {
			p.F = func(x *big.Float, prec uint) *big.Float {
				return new(big.Float).SetPrec(prec).Sub(x, big.NewFloat(0.25))
			}
			p.Lo, p.Hi = 0.25, 1
		}), ErrProblem, "F(0.25) = 0"},
		{"relative, F changes sign off 0", mod(func(p *Problem) {
			p.F = func(x *big.Float, prec uint) *big.Float {
				v := ref.Exp(x, prec)
				return v.Sub(v, big.NewFloat(1.5))
			}
			p.Lo, p.Hi = 0, 1
		}), ErrProblem, "changes sign"},
		{"absolute, basis vanishes inside", mod(func(p *Problem) { p.F = tanhF; p.Relative = false; p.Powers = []int{1, 2, 3} }), ErrProblem, "vanish at 0"},
		{"F undefined", mod(func(p *Problem) { p.F = log1pF; p.Lo, p.Hi = -2, -1.5; p.Powers = []int{0, 1} }), ErrProblem, "not finite"},
		{"no convergence", Problem{F: runge, Lo: -1, Hi: 1, Powers: powers(0, 10, 1), MaxIter: 1}, ErrNoConvergence, "after 1 iterations"},
	} {
		r, err := Remez(tc.p)
		if err == nil {
			t.Errorf("%s: no error, result %+v", tc.name, r)
			continue
		}
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %q, want %v containing %q", tc.name, err, tc.want, tc.msg)
		}
		t.Logf("%s: %v", tc.name, err)
		if m, at := MaxError(tc.p, make([]float64, len(tc.p.Powers))); tc.want == ErrProblem && !math.IsNaN(m) {
			t.Errorf("%s: MaxError = %g at %g, want NaN", tc.name, m, at)
		}
	}
	if m, _ := MaxError(base, []float64{1, 2}); !math.IsNaN(m) {
		t.Errorf("MaxError with the wrong number of coefficients = %g, want NaN", m)
	}
	if m, _ := (Result{}).MaxErrRounded([]float64{1}); !math.IsNaN(m) {
		t.Errorf("MaxErrRounded of a zero Result = %g, want NaN", m)
	}
}

func TestGaussSingular(t *testing.T) {
	f := func(v float64) *big.Float { return new(big.Float).SetPrec(128).SetFloat64(v) }
	a := [][]*big.Float{{f(1), f(2)}, {f(2), f(4)}}
	if _, err := gauss(a, []*big.Float{f(1), f(2)}, 128); !errors.Is(err, ErrSingular) {
		t.Errorf("singular matrix: err = %v, want ErrSingular", err)
	}
	a = [][]*big.Float{{f(0), f(2)}, {f(3), f(1)}}
	x, err := gauss(a, []*big.Float{f(4), f(5)}, 128)
	if err != nil {
		t.Fatal(err)
	}
	if x0, _ := x[0].Float64(); x0 != 1 {
		t.Errorf("x0 = %g, want 1", x0)
	}
	if x1, _ := x[1].Float64(); x1 != 2 {
		t.Errorf("x1 = %g, want 2", x1)
	}
}

func TestQuadraticConvergence(t *testing.T) {
	// With exact extrema the exchange converges quadratically, so even a
	// tolerance of 1e-9 takes only a few iterations; an exchange that
	// located the extrema only to grid accuracy could not get there.
	h := math.Ln2 / 2
	for _, p := range []Problem{
		{F: expF, Lo: -h, Hi: h, Powers: powers(0, 6, 1), Relative: true, Tol: 1e-9},
		{F: runge, Lo: -1, Hi: 1, Powers: powers(0, 10, 1), Tol: 1e-9, MaxIter: 8},
	} {
		r, err := Remez(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Tol 1e-9: %d iterations, level %.12e, MaxErr %.12e", r.Iterations, r.Level, r.MaxErr)
		if r.Iterations > 6 {
			t.Errorf("%d iterations for Tol 1e-9, want ≤ 6", r.Iterations)
		}
		if d := (r.MaxErr - r.Level) / r.Level; d < 0 || d > 1e-8 {
			t.Errorf("MaxErr %g and level %g differ by %g relative, want < 1e-8", r.MaxErr, r.Level, d)
		}
	}
}

func TestTrim(t *testing.T) {
	got := trim([]sample{{0, 1}, {1, -0.1}, {2, 0.1}, {3, -1}, {4, 1}}, 3)
	if len(got) != 3 || got[0].t != 0 || got[1].t != 3 || got[2].t != 4 {
		t.Errorf("trim dropped the wrong points: %v", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 2 + rng.IntN(8)
		ext := make([]sample, n+rng.IntN(6))
		s := 1.0
		if rng.IntN(2) == 0 {
			s = -1
		}
		imax := 0
		for i := range ext {
			ext[i] = sample{float64(i), s * (0.1 + rng.Float64())}
			s = -s
			if math.Abs(ext[i].e) > math.Abs(ext[imax].e) {
				imax = i
			}
		}
		got := trim(ext, n)
		if len(got) != n {
			t.Fatalf("trim(%v, %d) = %v: wrong length", ext, n, got)
		}
		hasMax := false
		for i, g := range got {
			if g != ext[int(g.t)] {
				t.Fatalf("trim(%v, %d) = %v: not a subset", ext, n, got)
			}
			if i > 0 && (g.t <= got[i-1].t || (g.e > 0) == (got[i-1].e > 0)) {
				t.Fatalf("trim(%v, %d) = %v: not increasing and alternating", ext, n, got)
			}
			hasMax = hasMax || int(g.t) == imax
		}
		if !hasMax {
			t.Fatalf("trim(%v, %d) = %v: lost the largest error", ext, n, got)
		}
	}
}
