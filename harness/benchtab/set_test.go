package benchtab

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const benchTxt = "testdata/bench.txt"

func TestSetQueries(t *testing.T) {
	s, err := Load(benchTxt)
	if err != nil {
		t.Fatal(err)
	}
	keys := s.Keys()
	if len(keys) != 2*2*(4*2+1) {
		t.Errorf("%d cells, want 36", len(keys))
	}
	// First-seen order: Forward before Backward, sigmoid before relu.
	if k := keys[0]; k != (Key{"Forward", "sigmoid", "avx2-u16", 4096}) {
		t.Errorf("first key %v", k)
	}
	if k := keys[len(keys)-1]; k != (Key{"Backward", "relu", "go", 4096}) {
		t.Errorf("last key %v", k)
	}
	if got, want := s.Ns("Forward", "sigmoid", ""), []int{4096, 65536}; !reflect.DeepEqual(got, want) {
		t.Errorf("Ns = %v, want %v", got, want)
	}
	if got, want := s.Ns("Forward", "sigmoid", "go"), []int{4096}; !reflect.DeepEqual(got, want) {
		t.Errorf("Ns(go) = %v, want %v", got, want)
	}
	if got, want := s.Impls("Backward", "relu"), []string{"avx2-u16", "avx2-u32", "avx2-u32-nt", "copy", "go"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Impls = %v, want %v", got, want)
	}
	// benchstat: Forward sigmoid 4096 avx2-u32 elements/ns 1.6124999999999998.
	if v, ok := s.Throughput(Key{"Forward", "sigmoid", "avx2-u32", 4096}); !ok || v != 1.6124999999999998 {
		t.Errorf("Throughput = %v, %v", v, ok)
	}
	if _, ok := s.Throughput(Key{"Forward", "sigmoid", "go", 65536}); ok {
		t.Error("Throughput of a missing cell is ok")
	}
	// ns/op arrives as seconds.
	if got := s.Sample(Key{"Forward", "sigmoid", "avx2-u32", 4096}, UnitTime); len(got) != 6 || got[0] != 3051e-9 {
		t.Errorf("Sample = %v, want 6 values starting at 3.051e-06 (input order)", got)
	}
	if _, err := s.Summary(Key{"Forward", "nope", "go", 1}, UnitTime); err == nil || !strings.Contains(err.Error(), "fn=nope") {
		t.Errorf("Summary of a missing cell: %v", err)
	}
}

func TestSetMergesAndSkips(t *testing.T) {
	data, err := os.ReadFile(benchTxt)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.txt")
	extra := "BenchmarkUnrelated-2 \t 100 \t 12.5 ns/op\n" +
		"BenchmarkForward/fn=sigmoid/impl=avx2-u32/n=4096-2 \t 1000 \t 1000 ns/op \t 4.096 elements/ns\n"
	if err := os.WriteFile(other, []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	s := NewSet()
	if err := s.Read(strings.NewReader(string(data)), "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReadFile(other); err != nil {
		t.Fatal(err)
	}
	k := Key{"Forward", "sigmoid", "avx2-u32", 4096}
	if n := len(s.Sample(k, UnitTime)); n != 7 {
		t.Errorf("merged %d samples, want 7", n)
	}
	if got := s.Sample(k, UnitThroughput); got[6] != 4.096 {
		t.Errorf("elements/ns sample %v", got)
	}
	if s.Skipped() != 1 {
		t.Errorf("Skipped = %d, want 1", s.Skipped())
	}
}

func TestReadErrors(t *testing.T) {
	s := NewSet()
	err := s.Read(strings.NewReader("goos: linux\nBenchmarkForward/fn=x/impl=y/n=1-2 100 fast ns/op\n"), "bad.txt")
	if err == nil || !strings.Contains(err.Error(), "bad.txt:2") {
		t.Errorf("syntax error: %v, want one naming bad.txt:2", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.txt")); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("missing file: %v", err)
	}
}

func TestCompareEdges(t *testing.T) {
	if _, err := Compare(nil, []float64{1}); err == nil {
		t.Error("Compare with an empty base: no error")
	}
	if _, err := Summarize(nil); err == nil {
		t.Error("Summarize(nil): no error")
	}
	// Identical samples: the U test gives up; benchstat then shows "~ (p=1.000 n=3)".
	c, err := Compare([]float64{2, 2, 2}, []float64{2, 2, 2})
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != "~ (p=1.000 n=3)" || c.Significant {
		t.Errorf("equal samples: %q, significant %v", c, c.Significant)
	}
	// Sizes differ: benchstat's "n=4+5"; fully separated, p = 2/C(9,4).
	c, err = Compare([]float64{1, 1.1, 1.2, 1.3}, []float64{2.4, 2, 2.1, 2.2, 2.3})
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != "+91.30% (p=0.016 n=4+5)" || !c.Significant || math.Abs(c.DeltaPct-(2.2/1.15-1)*100) > 1e-9 {
		t.Errorf("%q, significant %v, delta %v", c, c.Significant, c.DeltaPct)
	}
	// Too few samples for an interval.
	sum, _ := Summarize([]float64{1, 2})
	if sum.Range() != "∞" || sum.N != 2 {
		t.Errorf("Summary of 2 samples: %+v, range %s", sum, sum.Range())
	}
	// Input order is the caller's; Summarize must not sort it.
	v := []float64{3, 1, 2}
	Summarize(v)
	if v[0] != 3 {
		t.Error("Summarize sorted its argument")
	}
}

func TestFastestEdges(t *testing.T) {
	s, err := Load(benchTxt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fastest(s, "Forward", "sigmoid", 65536, []string{"go", "nope"}); err == nil {
		t.Error("no candidate with samples: no error")
	}
	ch, err := Fastest(s, "Forward", "sigmoid", 65536, []string{"go", "avx2-u16"})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Winner != "avx2-u16" || ch.RunnerUp != "" || ch.Significant || ch.P != 1 {
		t.Errorf("single candidate: %+v", ch)
	}
	// Equal medians: the earlier candidate wins.
	s2 := NewSet()
	in := ""
	for _, impl := range []string{"b", "a"} {
		for range 6 {
			in += "BenchmarkForward/fn=f/impl=" + impl + "/n=8-2 1 100 ns/op\n"
		}
	}
	if err := s2.Read(strings.NewReader(in), "tie"); err != nil {
		t.Fatal(err)
	}
	for _, cands := range [][]string{{"a", "b"}, {"b", "a"}} {
		ch, err := Fastest(s2, "Forward", "f", 8, cands)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Winner != cands[0] || ch.Significant {
			t.Errorf("tie among %v: %+v", cands, ch)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		f    func(float64) string
		want string
	}{
		{2.547e-6, formatSeconds, "2.55 µs"},
		{95519.5e-9, formatSeconds, "95.5 µs"},
		{290.2e-9, formatSeconds, "290 ns"},
		{999.7e-9, formatSeconds, "1.00 µs"},
		{99.96e-6, formatSeconds, "100 µs"},
		{0.5e-9, formatSeconds, "0.5 ns"},
		{18.84e-3, formatSeconds, "18.8 ms"},
		{2.5, formatSeconds, "2.50 s"},
		{12, formatSig3, "12.0"},
		{1.6124999999999998, formatSig3, "1.61"},
		{0.042935, formatSig3, "0.0429"},
		{12345, formatSig3, "12300"},
	} {
		if got := c.f(c.v); got != c.want {
			t.Errorf("format(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
