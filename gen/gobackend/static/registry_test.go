//go:build ignore

// This file is copied into the generated package as registry_test.go (without
// the build constraint above, which keeps it out of the generator's module). It
// runs every implementation in the registry against the golden tables and the
// public API against the registry.

package act

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGolden(t *testing.T) {
	for _, k := range Kernels() {
		groups, err := readGolden(filepath.Join("testdata", k.Name+".golden"))
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) == 0 {
			t.Fatalf("%s: empty golden table", k.Name)
		}
		for _, impl := range k.Impls {
			t.Run(k.Name+"/impl="+impl.Name, func(t *testing.T) {
				b := budgetOf(k, impl.Name)
				if impl.RoundsOnce {
					b[0], b[1] = min(b[0], 1), min(b[1], 1)
				}
				checkGolden(t, goldenKernel{
					name:             k.Name,
					budget32:         b[0],
					budget32Backward: b[1],
					budget64:         b[2],
					budget64Backward: b[3],
					forward32:        impl.Forward32,
					backward32:       impl.Backward32,
					forward64:        impl.Forward64,
					backward64:       impl.Backward64,
				}, groups)
			})
		}
	}
}

// budgetOf returns the budgets (f32, f32 backward, f64, f64 backward) the
// implementation named impl is held to: the kernel's where the dispatch runs
// it, the variants' elsewhere.
func budgetOf(k Kernel, impl string) [4]uint64 {
	b := [4]int{k.VariantBudget.F32, k.VariantBudget.F32Backward, k.VariantBudget.F64, k.VariantBudget.F64Backward}
	own := [4]int{k.Budget.F32, k.Budget.F32Backward, k.Budget.F64, k.Budget.F64Backward}
	var out [4]uint64
	for d, disp := range k.Dispatch {
		if impl == disp.Impl || impl == disp.Large {
			b[d] = own[d]
		}
		out[d] = uint64(b[d])
	}
	return out
}

// Types defined on float32 and float64 must work through the generic API.
type (
	myFloat32 float32
	myFloat64 float64
)

func kernelNamed(t *testing.T, name string) Kernel {
	t.Helper()
	for _, k := range Kernels() {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no kernel %s in the registry", name)
	return Kernel{}
}

// apiInputs are values across every range an activation distinguishes.
func apiInputs() []float64 {
	x := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, -math.MaxFloat64, 1e-30, -1e-30, 20, 20.5, -20.5}
	for v := -12.0; v <= 12; v += 0.375 {
		x = append(x, v)
	}
	return x
}

func defaults[T ~float32 | ~float64](k Kernel) []T {
	p := make([]T, len(k.Params))
	for i, q := range k.Params {
		p[i] = T(q.Default)
	}
	return p
}

func convert[T, U ~float32 | ~float64](s []U) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = T(v)
	}
	return out
}

func sameBits[T ~float32 | ~float64](got, want []T) error {
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if math.Float64bits(g) != math.Float64bits(w) && !(g != g && w != w) {
			return fmt.Errorf("element %d: got %v, want %v", i, g, w)
		}
	}
	return nil
}

// implNamed returns k's implementation called name.
func implNamed(t *testing.T, k Kernel, name string) Impl {
	t.Helper()
	for _, im := range k.Impls {
		if im.Name == name {
			return im
		}
	}
	t.Fatalf("%s: no implementation %q, which the dispatch table names", k.Name, name)
	return Impl{}
}

// checkAPI compares the public generic function for element type T (fwd and bwd
// call it with the default parameters) with the implementation the dispatch
// table names for short slices, out of place and in place.
func checkAPI[T Float](t *testing.T, k Kernel, fwd func(dst, x []T), bwd func(dx, x, dy []T)) {
	t.Helper()
	x64 := apiInputs()
	dy64 := make([]float64, len(x64))
	for i := range dy64 {
		dy64[i] = 1.5 - float64(i%4)
	}
	x, dy := convert[T](x64), convert[T](dy64)
	var wantF, wantB []T
	var z T
	if is32[T]() {
		f, b := make([]float32, len(x)), make([]float32, len(x))
		implNamed(t, k, k.Dispatch[0].Impl).Forward32(f, convert[float32](x), defaults[float32](k))
		implNamed(t, k, k.Dispatch[1].Impl).Backward32(b, convert[float32](x), convert[float32](dy), defaults[float32](k))
		wantF, wantB = convert[T](f), convert[T](b)
	} else {
		f, b := make([]float64, len(x)), make([]float64, len(x))
		implNamed(t, k, k.Dispatch[2].Impl).Forward64(f, convert[float64](x), defaults[float64](k))
		implNamed(t, k, k.Dispatch[3].Impl).Backward64(b, convert[float64](x), convert[float64](dy), defaults[float64](k))
		wantF, wantB = convert[T](f), convert[T](b)
	}
	got := make([]T, len(x))
	fwd(got, x)
	if err := sameBits(got, wantF); err != nil {
		t.Errorf("%s[%T]: %v", k.GoName, z, err)
	}
	inPlace := slices.Clone(x)
	fwd(inPlace, inPlace)
	if err := sameBits(inPlace, wantF); err != nil {
		t.Errorf("%s[%T] in place: %v", k.GoName, z, err)
	}
	fwd(got[:0], x[:0])
	bwd(got, x, dy)
	if err := sameBits(got, wantB); err != nil {
		t.Errorf("%sBackward[%T]: %v", k.GoName, z, err)
	}
	for _, alias := range []string{"x", "dy"} {
		xs, dys := slices.Clone(x), slices.Clone(dy)
		dx := xs
		if alias == "dy" {
			dx = dys
		}
		bwd(dx, xs, dys)
		if err := sameBits(dx, wantB); err != nil {
			t.Errorf("%sBackward[%T] with dx = %s: %v", k.GoName, z, alias, err)
		}
	}
}

// expectPanic checks that f panics with a message starting with prefix.
func expectPanic(t *testing.T, prefix string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		msg, _ := r.(string)
		if !strings.HasPrefix(msg, prefix) {
			t.Errorf("panic %v, want a message starting with %q", r, prefix)
		}
	}()
	f()
}

// Benchmarks are keyed for benchstat: go test -bench . | benchstat -col /impl.
func BenchmarkForward(b *testing.B)  { benchmark(b, false) }
func BenchmarkBackward(b *testing.B) { benchmark(b, true) }

// copyImpl is the memory limit: copy() of the same slices, as an impl=copy row
// beside every function.
var copyImpl = Impl{
	Name:       "copy",
	Forward32:  func(dst, x, _ []float32) { copy(dst, x) },
	Backward32: func(dx, x, dy, _ []float32) { copy(dx, x) },
}

func benchmark(b *testing.B, backward bool) {
	for _, k := range Kernels() {
		for _, impl := range append(slices.Clone(k.Impls), copyImpl) {
			if impl.Forward32 == nil {
				continue
			}
			for _, n := range []int{4096, 65536, 16777216} {
				b.Run(fmt.Sprintf("fn=%s/impl=%s/n=%d", k.Name, impl.Name, n), func(b *testing.B) {
					x, dy, out := make([]float32, n), make([]float32, n), make([]float32, n)
					for i := range x {
						x[i] = float32(i%2001-1000) / 100
						dy[i] = 1
					}
					p := defaults[float32](k)
					b.SetBytes(int64(4 * n))
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if backward {
							impl.Backward32(out, x, dy, p)
						} else {
							impl.Forward32(out, x, p)
						}
					}
					b.ReportMetric(float64(n)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elements/ns")
				})
			}
		}
	}
}
