package benchtab

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestMarkdownGolden renders testdata/bench.txt the ways a README would:
// every (dir, fn) against copy with all sizes and impls, then a chosen subset
// against the Go loop, then without a base.
func TestMarkdownGolden(t *testing.T) {
	s, err := Load(benchTxt)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	table := func(title, dir, fn string, ns []int, impls []string, base string) {
		fmt.Fprintf(&b, "### %s\n\n", title)
		if err := Markdown(&b, s, dir, fn, ns, impls, base); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\n%s\n\n", Legend(base))
	}
	for _, dir := range []string{"Forward", "Backward"} {
		for _, fn := range []string{"sigmoid", "relu"} {
			table(dir+" "+fn+" vs copy, everything", dir, fn, nil, nil, "copy")
		}
	}
	table("Forward sigmoid vs go, chosen impls (go lacks n=65536)", "Forward", "sigmoid",
		[]int{4096, 65536}, []string{"go", "avx2-u32", "avx2-u16", "missing"}, "go")
	table("Forward relu, no base", "Forward", "relu", []int{4096}, nil, "")
	checkGolden(t, "tables.md", b.Bytes())
}

func TestMarkdownErrors(t *testing.T) {
	s, err := Load(benchTxt)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = Markdown(&b, s, "Forward", "sigmoid", []int{123}, nil, "copy")
	if err == nil || !strings.Contains(err.Error(), "Forward/fn=sigmoid") {
		t.Errorf("no samples at n=123: %v", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q on error", b.String())
	}
}

// TestFastestGolden records the tuner's choice for every (dir, fn, n) of
// testdata/bench.txt among the AVX2 variants and the Go loop.
func TestFastestGolden(t *testing.T) {
	s, err := Load(benchTxt)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	cands := []string{"go", "avx2-u16", "avx2-u32", "avx2-u32-nt", "absent"}
	fmt.Fprintf(&b, "candidates %v\n", cands)
	for _, dir := range []string{"Forward", "Backward"} {
		for _, fn := range []string{"sigmoid", "relu"} {
			for _, n := range s.Ns(dir, fn, "") {
				ch, err := Fastest(s, dir, fn, n, cands)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "%-8s %-7s n=%-6d winner %-11s %-8s runner-up %-11s %-8s delta %+7.2f%% p=%.3f significant=%v\n",
					dir, fn, n, ch.Winner, formatSeconds(ch.WinnerMedian), ch.RunnerUp, formatSeconds(ch.RunnerUpMedian),
					ch.DeltaPct, ch.P, ch.Significant)
			}
		}
	}
	checkGolden(t, "fastest.txt", b.Bytes())
}
