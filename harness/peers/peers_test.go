package peers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/actgen/actgen/out/act"
)

// tolerance bounds |got − want| by rtol·|want| + atol + minAbs, where want is
// out/act's portable float64 kernel. rtol is the accuracy of the library's
// arithmetic; atol is zero except where the peer's formula cancels (1−s and
// 1−t² near 1, 1+erf(u) and 1+tanh(u) in the negative tail, exp(x)−1 without
// expm1), so that everywhere else, tails included, the check is relative.
// The floor minAbs = 2^-120 is where flushing to zero shows: vek32's Inv (VRCPPS)
// returns 0 below 2^-126 and its Exp clamps leave e^-87 ≈ 2^-125 behind, and
// x·sigmoid(...) scales either by |x| ≤ 20 < 2^6. Subnormal results have no
// relative accuracy to test anyway.
type tolerance struct {
	rtol, atol float64
	why        string
}

// The numbers in the comments are maxima measured by TestSweep on every 16th
// float32 in [-20, 20] (137.6 million points, dy = 1).
var rtols = map[string]tolerance{
	// One float32 rounding of a float64 result, with the reference's own
	// error: ≤ 1.0 ULP (5.96e-8) measured.
	"naive": {rtol: 0x1p-23, why: "one rounding of float64 math (≤ 1 ULP)"},
	// math32.Exp's error grows with |x|: over every float32 in [-20, 20] it
	// is off by up to 2.35e-6 relative (39 ULP, at x = 19.754871), and the
	// exp-based functions inherit that in their tails.
	"math32": {rtol: 4e-6, why: "math32.Exp is off by ≤ 2.35e-6 relative"},
	// vek32's Exp, Inv, Div and Log are within ~1 ULP each; chained they
	// reach 5.6 ULP (3.4e-7, mish).
	"vek32": {rtol: 4e-7, why: "chained vek32 calls reach 5.6 ULP"},
}

// overrides holds the absolute slack, and rarely a larger rtol, of one peer,
// function and direction, each with the cause and the measured maximum.
var overrides = map[string]tolerance{
	// float64 cancellation, invisible in float32 but not relative.
	"naive/tanh/backward":      {atol: 0x1p-50, why: "1−t² once tanh rounds to 1 (|x| > 19): 1.1e-16"},
	"naive/gelu/forward":       {atol: 0x1p-50, why: "1+erf(u) for x ≪ 0: 2.3e-16"},
	"naive/gelu/backward":      {atol: 0x1p-50, why: "1+erf(u) for x ≪ 0: 2.8e-17"},
	"naive/gelu_tanh/forward":  {atol: 0x1p-50, why: "1+tanh(u) for x ≪ 0: 2.0e-16"},
	"naive/gelu_tanh/backward": {atol: 0x1p-47, why: "1+tanh(u) and 1−t² for x ≪ 0: 2.5e-15"},
	// float32 cancellation of a value near 1 loses up to 2^-24 absolute.
	"math32/sigmoid/backward":  {atol: 0x1p-23, why: "s·(1−s) once s rounds near 1: 8.8e-8"},
	"math32/tanh/backward":     {atol: 0x1p-23, why: "1−t² once t rounds near ±1: 8.8e-8"},
	"math32/silu/backward":     {atol: 0x1p-23, why: "1−s, and the root of silu' at x ≈ -1.28: 2.3e-8"},
	"math32/mish/backward":     {atol: 0x1p-23, why: "1−t², and the root of mish' at x ≈ -1.19: 8.2e-8"},
	"math32/gelu/forward":      {atol: 0x1p-23, why: "1+erf(u) for x ≪ 0: 8.3e-8"},
	"math32/gelu/backward":     {atol: 0x1p-23, why: "1+erf(u), and the root of gelu' at x ≈ -0.75: 5.5e-8"},
	"math32/gelu_tanh/forward": {atol: 0x1p-23, why: "1+tanh(u) for x ≪ 0: 7.7e-8"},
	// 1−t² loses 2^-24 and is multiplied by x·c·(1+3k·x²)/2 ≈ 10 at x ≈ -5.
	"math32/gelu_tanh/backward": {atol: 0x1p-20, why: "1−t² times the chain-rule factor ~10: 5.5e-7"},
	// vek32 has neither expm1 nor log1p, and s − s² inherits sigmoid's
	// absolute error (≤ 1.5e-7) near s = 1.
	"vek32/sigmoid/backward": {atol: 0x1p-22, why: "s − s² near s = 1: 1.7e-7"},
	"vek32/elu/forward":      {atol: 0x1p-23, why: "exp(x)−1 near 0, where elu(-1e-20) = 0: 3.0e-8"},
	"vek32/tanh/forward":     {atol: 0x1p-22, why: "1−2/(e^2x+1) near 0: 1.8e-7"},
	"vek32/softplus/forward": {atol: 0x1p-23, why: "log(1+e^x) once 1+e^x rounds to 1 (x ≪ 0): 6.0e-8"},
	// The exp argument 2c(x+kx³) is rounded in float32 and reaches ~87 before
	// the result underflows; an argument error of a few 2^-24·|a| is the same
	// relative error in the result: 1.2e-5 at x = -9.17.
	"vek32/gelu_tanh/forward": {rtol: 0x1p-15, why: "float32 exp argument up to 87 for x ≪ 0: 1.2e-5"},
}

const minAbs = 0x1p-120

func toleranceFor(impl, fn, dir string) tolerance {
	t := rtols[impl]
	if o, ok := overrides[impl+"/"+fn+"/"+dir]; ok {
		t.rtol = max(t.rtol, o.rtol)
		t.atol, t.why = o.atol, t.why+"; "+o.why
	}
	return t
}

// xGrid is a linear grid and uniform samples in [-20, 20] plus signed zeros
// and small magnitudes down to the subnormals, padded to a multiple of 32 so
// that every element goes through vek32's vector loops (their scalar tails use
// math32 and are checked separately).
func xGrid(samples int, extra ...float32) []float32 {
	var xs []float32
	for i := -2000; i <= 2000; i++ {
		xs = append(xs, float32(i)/100)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range samples {
		xs = append(xs, float32(r.Float64()*40-20))
	}
	xs = append(xs, specials...)
	xs = append(xs, extra...)
	for len(xs)%32 != 0 {
		xs = append(xs, 1)
	}
	return xs
}

var specials = func() []float32 {
	s := []float32{0, float32(math.Copysign(0, -1))}
	// 19.754871 is math32.Exp's worst case in [-20, 20].
	for _, v := range []float32{1e-3, 1e-6, 1e-10, 1e-20, 1e-30, 0x1p-126, 1e-40, 0x1p-149, 19.754871} {
		s = append(s, v, -v)
	}
	return s
}()

// infinities lists the infinite inputs at which a function's textbook formula
// has a value under IEEE rules. The x·g(x) forms (silu, mish, gelu, gelu_tanh)
// are -Inf·0 at -Inf, and their derivatives Inf·0 at both ends, in PyTorch
// too; they are not peers' bugs.
func infinities(fn string, backward bool) []float32 {
	inf := float32(math.Inf(1))
	switch fn {
	case "sigmoid", "relu", "leaky_relu", "elu", "tanh", "softplus":
		return []float32{inf, -inf}
	}
	if backward {
		return nil
	}
	return []float32{inf}
}

// dyCycle keeps |dy| ≤ 1 so that the absolute tolerances, measured with
// dy = 1, still bound the product, while checking that dy is applied.
var dyCycle = []float32{1, -0.5, 0.75, -1, 0.25}

func kernelParams(k act.Kernel) []float64 {
	p := make([]float64, len(k.Params))
	for i, q := range k.Params {
		p[i] = q.Default
	}
	return p
}

// reference evaluates out/act's portable float64 kernel.
func reference(k act.Kernel, xs, dy []float32, backward bool) []float64 {
	x64, dy64, out := make([]float64, len(xs)), make([]float64, len(xs)), make([]float64, len(xs))
	for i := range xs {
		x64[i], dy64[i] = float64(xs[i]), float64(dy[i])
	}
	if backward {
		k.Impls[0].Backward64(out, x64, dy64, kernelParams(k))
	} else {
		k.Impls[0].Forward64(out, x64, kernelParams(k))
	}
	return out
}

// run evaluates a peer in chunks of the given length: len(xs) for the vector
// loops, or fewer than 8 for vek32's scalar tails.
func run(p Peer, xs, dy []float32, backward bool, chunk int) []float32 {
	got := make([]float32, len(xs))
	for lo := 0; lo < len(xs); lo += chunk {
		hi := min(lo+chunk, len(xs))
		if backward {
			p.Backward(got[lo:hi], xs[lo:hi], dy[lo:hi])
		} else {
			p.Forward(got[lo:hi], xs[lo:hi])
		}
	}
	return got
}

// worst is the largest error in units of the tolerance (≤ 1 passes), with
// where it happened.
type worst struct {
	ratio     float64
	x         float32
	got, want float64
}

func compare(tol tolerance, xs, got []float32, want []float64) worst {
	var w worst
	for i, x := range xs {
		g, v := float64(got[i]), want[i]
		var r float64
		switch {
		case math.IsInf(v, 0) || math.IsNaN(v):
			if g != v && !(math.IsNaN(g) && math.IsNaN(v)) {
				r = math.Inf(1)
			}
		case math.IsNaN(g) || math.IsInf(g, 0):
			r = math.Inf(1)
		default:
			r = math.Abs(g-v) / (tol.rtol*math.Abs(v) + tol.atol + minAbs)
		}
		if r > w.ratio || (math.IsInf(r, 1) && !math.IsInf(w.ratio, 1)) {
			w = worst{r, x, g, v}
		}
	}
	return w
}

func TestAgainstReference(t *testing.T) {
	samples := 200000
	if testing.Short() {
		samples = 20000
	}
	for _, k := range act.Kernels() {
		for _, p := range For(k.Name) {
			for _, backward := range []bool{false, true} {
				if backward && p.Backward == nil {
					continue
				}
				grid := xGrid(samples, infinities(k.Name, backward)...)
				tails := xGrid(0, infinities(k.Name, backward)...)
				dir := map[bool]string{false: "forward", true: "backward"}[backward]
				name := fmt.Sprintf("%s/%s/%s", p.Name, k.Name, dir)
				tol := toleranceFor(p.Name, k.Name, dir)
				cases := []struct {
					what  string
					xs    []float32
					chunk int
				}{
					{"vector", grid, len(grid)},
					{"tail", tails, 7},
				}
				for _, c := range cases {
					dy := make([]float32, len(c.xs))
					for i := range dy {
						dy[i] = dyCycle[i%len(dyCycle)]
					}
					want := reference(k, c.xs, dy, backward)
					got := run(p, c.xs, dy, backward, c.chunk)
					tol := tol
					if c.what == "tail" && p.Name == "vek32" {
						// vek32's scalar tails call math32.Exp.
						tol.rtol = max(tol.rtol, rtols["math32"].rtol)
					}
					w := compare(tol, c.xs, got, want)
					if w.ratio > 1 {
						t.Errorf("%s (%s): x = %g: got %g, want %g: %.3g× the tolerance (%s)",
							name, c.what, w.x, w.got, w.want, w.ratio, tol.why)
					} else if c.what == "vector" {
						t.Logf("%-28s worst %.2f of tolerance at x = %g", name, w.ratio, w.x)
					}
				}
			}
		}
	}
}

func TestForCoversEveryKernel(t *testing.T) {
	hasVek32 := map[string]bool{
		"sigmoid": true, "relu": true, "leaky_relu": true, "elu": true, "tanh": true,
		"softplus": true, "silu": true, "mish": true, "gelu_tanh": true,
	}
	for _, k := range act.Kernels() {
		var names []string
		for _, p := range For(k.Name) {
			names = append(names, p.Name)
			if p.Forward == nil || p.ForwardPasses < 1 {
				t.Errorf("%s/%s: no forward or no pass count", k.Name, p.Name)
			}
			if (p.Backward == nil) != (p.BackwardPasses == 0) {
				t.Errorf("%s/%s: backward and its pass count disagree", k.Name, p.Name)
			}
		}
		want := []string{"naive", "math32"}
		if hasVek32[k.Name] {
			want = append(want, "vek32")
		}
		if !slices.Equal(names, want) {
			t.Errorf("For(%q) = %v, want %v", k.Name, names, want)
		}
	}
	if ps := For("no_such_function"); ps != nil {
		t.Errorf("For(unknown) = %v, want nil", ps)
	}
}

// The peers bake the spec's defaults in; a changed default must fail here
// rather than silently compare different functions.
func TestDefaultsMatchSpec(t *testing.T) {
	want := map[string][]float64{
		"leaky_relu": {leakyReLUAlpha},
		"elu":        {eluAlpha},
		"softplus":   {softplusBeta, softplusThreshold},
	}
	for _, k := range act.Kernels() {
		if got := kernelParams(k); !slices.Equal(got, want[k.Name]) {
			t.Errorf("%s: spec defaults %v, peers assume %v", k.Name, got, want[k.Name])
		}
	}
}

// vek32's compositions reuse scratch across calls; a shorter call after a
// longer one, and the reverse, must give the same answers as fresh peers.
func TestScratchReuse(t *testing.T) {
	long, short := xGrid(1000), xGrid(0)[:100]
	for _, k := range act.Kernels() {
		reused := For(k.Name)
		for i, p := range reused {
			for _, xs := range [][]float32{long, short, long} {
				fresh := For(k.Name)[i]
				dy := make([]float32, len(xs))
				for j := range dy {
					dy[j] = 1
				}
				for _, backward := range []bool{false, true} {
					if backward && p.Backward == nil {
						continue
					}
					a, b := run(p, xs, dy, backward, len(xs)), run(fresh, xs, dy, backward, len(xs))
					for j := range a {
						if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
							t.Fatalf("%s/%s backward=%v: reused %g, fresh %g at x = %g", k.Name, p.Name, backward, a[j], b[j], xs[j])
						}
					}
				}
			}
		}
	}
}

// TestSaturation covers |x| from 30 to 1e4, past vek32's clamps at ±87 and
// its Exp's garbage (-103 < a < -87.3) and NaN (88.37 < a < 88.72) windows:
// there every function has reached its asymptote or underflowed, and a peer
// must agree to float32 resolution at unit scale. Relative accuracy of the
// underflowing tails is TestAgainstReference's business, within [-20, 20].
// Beyond 1e4 the textbook float32 formulas overflow in x² and x³ and give
// Inf·0 = NaN (math32's gelu_tanh gradient above 1.8e19); no network sees
// such inputs.
func TestSaturation(t *testing.T) {
	var xs []float32
	for _, v := range []float32{30, 50, 87.2, 87.5, 88, 88.2, 88.5, 88.7, 89, 90, 95, 100,
		103, 105, 110, 150, 200, 1e3, 1e4} {
		xs = append(xs, v, -v)
	}
	for len(xs)%32 != 0 {
		xs = append(xs, 1)
	}
	dy := make([]float32, len(xs))
	for i := range dy {
		dy[i] = 1
	}
	for _, k := range act.Kernels() {
		for _, backward := range []bool{false, true} {
			want := reference(k, xs, dy, backward)
			for _, p := range For(k.Name) {
				if backward && p.Backward == nil {
					continue
				}
				for _, chunk := range []int{len(xs), 7} {
					got := run(p, xs, dy, backward, chunk)
					for i, x := range xs {
						g, w := float64(got[i]), want[i]
						if !(math.Abs(g-w) <= 0x1p-22*max(1, math.Abs(w))) && g != w {
							t.Errorf("%s/%s backward=%v chunk=%d: x = %g: got %g, want %g",
								p.Name, k.Name, backward, chunk, x, g, w)
						}
					}
				}
			}
		}
	}
}
