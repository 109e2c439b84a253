package accuracy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/out/act"
	"github.com/actgen/actgen/ref"
	"github.com/actgen/actgen/spec"
)

// Result is the worst error of one implementation, type and direction.
type Result struct {
	Impl     string
	Type     string // float32 or float64
	Backward bool
	Points   int
	MaxULP   uint64  // math.MaxUint64 when a NaN appeared where a number was due, or vice versa
	WorstX   float64 // an input where MaxULP occurs
	Budget   int
}

// OK reports whether the error is within the budget.
func (r Result) OK() bool { return r.MaxULP <= uint64(r.Budget) }

// ULPText prints MaxULP, spelling out NaN mismatches.
func (r Result) ULPText() string {
	if r.MaxULP == math.MaxUint64 {
		return "NaN mismatch"
	}
	return fmt.Sprint(r.MaxULP)
}

// Sample returns n inputs of one type (float32 values when is32): half uniform
// in [-12, 12] where activations bend, the rest log-uniform magnitudes from
// 2^-40 to 2^12 and raw bit patterns, so tails and tiny values count too.
func Sample(n int, is32 bool, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	xs := make([]float64, 0, n)
	for len(xs) < n {
		var x float64
		switch len(xs) % 4 {
		case 0, 1:
			x = r.Float64()*24 - 12
		case 2:
			x = math.Copysign(math.Exp2(r.Float64()*52-40), r.Float64()-0.5)
		default:
			if is32 {
				x = float64(math.Float32frombits(r.Uint32()))
			} else {
				x = math.Float64frombits(r.Uint64())
			}
		}
		if is32 {
			x = float64(float32(x))
		}
		if !math.IsNaN(x) {
			xs = append(xs, x)
		}
	}
	return xs
}

// Case names one of the four measurements of a kernel: type and direction.
type Case struct{ Is32, Backward bool }

// Cases are the four measurements in report order.
var Cases = []Case{{true, false}, {true, true}, {false, false}, {false, true}}

// Wanted holds the correctly rounded results for each Case, computed once per
// kernel and shared by all its implementations.
type Wanted map[Case][]float64

// References computes the reference results of k for every Case, over xs32 for
// float32 and xs64 for float64.
func References(k *kernel.Kernel, xs32, xs64 []float64) (Wanted, error) {
	w := Wanted{}
	for _, c := range Cases {
		xs, format := xs64, ref.Float64
		if c.Is32 {
			xs, format = xs32, ref.Float32
		}
		v, err := Reference(k, c.Backward, format, xs)
		if err != nil {
			return nil, err
		}
		w[c] = v
	}
	return w, nil
}

// Measure runs one implementation of k in out/act over xs32 and xs64 (at the
// default parameters, with dy = 1 so the backward result is f'(x) itself) and
// compares with the reference results want.
func Measure(k *kernel.Kernel, impl act.Impl, budget act.Budget, xs32, xs64 []float64, want Wanted) []Result {
	var out []Result
	for _, c := range Cases {
		xs, typ := xs64, "float64"
		if c.Is32 {
			xs, typ = xs32, "float32"
		}
		if c.Is32 && impl.Forward32 == nil || !c.Is32 && impl.Forward64 == nil {
			continue // the variant does not exist for this type (avx2-u32-rcp: float32 only)
		}
		got := Run(k, impl, c.Is32, c.Backward, xs)
		res := Result{Impl: impl.Name, Type: typ, Backward: c.Backward, Points: len(xs), Budget: spec.Budget(budget).Of(c.Is32, c.Backward)}
		for i := range xs {
			d := ULPs(got[i], want[c][i], c.Is32)
			if d > res.MaxULP || i == 0 {
				res.MaxULP, res.WorstX = d, xs[i]
			}
		}
		out = append(out, res)
	}
	return out
}

// Run evaluates one implementation on xs (float32 values when is32) at the
// default parameters, with dy = 1 for backward.
func Run(k *kernel.Kernel, impl act.Impl, is32, backward bool, xs []float64) []float64 {
	defaults := k.Defaults()
	got := make([]float64, len(xs))
	if is32 {
		x, dy, y := make([]float32, len(xs)), make([]float32, len(xs)), make([]float32, len(xs))
		p := make([]float32, len(k.Entry.Params))
		for i, q := range k.Entry.Params {
			p[i] = float32(defaults[q.Name])
		}
		for i, v := range xs {
			x[i], dy[i] = float32(v), 1
		}
		if backward {
			impl.Backward32(y, x, dy, p)
		} else {
			impl.Forward32(y, x, p)
		}
		for i, v := range y {
			got[i] = float64(v)
		}
		return got
	}
	dy := make([]float64, len(xs))
	p := make([]float64, len(k.Entry.Params))
	for i, q := range k.Entry.Params {
		p[i] = defaults[q.Name]
	}
	for i := range dy {
		dy[i] = 1
	}
	if backward {
		impl.Backward64(got, xs, dy, p)
	} else {
		impl.Forward64(got, xs, p)
	}
	return got
}

// Reference returns f(x) (or f'(x)) correctly rounded to format for every x, at
// the default parameters rounded to the format, using every CPU.
func Reference(k *kernel.Kernel, backward bool, format ref.Format, xs []float64) ([]float64, error) {
	f := k.Function(backward)
	params := k.Defaults()
	if format.Mant == ref.Float32.Mant {
		for name, v := range params {
			params[name] = float64(float32(v))
		}
	}
	out := make([]float64, len(xs))
	errs := make([]error, len(xs))
	var wg sync.WaitGroup
	workers := runtime.NumCPU()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(xs); i += workers {
				out[i], errs[i] = f.Round(format, xs[i], params)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s at %v: %w", k.Entry.Name, xs[i], err)
		}
	}
	return out, nil
}

// ULPs is the distance between a and b in steps of the type; ±0 are one value
// and a NaN is infinitely far from anything but a NaN.
func ULPs(a, b float64, is32 bool) uint64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		if math.IsNaN(a) && math.IsNaN(b) {
			return 0
		}
		return math.MaxUint64
	}
	oa, ob := ordered(a, is32), ordered(b, is32)
	if oa > ob {
		return uint64(oa - ob)
	}
	return uint64(ob - oa)
}

func ordered(f float64, is32 bool) int64 {
	var b int64
	if is32 {
		b = int64(math.Float32bits(float32(f)) &^ (1 << 31))
	} else {
		b = int64(math.Float64bits(f) &^ (1 << 63))
	}
	if math.Signbit(f) {
		return -b
	}
	return b
}
