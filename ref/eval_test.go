package ref

import (
	"math"
	"testing"

	"github.com/actgen/actgen/formula"
)

func mustFormula(t *testing.T, src string, params ...string) *formula.Node {
	t.Helper()
	e, err := formula.ParseExpr(src)
	if err != nil {
		t.Fatal(err)
	}
	n, err := formula.Convert(e, formula.Env{Params: params})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRoundKnownValues(t *testing.T) {
	const gelu = "x * 0.5 * (1 + erf(x / sqrt(2)))"
	cases := []struct {
		src    string
		format Format
		x      float64
		want   float64
	}{
		// sigmoid(-100) = 3.72e-44 is the float32 subnormal 27·2^-149.
		{"1 / (1 + exp(-x))", Float32, -100, float64(math.Float32frombits(0x1b))},
		{"1 / (1 + exp(-x))", Float64, 0, 0.5},
		{"1 / (1 + exp(-x))", Float64, math.Inf(-1), 0},
		{"1 / (1 + exp(-x))", Float64, math.Inf(1), 1},
		// 1+erf cancels completely in float64 here; the reference must not.
		{gelu, Float64, -10, -7.619853024160526e-23},
		{gelu, Float32, -10, float64(float32(-7.619853024160526e-23))},
		{gelu, Float64, math.Inf(-1), math.Copysign(0, -1)},
		{gelu, Float64, math.Inf(1), math.Inf(1)},
		{"select(x > 0, x, 0)", Float32, math.Inf(1), math.Inf(1)},
		// An exact midpoint between 0 and the smallest subnormal rounds to even (0).
		{"0.5 * x", Float32, 0x1p-149, 0},
		{"1.5 * x", Float32, 0x1p-149, 0x1p-148},
		{"x", Float64, math.NaN(), math.NaN()},
	}
	for _, c := range cases {
		n := mustFormula(t, c.src)
		got, err := Function{Exact: n}.Round(c.format, c.x, nil)
		if err != nil {
			t.Fatalf("%s at %v: %v", c.src, c.x, err)
		}
		if math.Float64bits(got) != math.Float64bits(c.want) && !(math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("%s at %v (%d-bit) = %v (%x), want %v", c.src, c.x, c.format.Mant, got, math.Float64bits(got), c.want)
		}
	}
}

// Where the exact form meets ∞/∞ at the stand-in for an infinite input, the
// fallback (an equal, stable form) gives the value.
func TestRoundFallback(t *testing.T) {
	exact := mustFormula(t, "exp(-x) / ((1 + exp(-x)) * (1 + exp(-x)))")
	stable := mustFormula(t, "1 / ((1 + exp(-x)) * (1 + exp(x)))")
	got, err := Function{Exact: exact, Fallback: stable}.Round(Float64, math.Inf(-1), nil)
	if err != nil || got != 0 {
		t.Errorf("sigmoid'(-Inf) = %v, %v; want 0", got, err)
	}
	got, err = Function{Exact: exact}.Round(Float64, math.Inf(-1), nil)
	if err != nil || !math.IsNaN(got) {
		t.Errorf("without fallback: %v, %v; want NaN", got, err)
	}
}

func TestRoundParams(t *testing.T) {
	n := mustFormula(t, "select(x > 0, x, alpha * x)", "alpha")
	a32 := float64(float32(0.01))
	got, err := Function{Exact: n}.Round(Float32, -3, map[string]float64{"alpha": a32})
	if want := float64(float32(-3 * a32)); err != nil || got != want {
		t.Errorf("leaky(-3) = %v, %v; want %v", got, err, want)
	}
	if _, err := (Function{Exact: n}).Round(Float32, -3, nil); err == nil {
		t.Error("missing parameter: no error")
	}
}

// Inputs far out in the tails used to climb to maxPrec or to align operands
// 2^30 bits apart (1 + e^-(10^9)); they must settle at the first precision
// Round tries, with the value the slow path gave.
func TestRoundSettlesInTails(t *testing.T) {
	const (
		softplus  = "log(1 + exp(x))"
		mish      = "x * tanh(log(1 + exp(x)))"
		sigmoid   = "1 / (1 + exp(-x))"
		sigmoidD  = "exp(-x) / ((1 + exp(-x)) * (1 + exp(-x)))"
		silu      = "x / (1 + exp(-x))"
		geluD     = "0.5 * (1 + erf(x / sqrt(2))) + 0.5 * x * (2 / sqrt(pi) * exp(-(x / sqrt(2) * (x / sqrt(2)))) / sqrt(2))"
		geluTanh  = "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x * x * x)))"
		geluTanhD = "0.5 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x * x * x))) + 0.5 * x * (sqrt(2 / pi) * (1 + (0.08943 * x * x + 0.044715 * x * x)) / (cosh(sqrt(2 / pi) * (x + 0.044715 * x * x * x)) * cosh(sqrt(2 / pi) * (x + 0.044715 * x * x * x))))"
	)
	negZero := math.Copysign(0, -1)
	cases := []struct {
		src    string
		format Format
		x      float64
		want   float64
	}{
		{softplus, Float32, -1.163767808e9, 0},      // log(1 + 2^-1.7e9)
		{softplus, Float64, -1451.6440173453668, 0}, // 1 + e^x rounds to 1 below 4096 bits
		{mish, Float64, -1000, negZero},
		{mish, Float32, -1.149744128e9, negZero},
		{sigmoid, Float32, 8.54342464e8, 1},
		{sigmoidD, Float64, -1.3666945806247184e9, 0},
		{silu, Float64, 1.3959247860105932e9, 1.3959247860105932e9},
		{geluD, Float32, -53738.01171875, negZero}, // 1 + erf(-38000) = 0 ± e^-(1.4·10^9)
		{geluD, Float64, 48533.89003883825, 1},
		{geluTanh, Float64, -1e300, negZero}, // tanh(-2^3000) = -1 ± e^-(2^3000)
		{geluTanhD, Float64, -2699.7295026543734, negZero},
	}
	for _, c := range cases {
		f := Function{Exact: mustFormula(t, c.src)}
		got, err := f.Round(c.format, c.x, nil)
		if err != nil {
			t.Fatalf("%s at %v: %v", c.src, c.x, err)
		}
		if math.Float64bits(got) != math.Float64bits(c.want) {
			t.Errorf("%s at %v (%d-bit) = %v, want %v", c.src, c.x, c.format.Mant, got, c.want)
		}
		prec := c.format.Mant + startGuard
		v, errExp, err := f.eval(c.x, nil, prec)
		if err != nil || !certain(c.format, v, errExp) {
			t.Errorf("%s at %v (%d-bit): not settled at %d bits (error 2^%g, %v)", c.src, c.x, c.format.Mant, prec, errExp, err)
		}
	}
}
