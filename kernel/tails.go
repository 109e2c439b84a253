package kernel

import (
	"fmt"
	"math"

	"github.com/actgen/actgen/ref"
)

// Tail is f (or f') on one side of 0 beyond a bound, correctly rounded.
type Tail struct {
	// From is the bound: the rule holds for every input x on the side with
	// |x| ≥ From. 0 means no bound was found.
	From float64
	// Identity says f(x) rounds to x itself; otherwise it rounds to Value
	// (±0 taken as one value).
	Identity bool
	Value    float64
}

// Tails returns, for f (or f' when backward) at params, per side ([0] for
// x < 0, [1] for x > 0), the magnitude from which f rounds in format to what
// it rounds to at the format's largest input, or to x where that is x.
//
// From is found by doubling from 1 to the first power of two where the rule
// holds, then bisecting down to the last input where it does not; From is
// that input rounded up, plus one (1 when the rule holds at 1 already).
// Every power of two from From to the format's largest value, and 64 inputs
// spread over each octave from From to 2^8·From, must follow the rule too,
// or the side gets no bound: the tails of activations converge monotonically
// (e^x, x·e^x, erfc(x)), so once within half an ULP of the rule they stay
// there, and anything else is left alone.
func (k *Kernel) Tails(backward bool, format ref.Format, params map[string]float64) ([2]Tail, error) {
	fn := k.Function(backward)
	maxExp, largest := 128, math.MaxFloat32
	if format.Mant > 24 {
		maxExp, largest = 1024, math.MaxFloat64
	}
	round := func(x float64) (float64, error) {
		v, err := fn.Round(format, x, params)
		if err != nil {
			return 0, fmt.Errorf("%s at %v: %w", k.Entry.Name, x, err)
		}
		return v, nil
	}
	var out [2]Tail
	for side, s := range []float64{-1, 1} {
		far, err := round(s * largest)
		if err != nil {
			return out, err
		}
		if math.IsNaN(far) || math.IsInf(far, 0) {
			continue
		}
		rule := Tail{Identity: far == s*largest, Value: far}
		holds := func(m float64) (bool, error) {
			v, err := round(s * m)
			want := rule.Value
			if rule.Identity {
				want = format.Float(s * m)
			}
			return v == want, err
		}
		hi := 1.0
		for e := 0; ; e++ {
			if e >= maxExp {
				hi = 0
				break
			}
			ok, err := holds(hi)
			if err != nil {
				return out, err
			}
			if ok {
				break
			}
			hi *= 2
		}
		if hi == 0 {
			continue // the rule never takes over
		}
		bound := 1.0
		if hi > 1 {
			lo := hi / 2
			for i := 0; i < 60 && math.Nextafter(lo, hi) < hi; i++ {
				mid := lo + (hi-lo)/2
				ok, err := holds(mid)
				if err != nil {
					return out, err
				}
				if ok {
					hi = mid
				} else {
					lo = mid
				}
			}
			bound = math.Ceil(lo) + 1
		}
		ok := true
		for m := bound; ok && m < math.Ldexp(1, maxExp); m *= 2 {
			steps := 1
			if m < math.Ldexp(bound, 8) {
				steps = 64
			}
			for i := 0; ok && i < steps; i++ {
				if ok, err = holds(m + m*float64(i)/float64(steps)); err != nil {
					return out, err
				}
			}
		}
		if ok {
			rule.From = bound
			out[side] = rule
		}
	}
	return out, nil
}

// ZeroBeyond returns, for f (or f' when backward) at the default parameters,
// the magnitudes beyond which every input on each side of zero has a
// correctly rounded value of ±0 in format: [0] for x ≤ -Z0, [1] for x ≥ Z1.
// A side whose limit is not 0, whose tail does not underflow within the
// format's range, or that is 0 from |x| = 1 on already, gives 0 (no bound).
// See Tails for how Z is found.
func (k *Kernel) ZeroBeyond(backward bool, format ref.Format) ([2]float64, error) {
	lim := k.ForwardLimits
	if backward {
		lim = k.DerivativeLimits
	}
	tails, err := k.Tails(backward, format, k.Defaults())
	if err != nil {
		return [2]float64{}, err
	}
	var out [2]float64
	for side, t := range tails {
		if lim[side] == 0 && !t.Identity && t.Value == 0 && t.From > 1 {
			out[side] = t.From
		}
	}
	return out, nil
}
