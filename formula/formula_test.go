package formula

import (
	"fmt"
	"math"
	"math/big"
	"testing"
)

// testSpec mirrors the shape of spec/activations.yaml without depending on the
// spec package, so the IR is tested on its own.
var testSpec = map[string]struct {
	params  []string
	formula string
}{
	"sigmoid":    {nil, "1 / (1 + exp(-x))"},
	"relu":       {nil, "select(x > 0, x, 0)"},
	"leaky_relu": {[]string{"alpha"}, "select(x > 0, x, alpha * x)"},
	"elu":        {[]string{"alpha"}, "select(x > 0, x, alpha * (exp(x) - 1))"},
	"softplus":   {[]string{"beta", "threshold"}, "select(beta * x > threshold, x, log(1 + exp(beta * x)) / beta)"},
	"silu":       {nil, "x * sigmoid(x)"},
	"mish":       {nil, "x * tanh(softplus(x))"},
	"gelu":       {nil, "x * 0.5 * (1 + erf(x / sqrt(2)))"},
	"gelu_tanh":  {nil, "0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x * x * x)))"},
	"abs_min":    {nil, "min(abs(x), 6) + max(x, 0) - 2 * x * sqrt(1 + x * x) + log(1 + x * x) + cosh(x) / 10"},
}

var defaults = map[string]map[string]*Node{
	"softplus": {"beta": Int(1), "threshold": Int(20)},
}

func build(t testing.TB, name string) *Node {
	t.Helper()
	e := testSpec[name]
	ast, err := ParseExpr(e.formula)
	if err != nil {
		t.Fatal(err)
	}
	env := Env{Params: e.params, Call: func(callee string, args []*Node) (*Node, error) {
		body := build(t, callee)
		bind := map[string]*Node{}
		for k, v := range defaults[callee] {
			bind[k] = v
		}
		for i, p := range testSpec[callee].params {
			if i+1 < len(args) {
				bind[p] = args[i+1]
			}
		}
		return Subst(body, args[0], bind), nil
	}}
	n, err := Convert(ast, env)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return Simplify(n)
}

var testParams = map[string]float64{"alpha": 0.3, "beta": 1.5, "threshold": 20}

func TestDiffMatchesFiniteDifferences(t *testing.T) {
	for name := range testSpec {
		f := build(t, name)
		d, err := Diff(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, x := range []float64{-7.3, -3.1, -1.2, -0.4, 0.3, 0.9, 2.2, 5.5, 11.1} {
			const h = 1e-5
			num := (Eval64(f, x+h, testParams) - Eval64(f, x-h, testParams)) / (2 * h)
			got := Eval64(d, x, testParams)
			if math.Abs(got-num) > 1e-6*math.Max(1, math.Abs(num)) {
				t.Errorf("%s'(%g) = %g, finite difference %g\n  f  = %s\n  f' = %s", name, x, got, num, f, d)
			}
		}
	}
}

func TestStabilizeKeepsValues(t *testing.T) {
	for name := range testSpec {
		f := build(t, name)
		d, err := Diff(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []*Node{f, d} {
			s := Stabilize(n)
			for _, x := range []float64{-4.5, -1.5, -0.25, 0.125, 0.75, 3.5, 6} {
				want, got := Eval64(n, x, testParams), Eval64(s, x, testParams)
				if math.Abs(got-want) > 1e-13*math.Max(1, math.Abs(want)) {
					t.Errorf("%s at %g: stabilized %g, original %g\n  %s\n  %s", name, x, got, want, n, s)
				}
			}
		}
	}
}

// The rewrites must remove the cancellations they exist for: these values are
// exact to float64 precision from the stable forms and garbage without them.
func TestStabilizeFixesTails(t *testing.T) {
	cases := []struct {
		name string
		diff bool
		x    float64
		want float64
	}{
		{"gelu", false, -10, -7.619853024160526e-23},
		{"gelu_tanh", false, -10, -1.2040923482e-37},
		{"sigmoid", true, -800, 0},
		{"elu", false, -1e-10, -2.99999999985e-11},
	}
	for _, c := range cases {
		n := build(t, c.name)
		if c.diff {
			var err error
			if n, err = Diff(n); err != nil {
				t.Fatal(err)
			}
		}
		got := Eval64(Stabilize(n), c.x, testParams)
		if c.want == 0 && got != 0 || c.want != 0 && math.Abs(got-c.want) > 1e-3*math.Abs(c.want) {
			t.Errorf("%s(%g) diff=%v: %g, want %g (%s)", c.name, c.x, c.diff, got, c.want, Stabilize(n))
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	for name := range testSpec {
		f := build(t, name)
		d, _ := Diff(f)
		for _, n := range []*Node{f, d, Stabilize(f), Stabilize(d)} {
			ast, err := ParseExpr(n.String())
			if err != nil {
				t.Fatalf("%s: %v in %s", name, err, n)
			}
			m, err := Convert(ast, Env{Params: testSpec[name].params})
			if err != nil {
				t.Fatalf("%s: %v in %s", name, err, n)
			}
			if m = Simplify(m); !Equal(m, Simplify(n)) {
				t.Errorf("%s: round trip changed\n  %s\n  %s", name, n, m)
			}
		}
	}
}

func TestKinkDerivatives(t *testing.T) {
	for _, c := range []struct {
		name string
		want float64
	}{{"relu", 0}, {"leaky_relu", 0.3}, {"elu", 0.3}} {
		d, _ := Diff(build(t, c.name))
		if got := Eval64(d, 0, testParams); got != c.want {
			t.Errorf("%s'(0) = %g, want %g (PyTorch autograd)", c.name, got, c.want)
		}
	}
}

func ExampleStabilize() {
	n := Simplify(Bin(Mul, Bin(Mul, Input(), Num(ratOf(0.5))), Bin(Add, Int(1), Fn("erf", Bin(Div, Input(), Fn("sqrt", Int(2)))))))
	fmt.Println(n)
	fmt.Println(Stabilize(n))
	// Output:
	// 0.5 * x * (1 + erf(x / sqrt(2)))
	// 0.5 * x * erfc(-(x / sqrt(2)))
}

func ratOf(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }

// TestStabilizeMish checks the tanh(softplus) rules: Mish's stable form needs
// neither tanh nor log1p, and it keeps Mish's values, above the softplus
// threshold (where tanh rounds to 1) and in the tails included.
func TestStabilizeMish(t *testing.T) {
	n := build(t, "mish")
	s := Stabilize(n)
	Walk(s, func(m *Node) {
		if isCall(m, "tanh") || isCall(m, "log1p") {
			t.Errorf("%s left in the stable form %s", m.Name, s)
		}
	})
	for _, x := range []float64{-700, -80, -20, -3, -0.5, -1e-300, 0, 1e-300, 0.5, 3, 19.9, 20, 20.1, 50, 1e300} {
		sp := math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
		if x > 20 {
			sp = x
		}
		want := x * math.Tanh(sp)
		if got := Eval64(s, x, testParams); math.Abs(got-want) > 1e-15*math.Abs(want) {
			t.Errorf("mish(%g): stable form %g, want %g", x, got, want)
		}
	}
}

// TestStabilizeMishDerivative checks the Mish′ rule: the gradient becomes one
// fraction of polynomials in exp(-abs(x)), with one exp and one division, and
// it keeps the stated derivative's values, above the threshold and in the
// tails included. It also holds without the threshold.
func TestStabilizeMishDerivative(t *testing.T) {
	// want is Mish′ in float64 from the primitives, stable in both tails.
	want := func(x float64, threshold bool) float64 {
		sp := math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
		sig := 1 / (1 + math.Exp(-x))
		if threshold && x > 20 {
			sp, sig = x, 1
		}
		c := math.Cosh(sp)
		return math.Tanh(sp) + x*sig/(c*c)
	}
	bare := Simplify(Bin(Mul, Input(), Fn("tanh", Fn("log", Bin(Add, Int(1), Fn("exp", Input()))))))
	for i, f := range []*Node{build(t, "mish"), bare} {
		d, err := Diff(f)
		if err != nil {
			t.Fatal(err)
		}
		s := Stabilize(d)
		divs := 0
		Walk(s, func(m *Node) {
			if m.Kind == Div {
				divs++
			}
			if m.Kind == Call && m.Name != "exp" && m.Name != "abs" {
				t.Errorf("%s left in the stable form %s", m.Name, s)
			}
		})
		if divs != 1 {
			t.Errorf("%d divisions in %s, want 1", divs, s)
		}
		for _, x := range []float64{-700, -80, -20, -5, -2.5, -0.1, -1e-300, 0, 1e-300, 0.1, 0.5, 3, 19.9, 20, 20.1, 50, 1e300} {
			want := want(x, i == 0)
			if got := Eval64(s, x, testParams); math.Abs(got-want) > 2e-15*math.Abs(want) {
				t.Errorf("mish'(%g): stable form %g, want %g\n  %s", x, got, want, s)
			}
		}
	}
}

// TestStabilizeLogisticFraction checks the logistic rules: the gradients of
// sigmoid, tanh, silu and gelu_tanh divide once and call no logistic, and
// (TestStabilizeKeepsValues) keep their values; far out in both tails too.
func TestStabilizeLogisticFraction(t *testing.T) {
	for _, name := range []string{"sigmoid", "silu", "gelu_tanh"} {
		d, err := Diff(build(t, name))
		if err != nil {
			t.Fatal(err)
		}
		s := Stabilize(d)
		divs := 0
		Walk(s, func(m *Node) {
			if m.Kind == Div && m.Args[1].HasX() {
				divs++
			}
			if isCall(m, "logistic") {
				t.Errorf("%s: logistic left in %s", name, s)
			}
		})
		if divs != 1 {
			t.Errorf("%s: %d divisions in %s, want 1", name, divs, s)
		}
	}
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	d, _ := Diff(build(t, "silu"))
	s := Stabilize(d)
	for _, x := range []float64{-700, -80, -20, -5, -0.1, 0, 0.1, 5, 20, 80, 700} {
		want := sig(x) * (1 + x*sig(-x))
		if got := Eval64(s, x, nil); math.Abs(got-want) > 2e-15*math.Abs(want) {
			t.Errorf("silu'(%g): stable form %g, want %g", x, got, want)
		}
	}
}

// TestHornerPoly checks the polynomial rule: gelu_tanh's argument becomes
// x·(c1 + x·(x·c3)), three uses of x and constant coefficients, with the
// same values; degree 1 and non-polynomials stay as written.
func TestHornerPoly(t *testing.T) {
	parse := func(src string) *Node {
		ast, err := ParseExpr(src)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Convert(ast, Env{Params: []string{"alpha"}})
		if err != nil {
			t.Fatal(err)
		}
		return Simplify(n)
	}
	n := parse("2 * (sqrt(2 / pi) * (x + 0.044715 * x * x * x))")
	h, ok := hornerPoly(n)
	if !ok {
		t.Fatalf("no Horner form for %s", n)
	}
	xs := 0
	Walk(h, func(m *Node) {
		if m.Kind == X {
			xs++
		}
	})
	if xs != 3 {
		t.Errorf("%s: x used %d times, want 3", h, xs)
	}
	for _, x := range []float64{-7, -1.5, 0, 0.3, 4} {
		if got, want := Eval64(h, x, nil), Eval64(n, x, nil); math.Abs(got-want) > 1e-15*math.Max(1, math.Abs(want)) {
			t.Errorf("at %g: Horner form %g, written %g", x, got, want)
		}
	}
	for _, src := range []string{"2 * x + 1", "x * exp(x) * x", "alpha * x * x", "x / (1 + x * x)",
		"(1 + x) * (1 + x)", "x * (1 - x * x)", "x * x + x * x * x"} {
		if h, ok := hornerPoly(parse(src)); ok {
			t.Errorf("%s rewritten to %s", src, h)
		}
	}
}
