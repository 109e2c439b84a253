//go:build ignore

// This file is copied into the generated package as guard_linux_test.go. It
// runs every implementation on every length 0..256 with the slices ending
// right before an inaccessible page, at every misalignment, so that a kernel
// reading or writing one element too far crashes the test.

package act

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// guarded is memory whose end abuts a PROT_NONE page.
type guarded struct {
	mem  []byte
	data int // bytes usable before the guard page
}

func newGuarded(t *testing.T, bytes int) *guarded {
	t.Helper()
	page := syscall.Getpagesize()
	usable := (bytes + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, usable+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	if err := syscall.Mprotect(mem[usable:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	return &guarded{mem: mem, data: usable}
}

// tail returns the n elements of type T that end right at the guard page,
// shifted down by skew elements (so the start takes every alignment).
func guardedSlice[T float32 | float64](g *guarded, n, skew int) []T {
	var z T
	size := int(unsafe.Sizeof(z))
	end := g.data - skew*size
	if n == 0 {
		return unsafe.Slice((*T)(unsafe.Pointer(&g.mem[end-size])), 0)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&g.mem[end-n*size])), n)
}

// guardInputs are values from every range the kernels distinguish.
func guardInputs[T float32 | float64](n int, rng *rand.Rand) []T {
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-40, -1e-40, 5e-324, 100, -100, 1e30, -1e30}
	x := make([]T, n)
	for i := range x {
		if i%7 == 3 {
			x[i] = T(special[(i/7)%len(special)])
			continue
		}
		x[i] = T(rng.NormFloat64() * 6)
	}
	return x
}

// sameAs reports the first element where got and want differ in bits (NaNs
// of any payload are equal).
func sameAs[T float32 | float64](got, want []T) int {
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if math.Float64bits(g) != math.Float64bits(w) && !(g != g && w != w) {
			return i
		}
	}
	return -1
}

// TestGuardedLengths checks each implementation at every length against its
// own result on a plain slice: vector code must not depend on where a lane
// sits, and must not touch memory past the end. It also runs in place.
func TestGuardedLengths(t *testing.T) {
	const maxLen = 256
	for _, k := range Kernels() {
		for _, impl := range k.Impls {
			t.Run(k.Name+"/impl="+impl.Name, func(t *testing.T) {
				if impl.Forward32 != nil {
					guardedCheck(t, k, impl.Forward32, impl.Backward32, maxLen, 8)
				}
				if impl.Forward64 != nil {
					guardedCheck(t, k, impl.Forward64, impl.Backward64, maxLen, 4)
				}
			})
		}
	}
}

func guardedCheck[T float32 | float64](t *testing.T, k Kernel, fwd func(dst, x, p []T), bwd func(dx, x, dy, p []T), maxLen, lanes int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, uint64(len(k.Name))))
	p := defaults[T](k)
	x, dy := guardInputs[T](maxLen, rng), guardInputs[T](maxLen, rng)
	wantF, wantB := make([]T, maxLen), make([]T, maxLen)
	fwd(wantF, x, p)
	bwd(wantB, x, dy, p)
	var z T
	size := int(unsafe.Sizeof(z))
	gx, gy, gd := newGuarded(t, (maxLen+lanes)*size), newGuarded(t, (maxLen+lanes)*size), newGuarded(t, (maxLen+lanes)*size)
	for n := 0; n <= maxLen; n++ {
		for skew := 0; skew < lanes; skew++ {
			xs, dys, out := guardedSlice[T](gx, n, skew), guardedSlice[T](gy, n, (skew+1)%lanes), guardedSlice[T](gd, n, (skew+2)%lanes)
			copy(xs, x)
			copy(dys, dy)
			fwd(out, xs, p)
			if i := sameAs(out, wantF[:n]); i >= 0 {
				t.Fatalf("%T forward, n=%d skew=%d: element %d is %v, want %v", z, n, skew, i, out[i], wantF[i])
			}
			bwd(out, xs, dys, p)
			if i := sameAs(out, wantB[:n]); i >= 0 {
				t.Fatalf("%T backward, n=%d skew=%d: element %d is %v, want %v", z, n, skew, i, out[i], wantB[i])
			}
			fwd(xs, xs, p)
			if i := sameAs(xs, wantF[:n]); i >= 0 {
				t.Fatalf("%T forward in place, n=%d skew=%d: element %d is %v, want %v", z, n, skew, i, xs[i], wantF[i])
			}
			copy(xs, x)
			bwd(dys, xs, dys, p)
			if i := sameAs(dys, wantB[:n]); i >= 0 {
				t.Fatalf("%T backward with dx = dy, n=%d skew=%d: element %d is %v, want %v", z, n, skew, i, dys[i], wantB[i])
			}
		}
	}
}
