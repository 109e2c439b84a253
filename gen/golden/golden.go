package golden

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"

	"github.com/actgen/actgen/formula"
	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/ref"
)

// dyParam names the upstream gradient inside the backward reference formula;
// upper case, so no spec parameter (snake_case) can take the name.
const dyParam = "DY"

// format is one floating-point type of the tables.
type format struct {
	name       string
	ref        ref.Format
	round      func(float64) float64 // to the nearest value of the type
	next       func(x float64, up bool) float64
	randomBits func(r *rand.Rand) float64
	max        float64
	minNormal  float64
}

var formats = []format{
	{
		name:  "f32",
		ref:   ref.Float32,
		round: func(v float64) float64 { return float64(float32(v)) },
		next: func(x float64, up bool) float64 {
			return float64(math.Nextafter32(float32(x), float32(math.Copysign(math.Inf(1), b2f(up)))))
		},
		randomBits: func(r *rand.Rand) float64 { return float64(math.Float32frombits(r.Uint32())) },
		max:        math.MaxFloat32,
		minNormal:  0x1p-126,
	},
	{
		name:       "f64",
		ref:        ref.Float64,
		round:      func(v float64) float64 { return v },
		next:       func(x float64, up bool) float64 { return math.Nextafter(x, math.Copysign(math.Inf(1), b2f(up))) },
		randomBits: func(r *rand.Rand) float64 { return math.Float64frombits(r.Uint64()) },
		max:        math.MaxFloat64,
		minNormal:  0x1p-1022,
	},
}

func b2f(up bool) float64 {
	if up {
		return 1
	}
	return -1
}

// Sizes of the random parts of a table, per type and parameter setting.
const (
	randomBits     = 500 // uniform over bit patterns: tiny, huge and everything between
	randomNear     = 900 // uniform in [-12, 12], where activations bend
	randomWide     = 300 // uniform in [-120, 120], the tails and saturation
	randomLog      = 400 // log-uniform magnitudes 2^-40 .. 2^12, either sign
	neighbours     = 6   // float steps on each side of every kink and edge
	altRandomShare = 4   // the alternative parameter setting gets 1/4 of the random points
)

// Table returns the golden table of k: inputs from every region that matters, a
// gradient per input, and the correctly rounded f(x) and dy·f'(x) from the
// reference evaluator, for float32 and float64, at the default parameters and
// (for entries with parameters) one other setting.
func Table(k *kernel.Kernel) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Golden table of %s, written by actgen (gen/golden) from the high-precision reference: do not edit.\n", k.Entry.Name)
	fmt.Fprintf(&b, "# f(x) = %s\n# f'(x) = %s\n", k.Forward, k.Derivative)
	fmt.Fprintf(&b, "# Rows: type x dy f(x) dy*f'(x), IEEE bits in hex, results correctly rounded.\n")
	fmt.Fprintf(&b, "# A params line gives the parameters (float64 bits, in spec order) of the rows below it.\n")
	settings := []map[string]float64{k.Defaults()}
	if len(k.Entry.Params) > 0 {
		alt := map[string]float64{}
		for name, v := range k.Defaults() {
			alt[name] = v*1.5 + 0.125
		}
		settings = append(settings, alt)
	}
	for si, params := range settings {
		b.WriteString("params")
		for _, p := range k.Entry.Params {
			fmt.Fprintf(&b, " %016x", math.Float64bits(params[p.Name]))
		}
		b.WriteString("\n")
		for _, f := range formats {
			share := 1
			if si > 0 {
				share = altRandomShare
			}
			fp := map[string]float64{}
			for name, v := range params {
				fp[name] = f.round(v)
			}
			xs := points(k, f, fp, share)
			rows, err := evaluate(k, f, fp, xs)
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				if f.name == "f32" {
					fmt.Fprintf(&b, "f32 %08x %08x %08x %08x\n", bits32(r[0]), bits32(r[1]), bits32(r[2]), bits32(r[3]))
				} else {
					fmt.Fprintf(&b, "f64 %016x %016x %016x %016x\n", math.Float64bits(r[0]), math.Float64bits(r[1]), math.Float64bits(r[2]), math.Float64bits(r[3]))
				}
			}
		}
	}
	return b.Bytes(), nil
}

func bits32(v float64) uint32 { return math.Float32bits(float32(v)) }

// points chooses the inputs: special values, every kink and saturation edge with
// its float neighbours, and random values, deduplicated and sorted.
func points(k *kernel.Kernel, f format, params map[string]float64, share int) []float64 {
	h := fnv.New64a()
	h.Write([]byte(k.Entry.Name + f.name))
	r := rand.New(rand.NewPCG(h.Sum64(), uint64(share)))
	set := map[uint64]float64{}
	add := func(x float64) {
		x = f.round(x)
		set[math.Float64bits(x)] = x
	}
	around := func(x float64) {
		add(x)
		lo, hi := f.round(x), f.round(x)
		for i := 0; i < neighbours; i++ {
			lo, hi = f.next(lo, false), f.next(hi, true)
			add(lo)
			add(hi)
		}
	}
	for _, s := range []float64{0, 0x1p-149, 0x1p-1074, f.minNormal, 1e-30, 1e-10, 1e-5, 0.1, 0.5, 1, 2, 3, 10, 30, 100, 1000, 1e10, 1e30, f.max, math.Inf(1)} {
		add(s)
		add(-s)
	}
	add(math.NaN())
	for _, x := range kinks(k, params) {
		around(x)
	}
	for _, x := range edges(k, f, params) {
		around(x)
	}
	for _, p := range k.DerivativePatches {
		around(p.X0Hi) // f' cancels to 0 here
		around(p.X0Hi + p.Radius)
		around(p.X0Hi - p.Radius)
	}
	for i := 0; i < randomBits/share; i++ {
		if x := f.randomBits(r); !math.IsNaN(x) {
			add(x)
		}
	}
	for i := 0; i < randomNear/share; i++ {
		add(r.Float64()*24 - 12)
	}
	for i := 0; i < randomWide/share; i++ {
		add(r.Float64()*240 - 120)
	}
	for i := 0; i < randomLog/share; i++ {
		add(math.Copysign(math.Exp2(r.Float64()*52-40), r.Float64()-0.5))
	}
	xs := make([]float64, 0, len(set))
	for _, x := range set {
		xs = append(xs, x)
	}
	sort.Slice(xs, func(i, j int) bool {
		a, b := xs[i], xs[j]
		if math.IsNaN(a) || math.IsNaN(b) {
			return !math.IsNaN(a) && math.IsNaN(b)
		}
		if a == b {
			return math.Signbit(a) && !math.Signbit(b)
		}
		return a < b
	})
	return xs
}

// scan is the grid kinks and edges are searched on: ±2^(k/4) for k from -80 to
// 4·1024, plus 0.
func scan() []float64 {
	xs := []float64{0}
	for e := -80; e <= 4*1024; e++ {
		v := math.Exp2(float64(e) / 4)
		if math.IsInf(v, 0) {
			break
		}
		xs = append(xs, v, -v)
	}
	sort.Float64s(xs)
	return xs
}

// kinks finds the x where a condition of a select changes value, by bisection
// between grid points where it differs.
func kinks(k *kernel.Kernel, params map[string]float64) []float64 {
	var conds []*formula.Node
	for _, n := range []*formula.Node{k.Forward, k.Derivative} {
		formula.Walk(n, func(m *formula.Node) {
			if m.Kind == formula.Select {
				conds = append(conds, m.Args[0])
			}
		})
	}
	var out []float64
	grid := scan()
	for _, c := range conds {
		test := func(x float64) bool {
			return formula.Eval64(formula.Sel(c, formula.Int(1), formula.Int(0)), x, params) == 1
		}
		out = append(out, boundaries(grid, func(x float64) int { return btoi(test(x)) })...)
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// edges finds where f and f', rounded to the type, change class: reach their
// limit, overflow, or underflow to subnormal or zero. The float64 evaluation of
// the stable form is accurate enough to locate them; the rows near them are then
// computed by the reference.
func edges(k *kernel.Kernel, f format, params map[string]float64) []float64 {
	var out []float64
	grid := scan()
	for i, n := range []*formula.Node{k.StableForward, k.StableDerivative} {
		lim := k.ForwardLimits
		if i == 1 {
			lim = k.DerivativeLimits
		}
		class := func(x float64) int {
			v := f.round(formula.Eval64(n, x, params))
			a := math.Abs(v)
			switch {
			case math.IsNaN(v):
				return 0
			case v == f.round(lim[0]):
				return 1
			case v == f.round(lim[1]):
				return 2
			case math.IsInf(v, 0):
				return 3
			case a == 0:
				return 4
			case a < f.minNormal:
				return 5
			}
			return 6
		}
		out = append(out, boundaries(grid, class)...)
	}
	return out
}

// boundaries bisects every grid interval whose ends differ in class and returns
// the upper end of each boundary found.
func boundaries(grid []float64, class func(float64) int) []float64 {
	var out []float64
	for i := 1; i < len(grid); i++ {
		lo, hi := grid[i-1], grid[i]
		cl, ch := class(lo), class(hi)
		if cl == ch {
			continue
		}
		for j := 0; j < 80; j++ {
			mid := lo + (hi-lo)/2
			if mid == lo || mid == hi {
				break
			}
			if class(mid) == cl {
				lo = mid
			} else {
				hi = mid
			}
		}
		out = append(out, hi)
	}
	return out
}

// evaluate computes the reference rows for xs on all CPUs. Rows are
// {x, dy, f(x), dy·f'(x)}.
func evaluate(k *kernel.Kernel, f format, params map[string]float64, xs []float64) ([][4]float64, error) {
	fwd := k.Function(false)
	dy := formula.Par(dyParam)
	bwd := ref.Function{Exact: formula.Bin(formula.Mul, dy, k.Derivative), Fallback: formula.Bin(formula.Mul, dy, k.StableDerivative)}
	rows := make([][4]float64, len(xs))
	errs := make([]error, len(xs))
	h := fnv.New64a()
	h.Write([]byte(k.Entry.Name + f.name + "dy"))
	r := rand.New(rand.NewPCG(h.Sum64(), 7))
	for i, x := range xs {
		d := 1.0
		if i%5 != 0 { // every fifth row keeps dy = 1, so dx is f'(x) itself
			d = f.round(math.Copysign(0.5+1.5*r.Float64(), r.Float64()-0.3))
		}
		rows[i] = [4]float64{x, d}
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := make(map[string]float64, len(params)+1)
			for name, v := range params {
				p[name] = v
			}
			for i := range next {
				x := rows[i][0]
				p[dyParam] = rows[i][1]
				var err error
				if rows[i][2], err = fwd.Round(f.ref, x, params); err != nil {
					errs[i] = fmt.Errorf("%s(%v): %w", k.Entry.Name, x, err)
					continue
				}
				if rows[i][3], err = bwd.Round(f.ref, x, p); err != nil {
					errs[i] = fmt.Errorf("%s'(%v): %w", k.Entry.Name, x, err)
				}
			}
		}()
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}
