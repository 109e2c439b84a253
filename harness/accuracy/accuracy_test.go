package accuracy

import (
	"math"
	"testing"
)

func TestULPs(t *testing.T) {
	for _, c := range []struct {
		a, b float64
		is32 bool
		want uint64
	}{
		{1, 1, true, 0},
		{0, math.Copysign(0, -1), false, 0},
		{1, float64(math.Nextafter32(1, 2)), true, 1},
		{-1, math.Nextafter(math.Nextafter(-1, 0), 0), false, 2},
		{0x1p-149, -0x1p-149, true, 2},
		{math.NaN(), math.NaN(), true, 0},
		{math.NaN(), 0, false, math.MaxUint64},
		{math.Inf(1), math.MaxFloat64, false, 1},
	} {
		if got := ULPs(c.a, c.b, c.is32); got != c.want {
			t.Errorf("ULPs(%v, %v, %v) = %d, want %d", c.a, c.b, c.is32, got, c.want)
		}
	}
}

func TestSample(t *testing.T) {
	xs := Sample(1000, true, 1)
	if len(xs) != 1000 {
		t.Fatalf("%d samples", len(xs))
	}
	near, tiny := 0, 0
	for _, x := range xs {
		if math.IsNaN(x) || float64(float32(x)) != x {
			t.Fatalf("sample %v is not a float32 number", x)
		}
		if math.Abs(x) <= 12 && math.Abs(x) > 1e-3 {
			near++
		}
		if x != 0 && math.Abs(x) < 1e-6 {
			tiny++
		}
	}
	if near < 400 || tiny < 50 {
		t.Errorf("sample mix: %d in [-12, 12], %d tiny", near, tiny)
	}
	if a, b := Sample(10, false, 7), Sample(10, false, 7); a[3] != b[3] {
		t.Error("Sample is not deterministic")
	}
}
