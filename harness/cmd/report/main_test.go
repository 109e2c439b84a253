package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/actgen/actgen/harness/benchtab"
)

// TestReport runs the command on a small sample with the benchtab test data
// (sigmoid and relu only) and checks that every section and plot is there.
func TestReport(t *testing.T) {
	if testing.Short() {
		t.Skip("measures every kernel")
	}
	dir := t.TempDir()
	args := []string{"-spec", "../../../spec/activations.yaml", "-out", dir, "-samples", "50",
		"-bench", "../../benchtab/testdata/bench.txt", "-tune", filepath.Join(dir, "none.md")}
	if err := run(args); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, want := range []string{
		"## Overview", "## Speed goals", "(≤ 6.1)", "(≥ 30)", "## Accuracy", "### float32, every input", "### float64, 50 sampled inputs",
		"### float32, 50 sampled inputs", "Not swept for the current kernels", "## Functions", "### gelu_tanh",
		"Forward, float32:", "| avx2-u32 ", "## Reproduce",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md lacks %q", want)
		}
	}
	for _, f := range []string{"overview.svg", "sigmoid.svg", "sigmoid-error.svg", "sigmoid-speed-forward.svg", "relu-speed-backward.svg", "gelu-error.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
		if !strings.Contains(readme, "("+f+")") {
			t.Errorf("README.md does not show %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "gelu-speed-forward.svg")); err == nil {
		t.Error("a speed plot of gelu, which the benchmark file lacks")
	}
}

// TestRatioCell checks the goal cells both ways round, on the boundary, with
// the goal inside the ratio's range, and without a range.
func TestRatioCell(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		r       ratio
		goal    float64
		atLeast bool
		want    string
	}{
		{ratio{6.75, 6.5, 7.2}, 6.1, false, "6.75 [6.50, 7.20] (≤ 6.1) ✗"},
		{ratio{6.0, 5.5, 6.1}, 6.1, false, "6.00 [5.50, 6.10] (≤ 6.1) ✓"},
		{ratio{1.11, 0.98, 1.3}, 1.1, false, "1.11 [0.98, 1.30] (≤ 1.1) ~"},
		{ratio{1.05, 0.98, 1.3}, 1.1, false, "1.05 [0.98, 1.30] (≤ 1.1) ~"},
		{ratio{56.9, 50, 60}, 30, true, "56.90 [50.00, 60.00] (≥ 30) ✓"},
		{ratio{25.93, 24, 28}, 30, true, "25.93 [24.00, 28.00] (≥ 30) ✗"},
		{ratio{29, 28, 31}, 30, true, "29.00 [28.00, 31.00] (≥ 30) ~"},
		{ratio{8.1, 0, inf}, 1.2 * 6.75, false, "8.10 (≤ 8.1) ✓"},
		{ratio{8.2, 0, inf}, 1.2 * 6.75, false, "8.20 (≤ 8.1) ✗"},
		{ratio{32.3, 30, 35}, 0, true, "32.30"},
	} {
		if got := ratioCell(c.r, c.goal, c.atLeast); got != c.want {
			t.Errorf("ratioCell(%v, %v, %v) = %q, want %q", c.r, c.goal, c.atLeast, got, c.want)
		}
	}
}

// TestRatioOf checks that a ratio's range pairs each end of the numerator's
// interval with the opposite end of the denominator's.
func TestRatioOf(t *testing.T) {
	a := benchtab.Summary{Median: 6, Lo: 5, Hi: 8, N: 6}
	b := benchtab.Summary{Median: 2, Lo: 1, Hi: 4, N: 6}
	if got, want := ratioOf(a, b), (ratio{3, 1.25, 8}); got != want {
		t.Errorf("ratioOf = %+v, want %+v", got, want)
	}
	unknown := benchtab.Summary{Median: 2, Lo: math.Inf(-1), Hi: math.Inf(1), N: 2} // too few samples for an interval
	zero := benchtab.Summary{Median: 2, Lo: 0, Hi: 4, N: 6}                         // a sample that timed 0: hi is +Inf
	for _, c := range [][2]benchtab.Summary{{a, unknown}, {unknown, b}, {unknown, unknown}, {a, zero}} {
		if r := ratioOf(c[0], c[1]); r.bounded() {
			t.Errorf("ratioOf(%+v, %+v) = %+v, bounded", c[0], c[1], r)
		}
	}
}

// TestCopySamples checks that the goals' yardstick pools every function's
// copy() row of one size, and nothing else.
func TestCopySamples(t *testing.T) {
	const bench = `BenchmarkForward/fn=sigmoid/impl=copy/n=4096-2 1 190 ns/op
BenchmarkForward/fn=sigmoid/impl=copy/n=4096-2 1 400 ns/op
BenchmarkForward/fn=relu/impl=copy/n=4096-2 1 200 ns/op
BenchmarkForward/fn=relu/impl=copy/n=65536-2 1 9000 ns/op
BenchmarkForward/fn=relu/impl=avx2-u32/n=4096-2 1 250 ns/op
BenchmarkBackward/fn=relu/impl=copy/n=4096-2 1 500 ns/op
`
	set := benchtab.NewSet()
	if err := set.Read(strings.NewReader(bench), "bench.txt"); err != nil {
		t.Fatal(err)
	}
	got := copySamples(set, 4096)
	ns := make([]float64, len(got))
	for i, v := range got {
		ns[i] = math.Round(v * 1e9)
	}
	slices.Sort(ns)
	if want := []float64{190, 200, 400}; !slices.Equal(ns, want) {
		t.Errorf("copySamples(4096) = %v ns, want %v", ns, want)
	}
	if s, ok := summaryOf(got); !ok || math.Round(s.Median*1e9) != 200 {
		t.Errorf("median %v %v, want 200 ns", s.Median, ok)
	}
}
