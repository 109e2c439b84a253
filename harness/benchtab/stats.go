package benchtab

import (
	"errors"
	"fmt"
	"slices"

	"golang.org/x/perf/benchmath"
)

// The statistics benchstat uses by default, so that numbers here and in
// reports/bench-*.txt can be checked against each other.
const (
	Confidence = 0.95 // level of the median's confidence interval
	Alpha      = 0.05 // a difference with p <= Alpha is significant
)

var errNoSamples = errors.New("no samples")

// thresholds is shared by every benchmath.Sample; benchmath keeps a pointer.
var thresholds = benchmath.Thresholds{CompareAlpha: Alpha}

// sample copies values because benchmath.NewSample sorts in place and the
// callers' slices are the Set's records in input order.
func sample(values []float64) *benchmath.Sample {
	return benchmath.NewSample(slices.Clone(values), &thresholds)
}

// Summary is the median of a sample with its confidence interval.
type Summary struct {
	Median float64
	Lo, Hi float64 // Confidence interval around Median; ±Inf when N is too small for one
	N      int
}

// Range formats the confidence interval as benchstat does after "±": the larger
// relative distance of Lo or Hi from the median, e.g. "20%", or "∞".
func (s Summary) Range() string {
	return benchmath.Summary{Center: s.Median, Lo: s.Lo, Hi: s.Hi}.PctRangeString()
}

// Summarize returns the median of values and its confidence interval at level
// [Confidence], making no assumption about the distribution.
func Summarize(values []float64) (Summary, error) {
	if len(values) == 0 {
		return Summary{}, errNoSamples
	}
	s := benchmath.AssumeNothing.Summary(sample(values), Confidence)
	return Summary{Median: s.Center, Lo: s.Lo, Hi: s.Hi, N: len(values)}, nil
}

// Comparison is the outcome of comparing a sample with a base sample.
type Comparison struct {
	BaseMedian, Median float64
	DeltaPct           float64 // (Median/BaseMedian - 1) * 100
	P                  float64 // Mann-Whitney U test, two-sided
	N1, N2             int     // sizes of the base and the other sample
	Significant        bool    // P <= Alpha: benchstat prints the delta rather than "~"
}

func (c Comparison) bench() benchmath.Comparison {
	return benchmath.Comparison{P: c.P, N1: c.N1, N2: c.N2, Alpha: Alpha}
}

// Delta formats the change of the median as benchstat does: "+777.52%", or
// "~" when it is not significant.
func (c Comparison) Delta() string {
	return c.bench().FormatDelta(c.BaseMedian, c.Median)
}

// String formats c as benchstat's "vs base" column: "+777.52% (p=0.002 n=6)",
// "~ (p=0.310 n=6)", or with "n=5+6" when the sample sizes differ.
func (c Comparison) String() string {
	return c.Delta() + " (" + c.bench().String() + ")"
}

// Compare compares sample x with sample base by their medians and a
// Mann-Whitney U test. When the test cannot be done (e.g. every value equal)
// the result is P = 1, not significant, as in benchstat.
func Compare(base, x []float64) (Comparison, error) {
	if len(base) == 0 || len(x) == 0 {
		return Comparison{}, errNoSamples
	}
	sb, sx := sample(base), sample(x)
	bc := benchmath.AssumeNothing.Compare(sb, sx)
	mb := benchmath.AssumeNothing.Summary(sb, Confidence).Center
	mx := benchmath.AssumeNothing.Summary(sx, Confidence).Center
	return Comparison{
		BaseMedian: mb, Median: mx,
		DeltaPct:    (mx/mb - 1) * 100,
		P:           bc.P,
		N1:          bc.N1,
		N2:          bc.N2,
		Significant: bc.P <= Alpha,
	}, nil
}

// Choice is a tuner's pick among candidate impls for one (dir, fn, n), by
// median sec/op.
type Choice struct {
	Winner, RunnerUp string // RunnerUp is "" when only one candidate has samples
	// Median sec/op of each, in seconds.
	WinnerMedian, RunnerUpMedian float64
	// DeltaPct is the winner's time relative to the runner-up's, in percent
	// (<= 0); P and Significant are from the Mann-Whitney test between the two.
	// With no runner-up they are 0, 1 and false.
	DeltaPct    float64
	P           float64
	Significant bool
}

// Fastest picks the candidate impl of (dir, fn, n) with the lowest median
// sec/op. Candidates without samples are skipped; ties go to the earlier
// candidate, so list the one you would rather ship (simpler, smaller) first.
// When Significant is false the runner-up is statistically as fast, and the
// tuner may prefer it on other grounds.
func Fastest(s *Set, dir, fn string, n int, candidates []string) (Choice, error) {
	type ranked struct {
		impl   string
		median float64
	}
	var rs []ranked
	for _, impl := range candidates {
		sum, err := Summarize(s.cells[Key{dir, fn, impl, n}][UnitTime])
		if err != nil {
			continue
		}
		rs = append(rs, ranked{impl, sum.Median})
	}
	if len(rs) == 0 {
		return Choice{}, fmt.Errorf("benchtab: fastest of %s/fn=%s/n=%d: no samples for any of %v", dir, fn, n, candidates)
	}
	// Stable, so that equal medians keep the candidates' order.
	slices.SortStableFunc(rs, func(a, b ranked) int {
		switch {
		case a.median < b.median:
			return -1
		case a.median > b.median:
			return 1
		}
		return 0
	})
	ch := Choice{Winner: rs[0].impl, WinnerMedian: rs[0].median, P: 1}
	if len(rs) == 1 {
		return ch, nil
	}
	ru := Key{dir, fn, rs[1].impl, n}
	c, err := s.Compare(ru, Key{dir, fn, rs[0].impl, n}, UnitTime)
	if err != nil {
		return Choice{}, err
	}
	ch.RunnerUp, ch.RunnerUpMedian = rs[1].impl, rs[1].median
	ch.DeltaPct, ch.P, ch.Significant = c.DeltaPct, c.P, c.Significant
	return ch, nil
}
