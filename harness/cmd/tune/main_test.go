package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/actgen/actgen/harness/benchtab"
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
