package accuracy

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/actgen/actgen/ref"
)

// TestShortcuts checks the closed forms against the high-precision
// evaluator: wherever a shortcut's value settles, it must be the correctly
// rounded result. Inputs are drawn from each rule's stretch, nearest its
// edge (where a bound found too low would show) and log-uniformly beyond.
// Functions known to have each rule must get it, so that a finder that stops
// finding fails here rather than making sweeps slow.
func TestShortcuts(t *testing.T) {
	ks, _ := kernels(t)
	r := rand.New(rand.NewPCG(3, 9))
	type want struct{ neg, pos, lin bool }
	expect := map[string]want{
		"sigmoid/forward":  {true, true, true},
		"tanh/forward":     {true, true, true},
		"silu/forward":     {true, true, true},
		"gelu/backward":    {true, true, true},
		"mish/backward":    {true, true, true},
		"softplus/forward": {true, true, true},
	}
	for _, k := range ks {
		for _, backward := range []bool{false, true} {
			name := k.Entry.Name + "/" + dirName(backward)
			params := k.Defaults()
			for p, v := range params {
				params[p] = float64(float32(v))
			}
			s, err := newShortcuts(k, backward, params)
			if err != nil {
				t.Fatal(err)
			}
			if w, ok := expect[name]; ok {
				got := want{s.tails[0].From > 0, s.tails[1].From > 0, s.linLimit > 0}
				if got != w {
					t.Errorf("%s: rules (negative tail, positive tail, linear) %v, want %v", name, got, w)
				}
			}
			fn := k.Function(backward)
			check := func(x float64) {
				x = float64(float32(x))
				y, w := []float64{0}, []float32{0}
				var got float32
				switch s.fill(w, y, []float32{float32(x)}, []float64{x}) {
				case filledNone:
					return
				case filledWant:
					got = w[0]
				case filledY:
					var ok bool
					if got, ok = settle(y[0]); !ok {
						return
					}
				}
				v, err := fn.Round(ref.Float32, x, params)
				if err != nil {
					t.Fatal(err)
				}
				if ulps32(got, float32(v)) != 0 { // ±0 alike, as in the sweep

					t.Errorf("%s at %v: shortcut gives %v, the evaluator %v", name, x, got, v)
				}
			}
			for side, sign := range []float64{-1, 1} {
				if from := s.tails[side].From; from > 0 {
					for i := 0; i < 40; i++ {
						check(sign * from * (1 + r.Float64()/16))
						check(sign * from * math.Exp2(r.Float64()*math.Log2(math.MaxFloat32/from)))
					}
					check(sign * from)
					check(sign * math.MaxFloat32)
				}
				if l := s.linLimit; l > 0 {
					for i := 0; i < 40; i++ {
						check(sign * l * (1 - r.Float64()/16))
						check(sign * l * math.Exp2(-r.Float64()*120))
					}
					check(sign * l)
				}
			}
			t.Logf("%s: tails from %v / %v (identity %v / %v), linear to %v", name,
				s.tails[0].From, s.tails[1].From, s.tails[0].Identity, s.tails[1].Identity, s.linLimit)
		}
	}
}
