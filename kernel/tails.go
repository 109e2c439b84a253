package kernel

import (
	"fmt"
	"math"

	"github.com/actgen/actgen/ref"
)

// ZeroBeyond returns, for f (or f' when backward) at the default parameters,
// the magnitudes beyond which every input on each side of zero has a
// correctly rounded value of ±0 in format: [0] for x ≤ -Z0, [1] for x ≥ Z1.
// A side whose limit is not 0, or whose tail does not underflow within the
// format's range, gives 0 (no bound).
//
// Z is found by doubling to the first power of two where the value rounds to
// zero, then bisecting down to the last input that does not; the result is
// that input plus one. Every power of two from Z to the format's largest
// value, and 64 inputs spread over each octave from Z to 2^8·Z, must round to
// zero too, or the side gets no bound: the tails this is for (x·e^x,
// x·erfc(x)) shrink monotonically, and anything else is left alone.
func (k *Kernel) ZeroBeyond(backward bool, format ref.Format) ([2]float64, error) {
	fn := k.Function(backward)
	params := k.Defaults()
	lim := k.ForwardLimits
	if backward {
		lim = k.DerivativeLimits
	}
	maxExp := 128
	if format.Mant > 24 {
		maxExp = 1024
	}
	var out [2]float64
	for side, s := range []float64{-1, 1} {
		if lim[side] != 0 {
			continue
		}
		zero := func(m float64) (bool, error) {
			v, err := fn.Round(format, s*m, params)
			if err != nil {
				return false, fmt.Errorf("%s at %v: %w", k.Entry.Name, s*m, err)
			}
			return v == 0, nil
		}
		hi := 1.0
		for e := 0; ; e++ {
			if e >= maxExp {
				hi = 0
				break
			}
			z, err := zero(hi)
			if err != nil {
				return out, err
			}
			if z {
				break
			}
			hi *= 2
		}
		if hi <= 1 {
			continue // no underflow, or zero already at |x| = 1
		}
		lo := hi / 2
		for i := 0; i < 60 && math.Nextafter(lo, hi) < hi; i++ {
			mid := lo + (hi-lo)/2
			z, err := zero(mid)
			if err != nil {
				return out, err
			}
			if z {
				hi = mid
			} else {
				lo = mid
			}
		}
		bound := math.Ceil(lo) + 1
		ok := true
		for m := bound; ok && m < math.Ldexp(1, maxExp); m *= 2 {
			steps := 1
			if m < math.Ldexp(bound, 8) {
				steps = 64
			}
			for i := 0; ok && i < steps; i++ {
				z, err := zero(m + m*float64(i)/float64(steps))
				if err != nil {
					return out, err
				}
				ok = z
			}
		}
		if ok {
			out[side] = bound
		}
	}
	return out, nil
}
