package kernel

import (
	"math"
	"math/big"
	"testing"

	"github.com/actgen/actgen/ref"
	"github.com/actgen/actgen/spec"
)

func buildSpec(t *testing.T) map[string]*Kernel {
	t.Helper()
	s, err := spec.Load("../spec/activations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ks, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*Kernel{}
	for _, k := range ks {
		m[k.Entry.Name] = k
	}
	return m
}

// The symbolic derivative must agree with a central difference of the forward
// formula, both evaluated by the reference at 300 bits (h = 2^-60, so the
// difference is exact to about 2^-110).
func TestDerivativeMatchesReference(t *testing.T) {
	const prec = 300
	for name, k := range buildSpec(t) {
		params := map[string]*big.Float{}
		for p, v := range k.Defaults() {
			params[p] = new(big.Float).SetPrec(prec).SetFloat64(v)
		}
		for _, x := range []float64{-9.7, -3.3, -1.1, -0.3, 0.2, 0.7, 1.9, 4.4, 12.5} {
			h := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -60)
			at := func(dx *big.Float, sign int) *big.Float {
				xb := new(big.Float).SetPrec(prec).SetFloat64(x)
				if sign > 0 {
					xb.Add(xb, dx)
				} else {
					xb.Sub(xb, dx)
				}
				v, _, err := ref.Eval(k.Forward, xb, params, prec)
				if err != nil {
					t.Fatalf("%s(%v): %v", name, x, err)
				}
				return v
			}
			num := new(big.Float).SetPrec(prec).Sub(at(h, 1), at(h, -1))
			num.Quo(num, new(big.Float).SetPrec(prec).Mul(h, big.NewFloat(2)))
			d, _, err := ref.Eval(k.Derivative, new(big.Float).SetPrec(prec).SetFloat64(x), params, prec)
			if err != nil {
				t.Fatal(err)
			}
			diff := new(big.Float).Sub(num, d)
			scale := new(big.Float).Abs(d)
			if scale.Cmp(big.NewFloat(1e-30)) < 0 {
				scale = big.NewFloat(1)
			}
			if rel, _ := new(big.Float).Quo(diff, scale).Float64(); math.Abs(rel) > 1e-25 {
				t.Errorf("%s'(%v): symbolic %v, central difference %v", name, x, d, num)
			}
		}
	}
}

func TestLimitsAndPatches(t *testing.T) {
	ks := buildSpec(t)
	negZero := math.Copysign(0, -1)
	for _, c := range []struct {
		name     string
		backward bool
		want     [2]float64
	}{
		{"sigmoid", false, [2]float64{0, 1}},
		{"sigmoid", true, [2]float64{0, 0}},
		{"gelu", false, [2]float64{negZero, math.Inf(1)}},
		{"gelu", true, [2]float64{0, 1}},
		{"elu", false, [2]float64{-1, math.Inf(1)}},
		{"mish", false, [2]float64{negZero, math.Inf(1)}},
		{"tanh", true, [2]float64{0, 0}},
		{"softplus", false, [2]float64{0, math.Inf(1)}},
	} {
		k := ks[c.name]
		got := k.ForwardLimits
		if c.backward {
			got = k.DerivativeLimits
		}
		for i := range got {
			if got[i] != c.want[i] || math.Signbit(got[i]) != math.Signbit(c.want[i]) {
				t.Errorf("%s (backward %v) limits %v, want %v", c.name, c.backward, got, c.want)
				break
			}
		}
	}
	// f' has one interior root for these, where its terms cancel.
	for name, root := range map[string]float64{"silu": -1.2785, "mish": -1.1924, "gelu": -0.7518, "gelu_tanh": -0.7522} {
		ps := ks[name].DerivativePatches
		if len(ps) != 1 || math.Abs(ps[0].X0Hi-root) > 1e-3 {
			t.Errorf("%s: patches %+v, want one at %v", name, ps, root)
		}
	}
	for _, name := range []string{"sigmoid", "relu", "tanh", "elu"} {
		if n := len(ks[name].DerivativePatches); n != 0 {
			t.Errorf("%s: %d derivative patches, want none", name, n)
		}
	}
}

// TestZeroBeyond checks the underflow bounds against the tails worked out by
// hand: silu(x) ≈ x·e^x falls below half the smallest subnormal
// (2^-150 ≈ 7.0e-46 in float32, 2^-1075 in float64) between x = -108 and
// -109 (float32) and between -751 and -752 (float64), the bound being the last
// nonzero input rounded up, plus one.
func TestZeroBeyond(t *testing.T) {
	ks := buildSpec(t)
	cases := []struct {
		name     string
		backward bool
		format   ref.Format
		want     [2]float64
	}{
		{"silu", false, ref.Float32, [2]float64{110, 0}},
		{"silu", false, ref.Float64, [2]float64{753, 0}},
		{"gelu", false, ref.Float32, [2]float64{16, 0}},     // x·Φ(x) ≈ φ(x): e^(-x²/2) < 2^-150 near x = -14.3
		{"sigmoid", false, ref.Float32, [2]float64{105, 0}}, // e^x < 2^-150 from x = -103.98
		{"relu", false, ref.Float32, [2]float64{0, 0}},      // exactly 0 from x = 0 on: no tail to bound
		{"tanh", false, ref.Float32, [2]float64{0, 0}},      // limits ±1
	}
	for _, c := range cases {
		got, err := ks[c.name].ZeroBeyond(c.backward, c.format)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s (backward %v, %d bits): bounds %v, want %v", c.name, c.backward, c.format.Mant, got, c.want)
		}
	}
}
