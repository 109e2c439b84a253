package accuracy

import (
	"fmt"
	"math"
	"math/big"

	"github.com/actgen/actgen/formula"
	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/ref"
)

// shortcuts stand in for the float64 screen where the reference is known
// in closed form, which for an activation is most of the float32 inputs: 48%
// of them have |x| ≥ 64, where f has reached its limit or f(x) rounds to x,
// and 34% have |x| ≤ 2^-40, where f(x) = f(0) + f'(0)·x to far better than
// the screen's margin. The screen (a float64 kernel at up to 26 ns per input
// for gelu's gradient) then runs on the stretch between.
//
// A shortcut gives a float64 value that goes through settle like the
// screen's, so what it cannot settle still reaches the expansion at 0 and
// the high-precision evaluator.
type shortcuts struct {
	tails [2]kernel.Tail // x < 0 and x > 0
	// lin is f(0) + f'(0)·x for |x| ≤ linLimit (linLimit 0: none).
	c0, c1, linLimit float64
}

// newShortcuts finds the tails and the linear stretch of f (f' when
// backward) at params from the high-precision evaluator.
//
// The tails are kernel.Tails in float32 at params.
//
// The linear stretch takes c0 = f(0) and c1 = f'(0) rounded to float64, and
// M, twice the largest |f″| at 0, ±L/2 and ±L, as the bound on |f″| over
// [-L, L]. L is the largest power of two up to 2^-30 at which M·L²/2 (the
// Taylor remainder), with the roundings of c0, c1 and the sum, stays below
// 2^-46 relative to the value, a factor 4 inside the screen's margin. The
// values and slopes at ±L, ±L/2 must match the expansion to within that
// remainder, which catches a kink at 0.
func newShortcuts(k *kernel.Kernel, backward bool, params map[string]float64) (*shortcuts, error) {
	tails, err := k.Tails(backward, ref.Float32, params)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.Entry.Name, dirName(backward), err)
	}
	s := &shortcuts{tails: tails}
	s.c0, s.c1, s.linLimit = linear(k, backward, params)
	return s, nil
}

// linear returns c0, c1 and the limit of the linear stretch (0: none).
func linear(k *kernel.Kernel, backward bool, params map[string]float64) (c0, c1, limit float64) {
	ev := newDerivs(k, backward, params)
	if ev == nil {
		return 0, 0, 0
	}
	f0, e0, ok0 := ev.at(0, 0)
	d0, _, ok1 := ev.at(1, 0)
	if !ok0 || !ok1 {
		return 0, 0, 0
	}
	c0, _ = f0.Float64()
	c1, _ = d0.Float64()
	if c0 == 0 && (f0.Sign() != 0 || !math.IsInf(e0, -1)) {
		return 0, 0, 0 // f(0) is tiny but maybe not 0: no relative bound
	}
	if c0 == 0 && c1 == 0 || math.IsInf(c0, 0) || math.IsInf(c1, 0) || math.IsNaN(c0+c1) {
		return 0, 0, 0
	}
	const tol = 0x1p-46
	for l := 0x1p-30; l >= 0x1p-100; l /= 2 {
		m := 0.0
		for _, x := range []float64{0, -l, -l / 2, l / 2, l} {
			v, _, ok := ev.at(2, x)
			if !ok {
				return 0, 0, 0
			}
			m = math.Max(m, math.Abs(bigF64(v)))
		}
		m *= 2
		// The smallest |value| on the stretch, for the relative bound.
		floor := math.Abs(c0) - math.Abs(c1)*l
		rem := m * l * l / 2
		if c0 == 0 {
			floor, rem = math.Abs(c1), m*l/2 // relative to |c1·x|, per unit of |x|
		}
		if floor <= 0 || rem > tol*floor {
			continue
		}
		for _, x := range []float64{-l, -l / 2, l / 2, l} {
			v, _, ok0 := ev.at(0, x)
			d, _, ok1 := ev.at(1, x)
			if !ok0 || !ok1 {
				return 0, 0, 0
			}
			// |f(x) - c0 - c1·x| ≤ M·x²/2 and |f'(x) - c1| ≤ M·|x|, with
			// c0 and c1's own rounding allowed for.
			fx := bigF64(new(big.Float).SetPrec(tinyPrec).Sub(v, new(big.Float).SetFloat64(c0+c1*x)))
			dx := bigF64(new(big.Float).SetPrec(tinyPrec).Sub(d, new(big.Float).SetFloat64(c1)))
			slack := 0x1p-52 * (math.Abs(c0) + math.Abs(c1*x))
			if math.Abs(fx) > m*x*x/2+slack || math.Abs(dx) > m*math.Abs(x)+0x1p-52*math.Abs(c1) {
				return 0, 0, 0
			}
		}
		return c0, c1, l
	}
	return 0, 0, 0
}

func bigF64(v *big.Float) float64 { f, _ := v.Float64(); return f }

// What fill did with a chunk.
const (
	filledNone = iota // no rule covers the chunk: the screen's turn
	filledY           // y holds values to settle (the linear stretch)
	filledWant        // want holds the correctly rounded results (a tail)
)

// fill covers a chunk of float32 inputs x32 (x64 in float64) when one rule
// covers all of it. A chunk is a run of consecutive bit patterns, so it is
// monotone in |x| and of one sign; chunks holding NaN or ±Inf are left to
// the screen.
func (s *shortcuts) fill(want []float32, y []float64, x32 []float32, x64 []float64) int {
	if s == nil {
		return filledNone
	}
	lo, hi := math.Abs(x64[0]), math.Abs(x64[len(x64)-1])
	if lo > hi {
		lo, hi = hi, lo
	}
	if math.IsInf(hi, 0) || math.IsNaN(hi) || math.IsNaN(lo) {
		return filledNone
	}
	if hi <= s.linLimit {
		if s.c0 == 0 {
			for i, v := range x64 {
				y[i] = s.c1 * v // keeps the sign of ±0
			}
		} else {
			for i, v := range x64 {
				y[i] = s.c0 + s.c1*v
			}
		}
		return filledY
	}
	side := 0
	if !math.Signbit(x64[0]) {
		side = 1
	}
	t := s.tails[side]
	if t.From == 0 || lo < t.From {
		return filledNone
	}
	if t.Identity {
		copy(want, x32)
	} else {
		v := float32(t.Value)
		for i := range want {
			want[i] = v
		}
	}
	return filledWant
}

// derivs evaluates f, f' and f″ of one kernel and direction at the
// high-precision evaluator's tinyPrec bits.
type derivs struct {
	nodes  [3]*formula.Node
	params map[string]*big.Float
}

// newDerivs differentiates f symbolically (twice), or returns nil when the
// formula cannot be differentiated.
func newDerivs(k *kernel.Kernel, backward bool, params map[string]float64) *derivs {
	f := k.Function(backward).Exact
	d1 := k.Derivative
	if backward {
		var err error
		if d1, err = formula.Diff(k.Derivative); err != nil {
			return nil
		}
		d1 = formula.Simplify(d1)
	}
	d2, err := formula.Diff(d1)
	if err != nil {
		return nil
	}
	bp := make(map[string]*big.Float, len(params))
	for name, v := range params {
		bp[name] = new(big.Float).SetPrec(tinyPrec).SetFloat64(v)
	}
	return &derivs{nodes: [3]*formula.Node{f, d1, formula.Simplify(d2)}, params: bp}
}

// at returns the order-th derivative at x with its error exponent, or false
// where the evaluator has no value (an error or NaN).
func (d *derivs) at(order int, x float64) (*big.Float, float64, bool) {
	v, errExp, err := ref.Eval(d.nodes[order], new(big.Float).SetPrec(tinyPrec).SetFloat64(x), d.params, tinyPrec)
	return v, errExp, err == nil && v != nil
}
