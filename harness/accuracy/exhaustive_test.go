package accuracy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/out/act"
	"github.com/actgen/actgen/ref"
	"github.com/actgen/actgen/spec"
)

func kernels(t testing.TB) ([]*kernel.Kernel, map[string]act.Kernel) {
	t.Helper()
	s, err := spec.Load("../../spec/activations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ks, err := kernel.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	reg := map[string]act.Kernel{}
	for _, k := range act.Kernels() {
		reg[k.Name] = k
	}
	return ks, reg
}

// TestScreen checks the float64 screen against the high-precision evaluator:
// wherever it settles a result, that result must be the correctly rounded one.
func TestScreen(t *testing.T) {
	ks, reg := kernels(t)
	xs := Sample(600, true, 42)
	for _, k := range ks {
		for _, backward := range []bool{false, true} {
			screen, err := dispatched64(reg[k.Entry.Name], backward)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Reference(k, backward, ref.Float32, xs)
			if err != nil {
				t.Fatal(err)
			}
			p := make([]float64, len(k.Entry.Params))
			for i, q := range k.Entry.Params {
				p[i] = float64(float32(k.Defaults()[q.Name]))
			}
			y, dy := make([]float64, len(xs)), make([]float64, len(xs))
			for i := range dy {
				dy[i] = 1
			}
			if backward {
				screen.Backward64(y, xs, dy, p)
			} else {
				screen.Forward64(y, xs, p)
			}
			settled := 0
			for i := range xs {
				r, ok := settle(y[i])
				if !ok {
					continue
				}
				settled++
				if r != float32(want[i]) && !(r != r && want[i] != want[i]) { // ±0 are one value, as in ULPs
					t.Errorf("%s %s at %v: screen settled %v, reference %v", k.Entry.Name, dirName(backward), xs[i], r, want[i])
				}
			}
			if settled < len(xs)*9/10 {
				t.Errorf("%s %s: the screen settled only %d of %d inputs", k.Entry.Name, dirName(backward), settled, len(xs))
			}
		}
	}
}

// TestSweepChunk sweeps the 65536 float32 inputs from 1.0 upwards and checks
// the counts against a plain comparison with the reference.
func TestSweepChunk(t *testing.T) {
	ks, reg := kernels(t)
	const first = 0x3f800000 / chunk
	xs := make([]float64, chunk)
	for i := range xs {
		xs[i] = float64(math.Float32frombits(first*chunk + uint32(i)))
	}
	for _, k := range ks {
		if k.Entry.Name != "sigmoid" && k.Entry.Name != "relu" {
			continue
		}
		r := reg[k.Entry.Name]
		got, err := sweep32(k, r, false, nil, first, first+1)
		if err != nil {
			t.Fatal(err)
		}
		want, err := References(k, xs, xs[:1])
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got.Sweeps {
			impl := r.Impls[0]
			for _, i := range r.Impls {
				if i.Name == s.Impl {
					impl = i
				}
			}
			m := Measure(k, impl, r.Budget, xs, xs[:1], want)[0]
			var n uint64
			for _, h := range s.Hist {
				n += h
			}
			if s.Points != chunk || n != chunk || s.NaN != 0 || s.Inf != 0 {
				t.Errorf("%s %s: %d points, %d in the histogram, %d NaN, %d Inf", k.Entry.Name, s.Impl, s.Points, n, s.NaN, s.Inf)
			}
			if s.MaxULP != m.MaxULP {
				t.Errorf("%s %s: sweep max %d ULP at %v, plain comparison %d at %v", k.Entry.Name, s.Impl, s.MaxULP, s.WorstX, m.MaxULP, m.WorstX)
			}
		}
	}
}

func TestBucketLabels(t *testing.T) {
	var got []string
	for i := range Buckets {
		got = append(got, BucketLabel(i))
	}
	want := []string{"0", "1", "2", "3", "4", "5–8", "9–16", "17–256", ">256"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("labels %q, want %q", got, want)
		}
	}
}

// BenchmarkExhaustive32 times the sweep of every float32 input for one
// implementation and direction, reference included (the bound: under
// 30 s on two cores). One iteration takes tens of seconds, so pick cells:
//
//	go test -run '^$' -bench 'Exhaustive32/fn=sigmoid/dir=forward/impl=avx2-u32$' -benchtime 1x ./harness/accuracy
func BenchmarkExhaustive32(b *testing.B) {
	ks, reg := kernels(b)
	for _, k := range ks {
		for _, backward := range []bool{false, true} {
			for _, impl := range reg[k.Entry.Name].Impls {
				if impl.Forward32 == nil {
					continue
				}
				b.Run(fmt.Sprintf("fn=%s/dir=%s/impl=%s", k.Entry.Name, dirName(backward), impl.Name), func(b *testing.B) {
					// Sweep impl alone; the float64 screen stays reachable
					// without its float32 kernels.
					one := reg[k.Entry.Name]
					screen, err := dispatched64(one, backward)
					if err != nil {
						b.Fatal(err)
					}
					screen.Forward32, screen.Backward32 = nil, nil
					one.Impls = []act.Impl{impl, screen}
					for range b.N {
						e, err := Exhaustive32(k, one, backward, nil)
						if err != nil {
							b.Fatal(err)
						}
						b.ReportMetric(float64(e.Fallbacks), "fallbacks")
					}
				})
			}
		}
	}
}

// TestSettle checks settle's bit test against its definition: a value it
// settles must have every value within the margin round to the same float32.
func TestSettle(t *testing.T) {
	byDefinition := func(y float64) bool {
		r := float32(y)
		m := math.Abs(y) * margin
		return float32(y-m) == r && float32(y+m) == r
	}
	check := func(y float64) {
		if y != y || math.IsInf(y, 0) || y == 0 {
			return // taken as they are
		}
		r, ok := settle(y)
		if ok && (r != float32(y) || !byDefinition(y)) {
			t.Fatalf("settle(%v) = %v, true; a value within the margin rounds otherwise", y, r)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	settled := 0
	for range 1_000_000 {
		y := math.Float64frombits(rng.Uint64())
		check(y)
		// Values near float32 midpoints and binade edges, across the
		// normal range and beyond.
		f := math.Float32frombits(rng.Uint32())
		sub := math.Float32frombits(rng.Uint32() & 0x807fffff)
		mid := float64(f) + float64(math.Nextafter32(f, float32(math.Inf(1)))-f)/2
		for _, v := range []float64{float64(f), mid, float64(sub), float64(sub) + 0x1p-150} {
			for _, k := range []int64{-2000, -600, -513, -512, -1, 0, 1, 512, 513, 600, 2000} {
				check(math.Float64frombits(uint64(int64(math.Float64bits(v)) + k)))
			}
		}
		if f != f || math.IsInf(mid, 0) || math.Abs(mid) < 0x1p-126 {
			continue
		}
		if _, ok := settle(mid + mid*0x1p-30); ok {
			settled++
		}
	}
	if settled < 900_000 {
		t.Errorf("settle took only %d of 10^6 values 2^-30 off a midpoint: the test is too coarse", settled)
	}
}

// TestAdd checks add's block comparison against a count one input at a time,
// with differences placed at block edges, inside blocks and in the ragged end.
func TestAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	n := 10*addBlock + 13
	x, got, want := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range want {
		x[i] = float32(i)
		want[i] = r.Float32()
		got[i] = want[i]
	}
	for _, i := range []int{0, addBlock - 1, addBlock, 3*addBlock + 7, n - 1, n - 5} {
		got[i] = math.Nextafter32(want[i], 2) // 1 ULP
	}
	got[5*addBlock+1] = math.Nextafter32(math.Nextafter32(want[5*addBlock+1], 2), 2)
	s := Sweep{Hist: make([]uint64, len(Buckets)), WorstX: float32(math.NaN())}
	s.add(x, got, want)
	if s.Points != uint64(n) || s.Hist[0] != uint64(n-7) || s.Hist[1] != 6 || s.Hist[2] != 1 {
		t.Errorf("points %d, histogram %v; want %d points, %d exact, 6 at 1 ULP, 1 at 2", s.Points, s.Hist[:3], n, n-7)
	}
	if s.MaxULP != 2 || s.WorstX != x[5*addBlock+1] {
		t.Errorf("max %d ULP at %v, want 2 at %v", s.MaxULP, s.WorstX, x[5*addBlock+1])
	}
}
