package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actgen/actgen/harness/accuracy"
	"github.com/actgen/actgen/harness/benchtab"
	"github.com/actgen/actgen/kernel"
)

// results makes benchfmt lines: 6 samples per impl around the given ns/op.
func results(dir, fn string, n int, nsPerOp map[string][]float64) string {
	var b strings.Builder
	for impl, vs := range nsPerOp {
		for _, v := range vs {
			fmt.Fprintf(&b, "Benchmark%s/fn=%s/impl=%s/n=%d-2\t1000\t%g ns/op\n", dir, fn, impl, n, v)
		}
	}
	return b.String()
}

func TestDecide(t *testing.T) {
	set := benchtab.NewSet()
	data := results("Forward", "sigmoid", 4096, map[string][]float64{
		"avx2-u32": {100, 101, 102, 103, 104, 105},
		"avx2-u16": {80, 81, 82, 83, 84, 85}, // clearly faster than the default
		"avx2-u8":  {99, 120, 98, 130, 97, 140},
	}) + results("Forward", "relu", 4096, map[string][]float64{
		"avx2-u32": {100, 90, 110, 95, 105, 100},
		"avx2-u16": {99, 89, 109, 94, 104, 99}, // fastest median, but noise
	}) + results("Forward", "leaky_relu", 4096, map[string][]float64{
		"avx2-u32": {100, 101, 102, 103, 104, 105},
		"avx2-u16": {60, 61, 62, 63, 64, 65}, // fastest median, tied with u8
		"avx2-u8":  {61, 60, 63, 62, 65, 66},
	}) + results("Forward", "elu", 4096, map[string][]float64{
		"avx2-u32": {100, 101, 102, 103, 104, 105},
		"avx2-u16": {60, 61, 62, 63, 64, 65},
		"avx2-u8":  {60, 100, 61, 101, 62, 102}, // bimodal: tied with u16, not clearly ahead of u32
	}) + results("Forward", "tanh", 4096, map[string][]float64{
		"avx2-u32": {100, 101, 102, 103, 104, 105},
		"avx2-u16": {94, 95, 96, 97, 98, 99}, // always faster, but by 5%: not worth a flip
	})
	if err := set.Read(strings.NewReader(data), "test"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		fn         string
		candidates []string
		defaultOK  bool
		want       string
	}{
		{"sigmoid", []string{"avx2-u8", "avx2-u16", "avx2-u32"}, true, "avx2-u16"},
		{"sigmoid", []string{"avx2-u8", "avx2-u32"}, true, "avx2-u32"},
		{"relu", []string{"avx2-u16", "avx2-u32"}, true, "avx2-u32"},
		{"relu", []string{"avx2-u16"}, false, "avx2-u16"}, // the default is over budget
		{"tanh", []string{"avx2-u16", "avx2-u32"}, true, "avx2-u32"},
		{"leaky_relu", []string{"avx2-u8", "avx2-u16", "avx2-u32"}, true, "avx2-u8"}, // the first of a tie
		{"leaky_relu", []string{"avx2-u16", "avx2-u8", "avx2-u32"}, true, "avx2-u16"},
		{"elu", []string{"avx2-u8", "avx2-u16", "avx2-u32"}, true, "avx2-u16"}, // the first tie that beats the default
	} {
		d, err := decide(set, "Forward", c.fn, 4096, c.candidates, "avx2-u32", c.defaultOK)
		if err != nil {
			t.Fatal(err)
		}
		if d.chosen != c.want {
			t.Errorf("%s among %v: chose %s, want %s (fastest %s)", c.fn, c.candidates, d.chosen, c.want, d.best.Winner)
		}
	}
	if _, err := decide(set, "Backward", "sigmoid", 4096, []string{"avx2-u32"}, "avx2-u32", true); err == nil {
		t.Error("no samples: no error")
	}
}

// TestWithinBudget checks that stored results decide the candidates of each
// direction against the spec's budgets: float32 from the sweeps, float64 from
// the float64 sample.
func TestWithinBudget(t *testing.T) {
	suite, err := accuracy.Open("../../../spec/activations.yaml", filepath.Join(t.TempDir(), "none.json"))
	if err != nil {
		t.Fatal(err)
	}
	var k *kernel.Kernel
	for _, kk := range suite.Kernels {
		if kk.Entry.Name == "sigmoid" {
			k = kk
		}
	}
	st := suite.Store
	over := uint64(k.Entry.ULP.F64) + 1
	sweep := func(ulp uint64) accuracy.Exhaustive {
		return accuracy.Exhaustive{Sweeps: []accuracy.Sweep{{Impl: "avx2-u8", MaxULP: ulp}, {Impl: "avx2-u16"}}}
	}
	st.PutExhaustive(accuracy.StoreKey("sigmoid", false), sweep(uint64(k.Entry.ULP.F32)+1))
	st.PutExhaustive(accuracy.StoreKey("sigmoid", true), sweep(0))
	st.PutFloat64("sigmoid", []accuracy.Result{
		{Impl: "avx2-u8", Type: "float64", MaxULP: 0},
		{Impl: "avx2-u16", Type: "float64", MaxULP: over},
		{Impl: "avx2-u8", Type: "float64", Backward: true, MaxULP: 0},
		{Impl: "avx2-u16", Type: "float64", Backward: true, MaxULP: 0},
	})
	within, source, err := withinBudget(k, suite.Registry["sigmoid"], st, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := [4]map[string]bool{
		{"avx2-u8": false, "avx2-u16": true},
		{"avx2-u8": true, "avx2-u16": true},
		{"avx2-u8": true, "avx2-u16": false},
		{"avx2-u8": true, "avx2-u16": true},
	}
	for d := range want {
		for impl, ok := range want[d] {
			if within[d][impl] != ok {
				t.Errorf("%s %s: within budget %v, want %v (from %s)", benchDirs[d], impl, within[d][impl], ok, source)
			}
		}
	}
	if strings.Contains(source, "samples") {
		t.Errorf("sampled although every result was stored: %s", source)
	}
}

// TestJudge checks the confirmation rule: a challenger keeps its cell only
// when the confirmation run shows it clearly faster again.
func TestJudge(t *testing.T) {
	set := benchtab.NewSet()
	data := results("Forward", "relu", 4096, map[string][]float64{
		"avx2-u32": {100, 101, 102, 103, 104, 105},
		"avx2-u8":  {60, 61, 62, 63, 64, 65}, // confirmed
	}) + results("Forward", "leaky_relu", 4096, map[string][]float64{
		"avx2-u32": {100, 60, 101, 61, 102, 62},
		"avx2-u8":  {60, 100, 61, 101, 62, 102}, // bimodal: not confirmed
	})
	if err := set.Read(strings.NewReader(data), "test"); err != nil {
		t.Fatal(err)
	}
	small := classes[0]
	challenged := func(fn string) *cell {
		return &cell{fn: fn, class: small, dc: decision{chosen: "avx2-u8", best: benchtab.Choice{Winner: "avx2-u8"}, vsDefault: &benchtab.Comparison{}}}
	}
	relu, leaky := challenged("relu"), challenged("leaky_relu")
	if !relu.challenged() || !leaky.challenged() {
		t.Fatal("cells replacing the default are not challenged")
	}
	if err := judge(set, []*cell{relu, leaky}); err != nil {
		t.Fatal(err)
	}
	if relu.dc.chosen != "avx2-u8" || relu.confirmation == nil {
		t.Errorf("relu: %s after a confirmed win", relu.dc.chosen)
	}
	if leaky.dc.chosen != small.deflt {
		t.Errorf("leaky_relu: %s after an unconfirmed win, want the default %s", leaky.dc.chosen, small.deflt)
	}
	if err := judge(set, []*cell{challenged("tanh")}); err == nil {
		t.Error("no confirmation samples: no error")
	}
	kept := &cell{fn: "relu", class: small, dc: decision{chosen: small.deflt, best: benchtab.Choice{Winner: "avx2-u8"}, vsDefault: &benchtab.Comparison{}}}
	if kept.challenged() {
		t.Error("a cell keeping its default is challenged")
	}
}
