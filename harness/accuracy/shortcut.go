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
	tails [2]tailRule // x < 0 and x > 0
	// lin is f(0) + f'(0)·x for |x| ≤ linLimit (linLimit 0: none).
	c0, c1, linLimit float64
}

// tailRule says that for every finite float32 x on one side with |x| ≥ from
// (from 0: no rule), f(x) rounds to value, or to x itself when identity.
type tailRule struct {
	from     float64
	identity bool
	value    float64 // a float32 value, exactly
}

// newShortcuts finds the tails and the linear stretch of f (f' when
// backward) at params from the high-precision evaluator.
//
// A tail starts at the smallest float32 magnitude B from which f rounds
// to its value at the largest float32 (or to x, where that is x), found by
// doubling and bisection, and the rule must then hold at every power of two
// from B up and at 64 inputs over each octave from B to 2^8·B. As with
// kernel.ZeroBeyond, those samples stand in for the rest because the tails of
// activations converge monotonically (e^x, x·e^x, erfc(x)): once the
// distance to the limit is below half a float32 ULP it stays there.
//
// The linear stretch takes c0 = f(0) and c1 = f'(0) rounded to float64, and
// M, twice the largest |f″| at 0, ±L/2 and ±L, as the bound on |f″| over
// [-L, L]. L is the largest power of two up to 2^-30 at which M·L²/2 (the
// Taylor remainder), with the roundings of c0, c1 and the sum, stays below
// 2^-46 relative to the value, a factor 4 inside the screen's margin. The
// values and slopes at ±L, ±L/2 must match the expansion to within that
// remainder, which catches a kink at 0.
func newShortcuts(k *kernel.Kernel, backward bool, params map[string]float64) (*shortcuts, error) {
	s := &shortcuts{}
	fn := k.Function(backward)
	round := func(x float64) (float64, error) {
		v, err := fn.Round(ref.Float32, x, params)
		if err != nil {
			return 0, fmt.Errorf("%s %s at %v: %w", k.Entry.Name, dirName(backward), x, err)
		}
		return v, nil
	}
	for side, sign := range []float64{-1, 1} {
		r, err := findTail(sign, round)
		if err != nil {
			return nil, err
		}
		s.tails[side] = r
	}
	s.c0, s.c1, s.linLimit = linear(k, backward, params)
	return s, nil
}

// findTail finds the tail rule on the side of sign, or none.
func findTail(sign float64, round func(float64) (float64, error)) (tailRule, error) {
	far := sign * math.MaxFloat32
	v, err := round(far)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return tailRule{}, err
	}
	rule := tailRule{identity: v == far, value: v}
	holds := func(m float64) (bool, error) {
		x := sign * m
		got, err := round(x)
		want := rule.value
		if rule.identity {
			want = x
		}
		// == takes ±0 as one value, as the sweep's ULP count does: the
		// evaluator does not promise the sign of a zero.
		return got == want, err
	}
	hi := 0x1p-20
	for {
		ok, err := holds(hi)
		if err != nil {
			return tailRule{}, err
		}
		if ok {
			break
		}
		if hi *= 2; hi > math.MaxFloat32 {
			return tailRule{}, nil
		}
	}
	// Bisect over float32 bit patterns: rule fails at lo, holds at hi.
	lo := math.Float32bits(float32(hi / 2))
	hb := math.Float32bits(float32(hi))
	if hi == 0x1p-20 {
		lo = hb // holds from the start: no need to look further down
	}
	for hb-lo > 1 {
		mid := lo + (hb-lo)/2
		ok, err := holds(float64(math.Float32frombits(mid)))
		if err != nil {
			return tailRule{}, err
		}
		if ok {
			hb = mid
		} else {
			lo = mid
		}
	}
	from := float64(math.Float32frombits(hb))
	for m := from; m <= math.MaxFloat32; m *= 2 {
		steps := 1
		if m < math.Ldexp(from, 8) {
			steps = 64
		}
		for i := 0; i < steps; i++ {
			x := m + m*float64(i)/float64(steps)
			if x > math.MaxFloat32 {
				break
			}
			ok, err := holds(float64(float32(x)))
			if err != nil || !ok {
				return tailRule{}, err
			}
		}
	}
	rule.from = from
	return rule, nil
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
	if t.from == 0 || lo < t.from {
		return filledNone
	}
	if t.identity {
		copy(want, x32)
	} else {
		v := float32(t.value)
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
