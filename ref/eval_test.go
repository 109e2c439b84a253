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
