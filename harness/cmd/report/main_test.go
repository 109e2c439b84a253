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

// TestRatioCell checks the goal cells both ways round and on the boundary.
func TestRatioCell(t *testing.T) {
	for _, c := range []struct {
		v, goal float64
		atLeast bool
		want    string
	}{
		{6.75, 6.1, false, "6.75 (≤ 6.1) ✗"},
		{6.1, 6.1, false, "6.10 (≤ 6.1) ✓"},
		{1.27, 1.5, false, "1.27 (≤ 1.5) ✓"},
		{56.9, 30, true, "56.90 (≥ 30) ✓"},
		{25.93, 30, true, "25.93 (≥ 30) ✗"},
		{8.1, 1.2 * 6.75, false, "8.10 (≤ 8.1) ✓"},
		{32.3, 0, true, "32.30"},
	} {
		if got := ratioCell(c.v, c.goal, c.atLeast); got != c.want {
			t.Errorf("ratioCell(%v, %v, %v) = %q, want %q", c.v, c.goal, c.atLeast, got, c.want)
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
	if m, ok := medianOf(got); !ok || math.Round(m*1e9) != 200 {
		t.Errorf("median %v %v, want 200 ns", m, ok)
	}
}
