package main

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"github.com/actgen/actgen/harness/benchtab"
)

// The speed goals of the AVX2 kernels (the project's issue on them), as
// ratios of median times in one benchmark run, so that a noisy machine moves
// both sides alike.
//
// copyGoal is, at n=4096, 0.9× XNNPACK's time per element on this machine
// over that of copy() in the same runs: 10% faster than the best C kernels.
// silu, mish and softplus, which XNNPACK lacks, are held to fusedGoal times
// our sigmoid's ratio instead: one fused pass, not three.
var copyGoal = map[string]float64{
	"sigmoid": 6.1, "tanh": 4.4, "elu": 5.9, "gelu": 6.5, "gelu_tanh": 6.5, "relu": 1.1, "leaky_relu": 1.1,
}

var fusedGoal = map[string]float64{"silu": 1.2, "mish": 1.2, "softplus": 1.2}

// elementary functions need no transcendental primitive; the others must be
// portableGoal times faster than their portable kernel.
var elementary = map[string]bool{"relu": true, "leaky_relu": true}

const (
	backwardGoal = 1.5  // backward over forward time, n=4096
	portableGoal = 30.0 // portable over AVX2 time, n=4096
	memoryGoal   = 1.05 // over copy() at n=16M, where memory bounds both
)

// copySamples returns the times of copy() at n from every function's copy
// row of the set: the same operation on the same sizes, pooled into one
// yardstick. A single row's few samples do not make one: at n=4096, source
// and destination fill the 32 KiB L1 between them, and copy's time swings
// between two levels (about 190 and 250–410 ns) from sample to sample, which
// moved a function's ratio by 30% between runs in which its own time moved 1%.
func copySamples(set *benchtab.Set, n int) []float64 {
	var all []float64
	for _, k := range set.Keys() {
		if k.Dir == "Forward" && k.Impl == "copy" && k.N == n {
			all = append(all, set.Sample(k, benchtab.UnitTime)...)
		}
	}
	return all
}

// summaryOf returns the median of values with its confidence interval, and
// whether there is a positive median.
func summaryOf(values []float64) (benchtab.Summary, bool) {
	s, err := benchtab.Summarize(values)
	return s, err == nil && s.Median > 0
}

// ratio is the quotient of two medians, with the range their confidence
// intervals allow it: [a.Lo/b.Hi, a.Hi/b.Lo]. A goal near the ratio is met
// or missed only when the whole range is on one side of it: verdicts read
// off the medians alone flipped between runs (relu's forward over copy at
// n=4096: 1.10 met in one make tune, 1.11 missed in the next).
type ratio struct{ v, lo, hi float64 }

func ratioOf(a, b benchtab.Summary) ratio {
	return ratio{a.Median / b.Median, a.Lo / b.Hi, a.Hi / b.Lo}
}

// bounded says whether r's range is known. A sample too small for a
// confidence interval has ±Inf ends, which make lo 0, -Inf or NaN (no
// comparison holds for NaN).
func (r ratio) bounded() bool {
	return r.lo > 0 && r.hi < math.Inf(1)
}

// goals writes the table of the goals: each ratio of the dispatched kernels,
// its goal, and whether it is met.
func (r *report) goals(b *bytes.Buffer) {
	if r.bench == nil {
		return
	}
	summary := func(dir, fn, impl string, n int) (benchtab.Summary, bool) {
		return summaryOf(r.bench.Sample(benchtab.Key{Dir: dir, Fn: fn, Impl: impl, N: n}, benchtab.UnitTime))
	}
	copies := copySamples(r.bench, smallN)
	cp, okC := summaryOf(copies)
	cpBig, okCL := summaryOf(copySamples(r.bench, largeN))
	cell := func(a, b benchtab.Summary, okA, okB bool, goal float64, atLeast bool) string {
		if !okA || !okB {
			return "—"
		}
		return ratioCell(ratioOf(a, b), goal, atLeast)
	}
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("\n## Speed goals\n\n")
	p("Ratios of median times per call in the benchmark file, for the float32 variants the public functions dispatch\n")
	p("to (n=4096: small; n=16M: large); copy is the median of every copy() row of that size in the run (%d samples at\n", len(copies))
	p("n=%d), one yardstick for all functions. The goals: at n=4096,\n", smallN)
	p("0.9× XNNPACK's time on this machine over copy's (silu, mish and softplus: 1.2× our sigmoid's ratio), backward\n")
	p("at most %g× forward, at least %g× the portable kernel for every transcendental function; at n=16M, at most\n", backwardGoal, portableGoal)
	p("%g× copy. In brackets, the range the medians' %.0f%% confidence intervals allow the ratio: ✓ met and ✗ missed\n", memoryGoal, 100*benchtab.Confidence)
	p("over all of it; ~ the goal lies within it, and the run cannot tell.\n\n")
	p("| function | forward / copy, n=4096 | backward / forward, n=4096 | portable / AVX2, n=4096 | forward / copy, n=16M |\n")
	p("|---|---|---|---|---|\n")
	// The fused goal scales sigmoid's median ratio, not its range: two
	// compounded ranges would leave nearly every fused cell undecided.
	sigmoidRatio := 0.0
	if s := r.section("sigmoid"); s != nil {
		if f, ok := summary("Forward", "sigmoid", s.reg.Dispatch[0].Impl, smallN); ok && okC {
			sigmoidRatio = f.Median / cp.Median
		}
	}
	for _, s := range r.sections {
		name := s.k.Entry.Name
		small, large := s.reg.Dispatch[0].Impl, s.reg.Dispatch[0].Large
		fwd, okF := summary("Forward", name, small, smallN)
		bwd, okB := summary("Backward", name, s.reg.Dispatch[1].Impl, smallN)
		port, okP := summary("Forward", name, "go", smallN)
		big, okL := summary("Forward", name, large, largeN)
		goal := copyGoal[name]
		if k, ok := fusedGoal[name]; ok && sigmoidRatio > 0 {
			goal = k * sigmoidRatio
		}
		pg := portableGoal
		if elementary[name] {
			pg = 0
		}
		back := cell(bwd, fwd, okB, okF, backwardGoal, false)
		if impl := s.reg.Dispatch[1].Impl; !strings.HasPrefix(impl, "avx2") {
			back += " (the gradient dispatches to " + impl + ")"
		}
		cells := []string{
			fmt.Sprintf("[%s](#%s)", name, name),
			cell(fwd, cp, okF, okC, goal, false),
			back,
			cell(port, fwd, okP, okF, pg, true),
			cell(big, cpBig, okL, okCL, memoryGoal, false),
		}
		p("| %s |\n", strings.Join(cells, " | "))
	}
}

// section returns the section of the spec entry name, or nil.
func (r *report) section(name string) *section {
	for i := range r.sections {
		if r.sections[i].k.Entry.Name == name {
			return &r.sections[i]
		}
	}
	return nil
}

// ratioCell formats r against a goal: at most goal, or at least it when
// atLeast; goal 0 shows the ratio alone. The verdict is the median's where
// r's range is unknown.
func ratioCell(r ratio, goal float64, atLeast bool) string {
	if goal == 0 {
		return fmt.Sprintf("%.2f", r.v)
	}
	meets := func(v float64) bool { return v <= goal }
	rel, best, worst := "≤", r.lo, r.hi
	if atLeast {
		meets = func(v float64) bool { return v >= goal }
		rel, best, worst = "≥", r.hi, r.lo
	}
	bounded := r.bounded()
	if !bounded {
		best, worst = r.v, r.v
	}
	mark := "~"
	switch {
	case meets(worst):
		mark = "✓"
	case !meets(best):
		mark = "✗"
	}
	span := ""
	if bounded {
		span = fmt.Sprintf(" [%.2f, %.2f]", r.lo, r.hi)
	}
	return fmt.Sprintf("%.2f%s (%s %.3g) %s", r.v, span, rel, goal, mark)
}
