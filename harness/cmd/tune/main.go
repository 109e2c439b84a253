// Command tune picks, for every activation, type and direction, the variant
// the public functions dispatch to, from measurements: the fastest AVX2
// variant at n = 4096 (slices below the threshold) and at n = 16M (slices
// from the threshold on) whose measured error is within the spec's budget. It writes the dispatch table that gen compiles into out/act, and a
// markdown summary for the report.
//
//	go run ./harness/cmd/tune -bench reports/bench.txt -table spec/dispatch.tsv -summary reports/tune.md
//
// A variant replaces the default choice (gobackend.DefaultChoice) only when
// it is clearly faster than the default (by 10% at Mann-Whitney p ≤ 0.02)
// twice: in the bench file, and in a confirmation run of the two alone that
// tune starts itself. Where the difference is noise, the table keeps the
// default, so a rerun gives the same table.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/actgen/actgen/gen/gobackend"
	"github.com/actgen/actgen/harness/accuracy"
	"github.com/actgen/actgen/harness/benchtab"
	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/out/act"
	"github.com/actgen/actgen/spec"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		spec.Fprint(os.Stderr, "tune", err)
		os.Exit(1)
	}
}

// sizeClass is one column of the dispatch: the n the choice is measured at.
type sizeClass struct {
	name    string
	n       int
	deflt   string
	variant func(*gobackend.Choice) *string
}

var classes = []sizeClass{
	{"small", 4096, gobackend.DefaultChoice.Small, func(c *gobackend.Choice) *string { return &c.Small }},
	{"large", 16777216, gobackend.DefaultChoice.Large, func(c *gobackend.Choice) *string { return &c.Large }},
}

var avx2Variant = regexp.MustCompile(`^avx2-`)

func run(args []string) error {
	fs := flag.NewFlagSet("tune", flag.ContinueOnError)
	specPath := fs.String("spec", "spec/activations.yaml", "the activation spec")
	benchPath := fs.String("bench", "reports/bench.txt", "benchmark results (make bench)")
	storePath := fs.String("accuracy", "reports/accuracy.json", "exhaustive accuracy results (make verify), used when they match out/act")
	samples := fs.Int("samples", 4000, "sampled float32 inputs per function where no exhaustive results match")
	tablePath := fs.String("table", "spec/dispatch.tsv", "the dispatch table to write")
	summaryPath := fs.String("summary", "reports/tune.md", "markdown summary to write")
	confirmRounds := fs.Int("confirm", 6, "rounds of the confirmation run of each challenger against the default (0: none)")
	benchtime := fs.Duration("benchtime", 50*time.Millisecond, "time per sample in the confirmation run")
	confirmPath := fs.String("confirm-out", "reports/confirm.txt", "where the confirmation run's results go")
	fs.Float64Var(&maxP, "p", maxP, "largest p-value at which a variant replaces the default")
	fs.Float64Var(&minGain, "gain", minGain, "smallest speed-up in percent at which a variant replaces the default")
	if err := fs.Parse(args); err != nil {
		return err
	}
	suite, err := accuracy.Open(*specPath, *storePath)
	if err != nil {
		return err
	}
	set, err := benchtab.Load(*benchPath)
	if err != nil {
		return fmt.Errorf("read benchmarks: %w (run make bench first)", err)
	}

	var cells []*cell
	for _, k := range suite.Kernels {
		reg := suite.Registry[k.Entry.Name]
		within, source, err := withinBudget(k, reg, suite.Store, *samples)
		if err != nil {
			return err
		}
		for d, dir := range benchDirs {
			if len(set.Impls(dir, k.Entry.Name)) == 0 {
				// No measurements of this type (a bench file from before
				// float64 was measured): the defaults stay.
				continue
			}
			for _, c := range classes {
				cl := &cell{fn: k.Entry.Name, d: d, class: c}
				cells = append(cells, cl)
				var candidates []string
				for _, impl := range reg.Impls {
					if avx2Variant.MatchString(impl.Name) && has(impl, d) && within[d][impl.Name] {
						candidates = append(candidates, impl.Name)
					}
				}
				if len(candidates) == 0 {
					// No AVX2 variant keeps the promise: the portable kernels do.
					cl.dc.chosen = "go"
					continue
				}
				if cl.dc, err = decide(set, dir, k.Entry.Name, c.n, candidates, c.deflt, within[d][c.deflt]); err != nil {
					return err
				}
			}
		}
		fmt.Fprintf(os.Stderr, "tune: %s (accuracy from %s)\n", k.Entry.Name, source)
	}
	if err := confirm(cells, *confirmRounds, *benchtime, *confirmPath); err != nil {
		return err
	}

	var table, summary bytes.Buffer
	fmt.Fprintf(&table, "# Dispatch table of out/act, written by make tune (harness/cmd/tune) from\n")
	fmt.Fprintf(&table, "# %s and the measured accuracy. Edit by rerunning make tune.\n", *benchPath)
	fmt.Fprintf(&table, "# name/direction\tsmall\tlarge\tthreshold\n")
	fmt.Fprintf(&summary, "| function | direction | size | chosen | fastest | runner-up | fastest vs runner-up | default %s / %s vs challenger | confirmation run |\n", gobackend.DefaultChoice.Small, gobackend.DefaultChoice.Large)
	fmt.Fprintf(&summary, "|---|---|---|---|---|---|---|---|---|\n")
	byRow := map[string]*gobackend.Choice{}
	for _, cl := range cells {
		row := cl.fn + "/" + benchDirs[cl.d]
		choice, ok := byRow[row]
		if !ok {
			c := gobackend.DefaultChoice
			choice, byRow[row] = &c, &c
		}
		*cl.class.variant(choice) = cl.dc.chosen
		dir := benchDirs[cl.d]
		if cl.dc.best.Winner == "" {
			fmt.Fprintf(&summary, "| %s | %s | %s (n=%d) | go | — | — | no AVX2 variant within the budget | — | — |\n", cl.fn, dir, cl.class.name, cl.class.n)
			continue
		}
		vsDefault, confirmation := "—", "—"
		if cl.dc.vsDefault != nil {
			vsDefault = cl.dc.vsDefault.String()
		}
		if cl.confirmation != nil {
			confirmation = cl.confirmation.String()
		}
		vsRunnerUp := "—"
		if best := cl.dc.best; best.RunnerUp != "" {
			cmp, err := set.Compare(key(dir, cl.fn, best.RunnerUp, cl.class.n), key(dir, cl.fn, best.Winner, cl.class.n), benchtab.UnitTime)
			if err != nil {
				return err
			}
			vsRunnerUp = cmp.String()
		}
		fmt.Fprintf(&summary, "| %s | %s | %s (n=%d) | %s | %s | %s | %s | %s | %s |\n",
			cl.fn, dir, cl.class.name, cl.class.n, cl.dc.chosen, cl.dc.best.Winner, orDash(cl.dc.best.RunnerUp), vsRunnerUp, vsDefault, confirmation)
	}
	for _, k := range suite.Kernels {
		for d, dir := range benchDirs {
			choice := gobackend.DefaultChoice
			if c, ok := byRow[k.Entry.Name+"/"+dir]; ok {
				choice = *c
			}
			fmt.Fprintf(&table, "%s/%s\t%s\t%s\t%d\n", k.Entry.Name, gobackend.Directions[d], choice.Small, choice.Large, choice.Threshold)
		}
	}
	fmt.Fprintf(&summary, "\nCandidates are the AVX2 variants whose error is within the budget (Forward and Backward are float32,\n")
	fmt.Fprintf(&summary, "Forward64 and Backward64 float64). \"fastest vs runner-up\" and\n")
	fmt.Fprintf(&summary, "\"vs challenger\" are benchstat deltas of sec/op with the Mann-Whitney p-value. The challenger is the fastest, or\n")
	fmt.Fprintf(&summary, "the first in registry order of the candidates it does not clearly beat (a tie is a coin toss);\n")
	fmt.Fprintf(&summary, "`~` means no significant difference at α = 0.05. A variant replaces the default only when it is faster by\n")
	fmt.Fprintf(&summary, "at least %g%% at p ≤ %g, so that the ~80 decisions of a run do not flip cells by chance, and only when a\n", minGain, maxP)
	confirmed := 0
	for _, c := range cells {
		if c.confirmation != nil {
			confirmed++
		}
	}
	switch {
	case *confirmRounds > 0 && confirmed == 0:
		fmt.Fprintf(&summary, "confirmation run of the two alone (%d more rounds) shows it again; no default was challenged in this run.\n", *confirmRounds)
	case *confirmRounds > 0:
		fmt.Fprintf(&summary, "confirmation run of the two alone (%d more rounds, in %s) shows it again.\n", *confirmRounds, *confirmPath)
	default:
		fmt.Fprintf(&summary, "the bench file shows it (no confirmation run: -confirm 0).\n")
	}
	if err := os.WriteFile(*tablePath, table.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(*summaryPath, summary.Bytes(), 0o644)
}

// cell is one decision of the table: a function, direction and size class.
type cell struct {
	fn    string
	d     int // index into benchDirs
	class sizeClass
	dc    decision
	// confirmation is the default against the challenger (dc.chosen) in
	// the confirmation run; nil where the default was not challenged.
	confirmation *benchtab.Comparison
}

// challenged reports whether the cell's choice replaces an acceptable
// default on the strength of one comparison, which confirm then repeats.
func (c *cell) challenged() bool {
	return c.dc.vsDefault != nil && c.dc.chosen != c.class.deflt
}

// confirm measures every challenged cell again, the challenger and the
// default alone for rounds more rounds, and keeps the challenger only where
// that run shows it faster by the same rule. A single run of some 80
// decisions makes one or two false wins (a cell whose samples are bimodal
// from one process to the next won at p = 0.002 in one run and lost in the
// next); asking for two independent wins makes a flip by chance rare, while
// a real difference wins twice. The raw results go to path.
func confirm(cells []*cell, rounds int, benchtime time.Duration, path string) error {
	var jobs []benchtab.Job
	var todo []*cell
	for _, c := range cells {
		if !c.challenged() {
			continue
		}
		todo = append(todo, c)
		jobs = append(jobs, benchtab.Job{
			Pkg: "./harness/speed",
			Bench: fmt.Sprintf("^Benchmark(%s)$/^fn=(%s)$/^impl=(%s|%s)$/", benchDirs[c.d], regexp.QuoteMeta(c.fn),
				regexp.QuoteMeta(c.dc.chosen), regexp.QuoteMeta(c.class.deflt)),
			Args: []string{fmt.Sprintf("-speed.sizes=%d", c.class.n)},
		})
	}
	if len(todo) == 0 || rounds == 0 {
		// No run: a file left from an earlier one would describe other kernels.
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	var buf bytes.Buffer
	fmt.Fprintf(os.Stderr, "tune: confirming %d challengers over %d rounds\n", len(todo), rounds)
	if err := benchtab.Run(context.Background(), benchtab.RunConfig{Jobs: jobs, Rounds: rounds, Benchtime: benchtime.String(), Out: &buf}); err != nil {
		return fmt.Errorf("confirmation run: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	set := benchtab.NewSet()
	if err := set.Read(bytes.NewReader(buf.Bytes()), path); err != nil {
		return err
	}
	return judge(set, todo)
}

// judge applies the confirmation run in set to the challenged cells.
func judge(set *benchtab.Set, todo []*cell) error {
	for _, c := range todo {
		dir, n := benchDirs[c.d], c.class.n
		cmp, err := set.Compare(key(dir, c.fn, c.dc.chosen, n), key(dir, c.fn, c.class.deflt, n), benchtab.UnitTime)
		if err != nil {
			return fmt.Errorf("%s %s n=%d: confirmation: %w", c.fn, dir, n, err)
		}
		c.confirmation = &cmp
		if !wins(cmp) {
			c.dc.chosen = c.class.deflt
		}
	}
	return nil
}

// wins is the rule for replacing the default: cmp is the default against the
// challenger (base), as benchtab.Set.Compare(challenger, default) gives it.
func wins(cmp benchtab.Comparison) bool { return cmp.P <= maxP && cmp.DeltaPct >= minGain }

// decision is the choice for one function, direction and size.
type decision struct {
	chosen    string
	best      benchtab.Choice
	vsDefault *benchtab.Comparison // the fastest against the default; nil when the default is the fastest
}

// A variant replaces the default only when it is faster by at least minGain
// percent with a Mann-Whitney p-value of at most maxP. benchstat's α = 0.05
// is too loose here: a run makes some 80 decisions, so cells flip by chance
// (the first tuned table chose leaky_relu's u16 at p = 0.041, and reruns
// found no difference). Two runs of the suite compared on 2026-11-27 agreed
// on every cell but one at p ≤ 0.02 and 10%, against two at 0.05 and three at
// 0.01: a variant that wins by 53-64% in both runs reached p = 0.015 in one.
// With 6 samples each, p ≤ 0.02 allows three of the 36 pairs of samples out
// of order.
var (
	maxP    = 0.02
	minGain = 10.0
)

// decide takes the fastest candidate at n when it is faster than the default
// by minGain at p ≤ maxP, or when the default is not an acceptable candidate;
// otherwise the default stays, so that noise cannot flip the table from run
// to run. For the same reason the challenger is not simply the fastest: of
// the candidates the fastest does not beat by that rule (its ties), the
// first in registry order that beats the default is taken, so that two runs
// whose fastest differ only by noise choose alike (leaky_relu's u8 and u16,
// both 65% ahead of u32 and within noise of each other).
func decide(set *benchtab.Set, dir, fn string, n int, candidates []string, deflt string, defaultOK bool) (decision, error) {
	best, err := benchtab.Fastest(set, dir, fn, n, candidates)
	if err != nil {
		return decision{}, fmt.Errorf("%s %s n=%d: %w", fn, dir, n, err)
	}
	d := decision{chosen: deflt, best: best}
	if best.Winner == deflt {
		return d, nil
	}
	compare := func(a, b string) (benchtab.Comparison, error) {
		cmp, err := set.Compare(key(dir, fn, a, n), key(dir, fn, b, n), benchtab.UnitTime)
		if err != nil {
			err = fmt.Errorf("%s %s n=%d: %w", fn, dir, n, err)
		}
		return cmp, err
	}
	for _, c := range candidates {
		if c == deflt || len(set.Sample(key(dir, fn, c, n), benchtab.UnitTime)) == 0 {
			continue
		}
		if c != best.Winner {
			cmp, err := compare(best.Winner, c)
			if err != nil {
				return decision{}, err
			}
			if wins(cmp) {
				continue // clearly slower than the fastest
			}
		}
		if !defaultOK {
			d.chosen = c
			return d, nil
		}
		cmp, err := compare(c, deflt)
		if err != nil {
			return decision{}, err
		}
		if wins(cmp) {
			d.chosen, d.vsDefault = c, &cmp
			return d, nil
		}
	}
	if defaultOK {
		cmp, err := compare(best.Winner, deflt)
		if err != nil {
			return decision{}, err
		}
		d.vsDefault = &cmp
	} else {
		d.chosen = best.Winner
	}
	return d, nil
}

// benchDirs are the benchmark names (harness/speed) of the dispatch table's
// directions, in the order of gobackend.Directions.
var benchDirs = []string{"Forward", "Backward", "Forward64", "Backward64"}

// has reports whether impl implements direction d of benchDirs.
func has(impl act.Impl, d int) bool {
	return [4]bool{impl.Forward32 != nil, impl.Backward32 != nil, impl.Forward64 != nil, impl.Backward64 != nil}[d]
}

func key(dir, fn, impl string, n int) benchtab.Key {
	return benchtab.Key{Dir: dir, Fn: fn, Impl: impl, N: n}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// withinBudget reports, per direction of benchDirs and implementation,
// whether its measured error is within the spec's budget (the spec's, not
// out/act's: the table is written before out/act is regenerated with a
// changed budget): float32 from the exhaustive sweep and float64 from the
// report's float64 sample when st has them, else from a sample of their own.
func withinBudget(k *kernel.Kernel, reg act.Kernel, st *accuracy.Store, samples int) ([4]map[string]bool, string, error) {
	out := [4]map[string]bool{{}, {}, {}, {}}
	var sources []string
	fwd, okF := st.Exhaustive[accuracy.StoreKey(k.Entry.Name, false)]
	bwd, okB := st.Exhaustive[accuracy.StoreKey(k.Entry.Name, true)]
	if okF && okB {
		for d, e := range []accuracy.Exhaustive{fwd, bwd} {
			for _, s := range e.Sweeps {
				s.Budget = k.Entry.ULP.Of(true, d == 1)
				out[d][s.Impl] = s.OK()
			}
		}
		sources = append(sources, "the exhaustive float32 sweep")
	}
	rs64, ok64 := st.Float64[k.Entry.Name]
	if ok64 {
		sources = append(sources, fmt.Sprintf("%d float64 inputs", st.Samples64))
	}
	var sampled []accuracy.Result
	if !okF || !okB || !ok64 {
		xs32, xs64 := accuracy.Sample(samples, true, 1), accuracy.Sample(samples, false, 1)
		if okF && okB {
			xs32 = nil
		}
		if ok64 {
			xs64 = nil
		}
		want, err := accuracy.References(k, xs32, xs64)
		if err != nil {
			return out, "", err
		}
		for _, impl := range reg.Impls {
			sampled = append(sampled, accuracy.Measure(k, impl, act.Budget(k.Entry.ULP), xs32, xs64, want)...)
		}
		sources = append(sources, fmt.Sprintf("%d samples", samples))
	}
	for _, r := range append(rs64, sampled...) {
		d := 0
		if r.Type == "float64" {
			d = 2
		}
		if r.Backward {
			d++
		}
		r.Budget = k.Entry.ULP.Of(r.Type == "float32", r.Backward)
		out[d][r.Impl] = r.OK()
	}
	return out, strings.Join(sources, ", "), nil
}
