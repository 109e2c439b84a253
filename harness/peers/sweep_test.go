package peers

import (
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/actgen/actgen/out/act"
)

// TestSweep measures what the tolerances in peers_test.go quote: it runs every
// peer on every k-th float32 in [-20, 20], k = $PEERS_SWEEP (16 gives 137.6
// million points and takes minutes), and logs the worst error in units of the
// tolerance and the absolute slack each peer would need at its rtol alone.
func TestSweep(t *testing.T) {
	stride, _ := strconv.Atoi(os.Getenv("PEERS_SWEEP"))
	if stride <= 0 {
		t.Skip("set PEERS_SWEEP=k to measure on every k-th float32 in [-20, 20]")
	}
	var xs []float32
	for _, sign := range []float32{1, -1} {
		for b := uint32(0); ; b += uint32(stride) {
			x := math.Float32frombits(b) * sign
			if math.Abs(float64(x)) > 20 {
				break
			}
			xs = append(xs, x)
		}
	}
	xs = append(xs, specials...)
	for len(xs)%32 != 0 {
		xs = append(xs, 1)
	}
	dy := make([]float32, len(xs))
	for i := range dy {
		dy[i] = 1
	}
	t.Logf("%d points", len(xs))
	for _, k := range act.Kernels() {
		for _, backward := range []bool{false, true} {
			dir := map[bool]string{false: "forward", true: "backward"}[backward]
			want := reference(k, xs, dy, backward)
			for _, p := range For(k.Name) {
				if backward && p.Backward == nil {
					continue
				}
				got := run(p, xs, dy, backward, len(xs))
				tol := toleranceFor(p.Name, k.Name, dir)
				w := compare(tol, xs, got, want)
				var need float64
				var at float32
				for i, x := range xs {
					if e := math.Abs(float64(got[i])-want[i]) - tol.rtol*math.Abs(want[i]) - minAbs; e > need {
						need, at = e, x
					}
				}
				t.Logf("%-6s %-10s %-8s worst %.3f of tolerance at x = %-13g atol needed %.3g at x = %g",
					p.Name, k.Name, dir, w.ratio, w.x, need, at)
				if w.ratio > 1 {
					t.Errorf("%s/%s/%s: %.3g× the tolerance at x = %g", p.Name, k.Name, dir, w.ratio, w.x)
				}
			}
		}
	}
}
