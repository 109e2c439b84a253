package rt

import (
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func exact(h, l float64) *big.Float {
	return new(big.Float).SetPrec(400).Add(new(big.Float).SetPrec(400).SetFloat64(h), big.NewFloat(l))
}

// The double-double operations must be accurate to ~2^-100 relative.
func TestDoubleDouble(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func() (float64, float64) {
		h := (r.Float64()*2 - 1) * math.Pow(2, float64(r.IntN(40)-20))
		return h, h * 0x1p-60 * (r.Float64() - 0.5)
	}
	for i := 0; i < 2000; i++ {
		ah, al := rnd()
		bh, bl := rnd()
		a, b := exact(ah, al), exact(bh, bl)
		for _, c := range []struct {
			name   string
			h, l   float64
			wanted *big.Float
		}{
			{"add", 0, 0, new(big.Float).SetPrec(400).Add(a, b)},
			{"mul", 0, 0, new(big.Float).SetPrec(400).Mul(a, b)},
			{"div", 0, 0, new(big.Float).SetPrec(400).Quo(a, b)},
		} {
			switch c.name {
			case "add":
				c.h, c.l = ddAdd(ah, al, bh, bl)
			case "mul":
				c.h, c.l = ddMul(ah, al, bh, bl)
			case "div":
				c.h, c.l = ddDiv(ah, al, bh, bl)
			}
			got := exact(c.h, c.l)
			diff := new(big.Float).Sub(got, c.wanted)
			rel, _ := new(big.Float).Quo(diff, c.wanted).Float64()
			// Additions may cancel; measure those against the operands' size.
			if c.name == "add" {
				size := new(big.Float).Abs(a)
				if new(big.Float).Abs(b).Cmp(size) > 0 {
					size.Abs(b)
				}
				rel, _ = new(big.Float).Quo(diff, size).Float64()
			}
			if math.Abs(rel) > 0x1p-98 {
				t.Fatalf("%s(%v+%v, %v+%v): relative error %g", c.name, ah, al, bh, bl, rel)
			}
		}
	}
}

// The Taylor-corrected functions must see the low part: exp(h+l) differs from
// exp(h) by exp(h)·l, which for h = 700 is hundreds of ulps.
func TestCorrectedFunctions(t *testing.T) {
	h, l := 700.0, 3e-14
	base := math.Exp(h)
	if got := expDD(h, l); math.Abs(got/base-1-l) > 1e-16 {
		t.Errorf("expDD(%v, %v)/exp(%v) - 1 = %g, want %g", h, l, h, got/base-1, l)
	}
	if got := expDD(800, 1e-14); !math.IsInf(got, 1) {
		t.Errorf("expDD overflow = %v, want +Inf", got)
	}
	// erfc(h+l) ≈ erfc(h)·(1 - 2h·l) for large h.
	h, l = 20, 1e-15
	if got, want := erfcDD(h, l)/math.Erfc(h)-1, -2*h*l; math.Abs(got-want) > 1e-2*math.Abs(want) { // float64 division limits this check to ~0.3%
		t.Errorf("erfcDD relative correction %g, want %g", got, want)
	}
	if got := coshDD(1000, 1e-13); !math.IsInf(got, 1) {
		t.Errorf("coshDD overflow = %v", got)
	}
	if choose(1 > 0, 1, 2) != 1 || choose(false, 1, 2) != 2 {
		t.Error("choose picks the wrong branch")
	}
}

func TestULPs(t *testing.T) {
	for _, c := range []struct {
		a, b float32
		want uint64
	}{
		{1, 1, 0},
		{0, float32(math.Copysign(0, -1)), 0},
		{1, math.Nextafter32(1, 2), 1},
		{-1, math.Nextafter32(-1, -2), 1},
		{math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 2},
		{math.MaxFloat32, float32(math.Inf(1)), 1},
		{float32(math.NaN()), float32(math.NaN()), 0},
		{float32(math.NaN()), 1, math.MaxUint64},
	} {
		if got := ulps32(c.a, c.b); got != c.want {
			t.Errorf("ulps32(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if got := ulps64(1, math.Nextafter(math.Nextafter(1, 0), 0)); got != 2 {
		t.Errorf("ulps64 two steps = %d", got)
	}
}

func TestGoldenCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "twice.golden")
	one := math.Float64bits(1)
	lines := []string{
		"# f(x) = 2x",
		"params " + hex64(one),
		"f32 3f800000 3f800000 40000000 40000000", // x=1 dy=1 f=2 dx=2
		"f64 " + hex64(math.Float64bits(3)) + " " + hex64(one) + " " + hex64(math.Float64bits(6)) + " " + hex64(math.Float64bits(2)),
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	groups, err := readGolden(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0].params[0] != 1 || groups[0].rows[0].fx != 2 {
		t.Fatalf("parsed %+v", groups)
	}
	twice := goldenKernel{
		name: "twice",
		forward32: func(dst, x, _ []float32) {
			for i := range x {
				dst[i] = 2 * x[i]
			}
		},
		backward32: func(dx, _, dy, _ []float32) {
			for i := range dy {
				dx[i] = 2 * dy[i]
			}
		},
		forward64: func(dst, x, _ []float64) {
			for i := range x {
				dst[i] = 2 * x[i]
			}
		},
		backward64: func(dx, _, dy, _ []float64) {
			for i := range dy {
				dx[i] = 2 * dy[i]
			}
		},
	}
	if fails, _ := goldenErrors(twice, groups); len(fails) != 0 {
		t.Errorf("correct kernel fails: %v", fails)
	}
	off := twice
	off.forward64 = func(dst, x, _ []float64) {
		for i := range x {
			dst[i] = math.Nextafter(2*x[i], 100)
		}
	}
	if fails, _ := goldenErrors(off, groups); len(fails) != 1 {
		t.Errorf("kernel 1 ULP off with budget 0: %d failures, want 1", len(fails))
	}
	off.budget64 = 1
	if fails, _ := goldenErrors(off, groups); len(fails) != 0 {
		t.Errorf("kernel 1 ULP off with budget 1: %v", fails)
	}
}

func hex64(b uint64) string { return strconv.FormatUint(b, 16) }
