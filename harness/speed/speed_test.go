package speed

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/actgen/actgen/harness/peers"
	"github.com/actgen/actgen/out/act"
)

var sizesFlag = flag.String("speed.sizes", "4096,65536,16777216",
	"comma-separated slice lengths to benchmark")

func sizes(b *testing.B) []int {
	var ns []int
	for f := range strings.SplitSeq(*sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("-speed.sizes=%q: %q is not a positive length", *sizesFlag, f)
		}
		ns = append(ns, n)
	}
	return ns
}

// buffers are the slices of one length, shared by every sub-benchmark of that
// length: at 16M elements a fresh set per sub-benchmark would mean 192 MiB of
// allocation and page faults each time. out is overwritten by every run and x
// and dy are never written.
type buffers struct{ x, dy, out []float32 }

var cache = map[int]*buffers{}

func buffersOf(n int) *buffers {
	if bs, ok := cache[n]; ok {
		return bs
	}
	bs := &buffers{make([]float32, n), make([]float32, n), make([]float32, n)}
	for i := range bs.x {
		bs.x[i] = float32(i%2001-1000) / 100
		bs.dy[i] = 1
	}
	cache[n] = bs
	return bs
}

// variant is one row of the table: an implementation of one direction, with
// params already bound.
type variant struct {
	impl string
	run  func(bs *buffers)
	// warm says the first call may allocate (vek32 peers size their scratch
	// on first use), so it is made before the timer starts. Only those: at
	// 16M a warm-up call of a scalar peer costs as much as the measurement.
	warm bool
}

func variants(k act.Kernel, backward bool) []variant {
	p := make([]float32, len(k.Params))
	for i, q := range k.Params {
		p[i] = float32(q.Default)
	}
	var vs []variant
	for _, im := range k.Impls {
		if backward && im.Backward32 != nil {
			f := im.Backward32
			vs = append(vs, variant{impl: im.Name, run: func(bs *buffers) { f(bs.out, bs.x, bs.dy, p) }})
		} else if !backward && im.Forward32 != nil {
			f := im.Forward32
			vs = append(vs, variant{impl: im.Name, run: func(bs *buffers) { f(bs.out, bs.x, p) }})
		}
	}
	for _, pe := range peers.For(k.Name) {
		warm := pe.Name == "vek32"
		if backward && pe.Backward != nil {
			f := pe.Backward
			vs = append(vs, variant{impl: pe.Name, run: func(bs *buffers) { f(bs.out, bs.x, bs.dy) }, warm: warm})
		} else if !backward {
			f := pe.Forward
			vs = append(vs, variant{impl: pe.Name, run: func(bs *buffers) { f(bs.out, bs.x) }, warm: warm})
		}
	}
	// copy reads x in both directions, like out/act's own copy row.
	return append(vs, variant{impl: "copy", run: func(bs *buffers) { copy(bs.out, bs.x) }})
}

func benchmark(b *testing.B, backward bool) {
	ns := sizes(b)
	for _, k := range act.Kernels() {
		for _, v := range variants(k, backward) {
			for _, n := range ns {
				b.Run(fmt.Sprintf("fn=%s/impl=%s/n=%d", k.Name, v.impl, n), func(b *testing.B) {
					bs := buffersOf(n)
					if v.warm {
						v.run(bs)
					}
					b.SetBytes(int64(4 * n))
					b.ResetTimer()
					for range b.N {
						v.run(bs)
					}
					b.ReportMetric(float64(n)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elements/ns")
				})
			}
		}
	}
}

func BenchmarkForward(b *testing.B)  { benchmark(b, false) }
func BenchmarkBackward(b *testing.B) { benchmark(b, true) }
