package speed

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unsafe"

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
// length and type: at 16M elements a fresh set per sub-benchmark would mean
// 192 MiB (float32) of allocation and page faults each time. out is
// overwritten by every run and x and dy are never written.
type buffers[T float32 | float64] struct{ x, dy, out []T }

var (
	cache32 = map[int]*buffers[float32]{}
	cache64 = map[int]*buffers[float64]{}
)

func buffersOf[T float32 | float64](cache map[int]*buffers[T], n int) *buffers[T] {
	if bs, ok := cache[n]; ok {
		return bs
	}
	bs := &buffers[T]{make([]T, n), make([]T, n), make([]T, n)}
	for i := range bs.x {
		bs.x[i] = T(float32(i%2001-1000) / 100)
		bs.dy[i] = 1
	}
	cache[n] = bs
	return bs
}

// variant is one row of the table: an implementation of one direction, with
// params already bound.
type variant[T float32 | float64] struct {
	impl string
	run  func(bs *buffers[T])
	// warm says the first call may allocate (vek32 peers size their scratch
	// on first use), so it is made before the timer starts. Only those: at
	// 16M a warm-up call of a scalar peer costs as much as the measurement.
	warm bool
}

func params[T float32 | float64](k act.Kernel) []T {
	p := make([]T, len(k.Params))
	for i, q := range k.Params {
		p[i] = T(q.Default)
	}
	return p
}

// implVariants lists k's implementations of one type and direction, fwd and
// bwd picking that type's kernels of an implementation.
func implVariants[T float32 | float64](k act.Kernel, backward bool, fwd func(act.Impl) func(dst, x, p []T), bwd func(act.Impl) func(dx, x, dy, p []T)) []variant[T] {
	p := params[T](k)
	var vs []variant[T]
	for _, im := range k.Impls {
		if f := bwd(im); backward && f != nil {
			vs = append(vs, variant[T]{impl: im.Name, run: func(bs *buffers[T]) { f(bs.out, bs.x, bs.dy, p) }})
		} else if f := fwd(im); !backward && f != nil {
			vs = append(vs, variant[T]{impl: im.Name, run: func(bs *buffers[T]) { f(bs.out, bs.x, p) }})
		}
	}
	return vs
}

func variants32(k act.Kernel, backward bool) []variant[float32] {
	vs := implVariants(k, backward,
		func(im act.Impl) func(dst, x, p []float32) { return im.Forward32 },
		func(im act.Impl) func(dx, x, dy, p []float32) { return im.Backward32 })
	for _, pe := range peers.For(k.Name) {
		warm := pe.Name == "vek32"
		if backward && pe.Backward != nil {
			f := pe.Backward
			vs = append(vs, variant[float32]{impl: pe.Name, run: func(bs *buffers[float32]) { f(bs.out, bs.x, bs.dy) }, warm: warm})
		} else if !backward {
			f := pe.Forward
			vs = append(vs, variant[float32]{impl: pe.Name, run: func(bs *buffers[float32]) { f(bs.out, bs.x) }, warm: warm})
		}
	}
	// copy reads x in both directions, like out/act's own copy row.
	return append(vs, variant[float32]{impl: "copy", run: func(bs *buffers[float32]) { copy(bs.out, bs.x) }})
}

// variants64 has no peers: they are float32 libraries, and the naive peer
// already computes in float64.
func variants64(k act.Kernel, backward bool) []variant[float64] {
	vs := implVariants(k, backward,
		func(im act.Impl) func(dst, x, p []float64) { return im.Forward64 },
		func(im act.Impl) func(dx, x, dy, p []float64) { return im.Backward64 })
	return append(vs, variant[float64]{impl: "copy", run: func(bs *buffers[float64]) { copy(bs.out, bs.x) }})
}

func benchmark[T float32 | float64](b *testing.B, cache map[int]*buffers[T], variants func(act.Kernel, bool) []variant[T], backward bool) {
	ns := sizes(b)
	size := int64(unsafe.Sizeof(T(0)))
	for _, k := range act.Kernels() {
		for _, v := range variants(k, backward) {
			for _, n := range ns {
				b.Run(fmt.Sprintf("fn=%s/impl=%s/n=%d", k.Name, v.impl, n), func(b *testing.B) {
					bs := buffersOf(cache, n)
					if v.warm {
						v.run(bs)
					}
					b.SetBytes(size * int64(n))
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

func BenchmarkForward(b *testing.B)    { benchmark(b, cache32, variants32, false) }
func BenchmarkBackward(b *testing.B)   { benchmark(b, cache32, variants32, true) }
func BenchmarkForward64(b *testing.B)  { benchmark(b, cache64, variants64, false) }
func BenchmarkBackward64(b *testing.B) { benchmark(b, cache64, variants64, true) }
