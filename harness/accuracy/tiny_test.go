package accuracy

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/actgen/actgen/ref"
)

// TestTiny checks the expansion near 0 against the high-precision evaluator
// where it applies, on the inputs it exists for (odd subnormals and the odd
// inputs of the lowest normal binade, whose f(x) ≈ x/2 are exact float32
// midpoints) and on other tiny inputs, and that it applies to the forward
// functions that need it.
func TestTiny(t *testing.T) {
	ks, _ := kernels(t)
	need := map[string]bool{"silu": true, "gelu": true, "gelu_tanh": true}
	r := rand.New(rand.NewPCG(7, 7))
	for _, k := range ks {
		for _, backward := range []bool{false, true} {
			params := k.Defaults()
			for name, v := range params {
				params[name] = float64(float32(v))
			}
			tz := newTiny(k, backward, params)
			if tz == nil {
				if need[k.Entry.Name] && !backward {
					t.Errorf("%s forward: no expansion near 0", k.Entry.Name)
				}
				continue
			}
			fn := k.Function(backward)
			n := 0
			for i := 0; i < 120; i++ {
				var bits uint32
				switch i % 3 {
				case 0:
					bits = r.Uint32N(1<<23) | 1 // odd subnormal
				case 1:
					bits = 1<<23 | r.Uint32N(1<<23) | 1 // odd, lowest normal binade
				default:
					bits = r.Uint32N(uint32(math.Float32bits(float32(tinyLimit))))
				}
				x := float64(math.Float32frombits(bits | r.Uint32N(2)<<31))
				got, ok := tz.round(x)
				if !ok {
					t.Fatalf("%s %s: %v not decided", k.Entry.Name, dirName(backward), x)
				}
				want, err := fn.Round(ref.Float32, x, params)
				if err != nil {
					t.Fatal(err)
				}
				if math.Float32bits(got) != math.Float32bits(float32(want)) {
					t.Errorf("%s %s at %v: expansion gives %v, the evaluator %v", k.Entry.Name, dirName(backward), x, got, want)
				}
				n++
			}
			if _, ok := tz.round(2 * tinyLimit); ok {
				t.Errorf("%s %s: decided beyond the limit", k.Entry.Name, dirName(backward))
			}
			t.Logf("%s %s: c1 = %v, f'' > 0: %v, %d inputs agree", k.Entry.Name, dirName(backward), tz.c1, tz.up, n)
		}
	}
}
