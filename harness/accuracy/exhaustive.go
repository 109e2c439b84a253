package accuracy

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/out/act"
	"github.com/actgen/actgen/ref"
	"github.com/actgen/actgen/spec"
)

// Bucket upper bounds of the error histogram, in ULPs; the last bucket holds
// everything above the one before it (finite errors only: NaN and Inf
// mismatches are counted apart).
var Buckets = []uint64{0, 1, 2, 3, 4, 8, 16, 256, math.MaxUint64 - 1}

// BucketLabel names histogram bucket i for a table header.
func BucketLabel(i int) string {
	switch {
	case i == 0:
		return "0"
	case i == len(Buckets)-1:
		return fmt.Sprintf(">%d", Buckets[i-1])
	case Buckets[i] == Buckets[i-1]+1:
		return fmt.Sprint(Buckets[i])
	default:
		return fmt.Sprintf("%d–%d", Buckets[i-1]+1, Buckets[i])
	}
}

// Sweep is the outcome of one implementation and direction over every float32
// input.
type Sweep struct {
	Impl     string
	Backward bool
	Budget   int
	Points   uint64
	MaxULP   uint64   // over the finite results (NaN and Inf mismatches are counted apart)
	WorstX   float32  // the smallest input, in bit order, where MaxULP occurs (0 when MaxULP is 0)
	Hist     []uint64 // counts per bucket of Buckets; NaN for NaN counts as 0 ULPs
	NaN      uint64   // a NaN where a number was due, or a number where NaN was due
	Inf      uint64   // ±Inf where a finite value was due, or the other way round
	Elapsed  time.Duration
}

// OK reports whether the sweep stayed within the budget with no NaN or Inf
// mismatch.
func (s Sweep) OK() bool { return s.MaxULP <= uint64(s.Budget) && s.NaN == 0 && s.Inf == 0 }

// Exhaustive is the result of Exhaustive32 for one kernel and direction.
type Exhaustive struct {
	Sweeps []Sweep
	// Fallbacks counts the inputs whose correctly rounded result the float64
	// screen could not settle, so the high-precision evaluator computed it.
	Fallbacks uint64
	// RefTime is the time spent on the reference (screen and fallbacks).
	RefTime time.Duration
}

// margin is the relative error the screen allows the float64 kernel. The
// float64 kernels are held to at most 8 ULPs (2^-49 relative) by the
// generated tests and by the report's float64 sweep; 2^-44 leaves a factor 32
// on top. A result within the margin of a float32 rounding boundary goes to
// the high-precision evaluator, which proves its rounding.
const margin = 0x1p-44

// chunk is the number of inputs one worker takes at a time: big enough that
// the kernels run at full speed, small enough to balance two cores.
const chunk = 1 << 16

// Exhaustive32 measures every float32 implementation of k in reg over all 2^32
// float32 inputs (at the default parameters, dy = 1 for backward) against the
// correctly rounded result, using every CPU. The correctly rounded result
// comes from a screen: reg's dispatched float64 kernel evaluated at the
// float32 input (or, in the tails and near 0, the closed forms of
// shortcuts), accepted where every value within the margin rounds to one
// float32; elsewhere a second-order expansion decides exact midpoints near 0
// (see tiny) and the high-precision evaluator the rest. progress, when
// not nil, receives a line every few seconds.
func Exhaustive32(k *kernel.Kernel, reg act.Kernel, backward bool, progress io.Writer) (Exhaustive, error) {
	return sweep32(k, reg, backward, progress, 0, 1<<32/chunk)
}

// sweep32 is Exhaustive32 over the chunks [first, end) of the inputs in bit
// order, so a test can sweep a slice of them.
func sweep32(k *kernel.Kernel, reg act.Kernel, backward bool, progress io.Writer, first, end int64) (Exhaustive, error) {
	var impls []act.Impl
	for _, impl := range reg.Impls {
		if impl.Forward32 != nil {
			impls = append(impls, impl)
		}
	}
	screen, err := dispatched64(reg, backward)
	if err != nil {
		return Exhaustive{}, err
	}
	fn := k.Function(backward)
	params := k.Defaults()
	for name, v := range params {
		params[name] = float64(float32(v))
	}
	p32 := make([]float32, len(k.Entry.Params))
	p64 := make([]float64, len(k.Entry.Params))
	for i, q := range k.Entry.Params {
		p32[i] = float32(params[q.Name])
		p64[i] = params[q.Name]
	}
	budget := spec.Budget(reg.Budget).Of(true, backward)
	near0 := newTiny(k, backward, params)
	cuts, err := newShortcuts(k, backward, params)
	if err != nil {
		return Exhaustive{}, err
	}

	chunks := end - first
	var (
		next      atomic.Int64
		done      atomic.Int64
		fallbacks atomic.Uint64
		refNanos  atomic.Int64
		firstErr  error
		errOnce   sync.Once
		mu        sync.Mutex
	)
	total := make([]Sweep, len(impls))
	for i, impl := range impls {
		total[i] = Sweep{Impl: impl.Name, Backward: backward, Budget: budget, Hist: make([]uint64, len(Buckets)), WorstX: float32(math.NaN())}
	}
	implNanos := make([]atomic.Int64, len(impls))
	start := time.Now()
	stop := make(chan struct{})
	if progress != nil {
		go func() {
			t := time.NewTicker(5 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					d := done.Load()
					fmt.Fprintf(progress, "  %s %s: %.0f%% in %v\n", k.Entry.Name, dirName(backward), 100*float64(d)/float64(chunks), time.Since(start).Round(time.Second))
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x32, y32, dy32 := make([]float32, chunk), make([]float32, chunk), make([]float32, chunk)
			x64, y64, dy64 := make([]float64, chunk), make([]float64, chunk), make([]float64, chunk)
			want := make([]float32, chunk)
			local := make([]Sweep, len(impls))
			for i := range local {
				local[i] = Sweep{Hist: make([]uint64, len(Buckets)), WorstX: float32(math.NaN())}
			}
			for i := range dy32 {
				dy32[i], dy64[i] = 1, 1
			}
			for {
				c := first + next.Add(1) - 1
				if c >= end {
					break
				}
				base := uint32(c) * chunk
				for i := range x32 {
					x32[i] = math.Float32frombits(base + uint32(i))
					x64[i] = float64(x32[i])
				}
				t0 := time.Now()
				toSettle := y64
				switch cuts.fill(want, y64, x32, x64) {
				case filledWant:
					toSettle = nil
				case filledY:
				default:
					if backward {
						screen.Backward64(y64, x64, dy64, p64)
					} else {
						screen.Forward64(y64, x64, p64)
					}
				}
				for i, y := range toSettle {
					if r, ok := settleNormal(y); ok {
						want[i] = r
						continue
					}
					r, ok := settleOutside(y)
					if !ok {
						r, ok = near0.round(x64[i])
					}
					if !ok {
						v, err := fn.Round(ref.Float32, x64[i], params)
						if err != nil {
							errOnce.Do(func() { firstErr = fmt.Errorf("%s at %v: %w", k.Entry.Name, x32[i], err) })
							return
						}
						r = float32(v)
						fallbacks.Add(1)
					}
					want[i] = r
				}
				refNanos.Add(int64(time.Since(t0)))
				for j, impl := range impls {
					t1 := time.Now()
					if backward {
						impl.Backward32(y32, x32, dy32, p32)
					} else {
						impl.Forward32(y32, x32, p32)
					}
					implNanos[j].Add(int64(time.Since(t1)))
					local[j].add(x32, y32, want)
				}
				done.Add(1)
			}
			mu.Lock()
			defer mu.Unlock()
			for j := range total {
				total[j].merge(local[j])
			}
		}()
	}
	wg.Wait()
	close(stop)
	if firstErr != nil {
		return Exhaustive{}, firstErr
	}
	for j := range total {
		total[j].Elapsed = time.Duration(implNanos[j].Load())
		if total[j].WorstX != total[j].WorstX {
			total[j].WorstX = 0 // no error anywhere; JSON has no NaN
		}
	}
	return Exhaustive{Sweeps: total, Fallbacks: fallbacks.Load(), RefTime: time.Duration(refNanos.Load())}, nil
}

// settle rounds the float64 screen value y to float32 when every value
// within the margin of y rounds alike. NaN, ±Inf and ±0 are taken as they
// are: the float64 kernels' special values are exact by construction and
// checked by the generated tests.
//
// Where y rounds to a normal float32 the test is on y's bits: the 29 bits
// that rounding to float32 drops put y at a distance from the nearest
// rounding boundary (a midpoint between float32 values, 1<<28 in those bits),
// and the margin, |y|·2^-44 < 2^9 float64 ULPs of y, must not reach it. The
// midpoints of the binade below are 2^27 float64 ULPs away from its bottom,
// far beyond the margin, and the top binade's highest midpoint is the
// overflow threshold, so the one test covers those edges too. Below the
// normal range the float32 values are multiples of 2^-149, and y's distance
// from the midpoints between them is measured in that unit.
func settle(y float64) (float32, bool) {
	if r, ok := settleNormal(y); ok {
		return r, true
	}
	return settleOutside(y)
}

// settleNormal is settle in the normal range, where nearly every call
// settles; small enough to inline into the sweep's loop. false means
// unsettled or outside the range.
func settleNormal(y float64) (float32, bool) {
	b := math.Float64bits(y)
	d := int64(b&(1<<29-1)) - 1<<28
	return float32(y), b>>52&0x7ff-(1023-126) < 254 && (d > 1<<9 || d < -1<<9)
}

// settleOutside is settle below and above the normal float32 range, and
// the unsettled normal values.
func settleOutside(y float64) (float32, bool) {
	switch e := math.Float64bits(y) >> 52 & 0x7ff; {
	case e-(1023-126) < 254:
		return float32(y), false // settleNormal's unsettled case
	case e < 1023-126:
		m := math.Abs(y) * 0x1p149 // exact: a power of two on a float64 far from its limits
		frac := m - math.Floor(m)
		return float32(y), math.Abs(frac-0.5) > m*0x1p-43
	}
	// NaN, ±Inf, or a magnitude of at least 2^128, which is far beyond the
	// overflow threshold 2^128 - 2^103 for any margin.
	return float32(y), true
}

// add accumulates the comparison of got with want over the inputs x. Equal
// bits, by far the most common case, take the short way.
func (s *Sweep) add(x, got, want []float32) {
	s.Points += uint64(len(got))
	want = want[:len(got)]
	equal := uint64(0) // counted in a register: s.Hist[0]++ would chain through memory
	for i := 0; i < len(got); i++ {
		// Runs of equal bits, by far the most common case (the tails and
		// closed forms are exact), are compared as bytes by the runtime's
		// vector memequal.
		if i%addBlock == 0 && i+addBlock <= len(got) && bytes.Equal(asBytes(got[i:i+addBlock]), asBytes(want[i:i+addBlock])) {
			equal += addBlock
			i += addBlock - 1
			continue
		}
		g, w := got[i], want[i]
		if math.Float32bits(g) == math.Float32bits(w) {
			equal++
			continue
		}
		gn, wn := g != g, w != w
		if gn || wn {
			if gn != wn {
				s.NaN++
			} else {
				s.Hist[0]++
			}
			continue
		}
		gi, wi := math.IsInf(float64(g), 0), math.IsInf(float64(w), 0)
		if gi != wi {
			s.Inf++
			continue
		}
		d := ulps32(g, w)
		b := 0
		for d > Buckets[b] {
			b++
		}
		s.Hist[b]++
		if d > s.MaxULP || d == s.MaxULP && s.WorstX != s.WorstX {
			s.MaxULP, s.WorstX = d, x[i]
		}
	}
	s.Hist[0] += equal
}

// addBlock is the run of results add compares at once.
const addBlock = 64

// asBytes views float32s as their bytes, for a bitwise comparison.
func asBytes(f []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f))), 4*len(f))
}

// merge adds o's counts to s; of equal maxima it keeps the input first in bit
// order, so the result does not depend on which worker saw which chunk.
func (s *Sweep) merge(o Sweep) {
	s.Points += o.Points
	s.NaN += o.NaN
	s.Inf += o.Inf
	for i := range s.Hist {
		s.Hist[i] += o.Hist[i]
	}
	if o.WorstX != o.WorstX {
		return
	}
	if o.MaxULP > s.MaxULP || s.WorstX != s.WorstX ||
		o.MaxULP == s.MaxULP && math.Float32bits(o.WorstX) < math.Float32bits(s.WorstX) {
		s.MaxULP, s.WorstX = o.MaxULP, o.WorstX
	}
}

// ulps32 is ULPs for two finite float32 values, without the float64 detour.
func ulps32(a, b float32) uint64 {
	oa, ob := ord32(a), ord32(b)
	if oa > ob {
		return uint64(oa - ob)
	}
	return uint64(ob - oa)
}

func ord32(f float32) int64 {
	b := int64(math.Float32bits(f) &^ (1 << 31))
	if math.Signbit(float64(f)) {
		return -b
	}
	return b
}

// dispatched64 returns the float64 implementation the public API of reg runs
// for the direction.
func dispatched64(reg act.Kernel, backward bool) (act.Impl, error) {
	name := reg.Dispatch[2].Impl
	if backward {
		name = reg.Dispatch[3].Impl
	}
	for _, impl := range reg.Impls {
		if impl.Name == name && impl.Forward64 != nil {
			return impl, nil
		}
	}
	return act.Impl{}, fmt.Errorf("%s: dispatched float64 implementation %q not in the registry", reg.Name, name)
}

func dirName(backward bool) string {
	if backward {
		return "backward"
	}
	return "forward"
}
