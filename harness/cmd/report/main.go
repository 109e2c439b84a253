// Command report measures the generated package out/act and writes
// reports/README.md with SVG plots beside it: an overview of every activation
// (formula, error and speed of the dispatched kernels, speed-up over plain
// Go), the accuracy of every implementation against the correctly rounded
// reference (float32 over every input when reports/accuracy.json holds a
// sweep of the current kernels, float64 sampled), the dispatch make tune
// chose, and per function its formulas, plots of f and f', of the error and
// of throughput against n, and benchstat tables against the peers.
//
//	go run ./harness/cmd/report -out reports               # sampled accuracy, reuses the sweeps
//	go run ./harness/cmd/report -out reports -exhaustive   # sweeps first (about an hour)
//
// Speed comes from the benchmark file of make bench (-bench); without it the
// report has no speed columns.
package main

import (
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/actgen/actgen/harness/accuracy"
	"github.com/actgen/actgen/harness/benchtab"
	"github.com/actgen/actgen/harness/plot"
	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/out/act"
	"github.com/actgen/actgen/ref"
	"github.com/actgen/actgen/spec"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		spec.Fprint(os.Stderr, "report", err)
		os.Exit(1)
	}
}

type section struct {
	k       *kernel.Kernel
	reg     act.Kernel
	results []accuracy.Result // sampled, every implementation
	plots   []figure
}

type figure struct{ file, alt string }

func run(args []string) error {
	flags := flag.NewFlagSet("report", flag.ContinueOnError)
	specPath := flags.String("spec", "spec/activations.yaml", "the activation spec")
	outDir := flags.String("out", "reports", "directory for README.md and the plots")
	samples := flags.Int("samples", 20000, "sampled inputs per function and type")
	exhaustive := flags.Bool("exhaustive", false, "sweep every float32 input and 10^6 float64 inputs (about an hour on two cores), kept in <out>/accuracy.json")
	samples64 := flags.Int("samples64", 1000000, "float64 inputs per function in the -exhaustive run")
	benchPath := flags.String("bench", "reports/bench.txt", "benchmark results of make bench (missing: no speed sections)")
	tunePath := flags.String("tune", "reports/tune.md", "summary of make tune (missing: no tuning section)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	storePath := filepath.Join(*outDir, "accuracy.json")
	suite, err := accuracy.Open(*specPath, storePath)
	if err != nil {
		return err
	}
	ks, registry, st := suite.Kernels, suite.Registry, suite.Store
	if *exhaustive {
		if err := verify(ks, registry, st, storePath, *samples64); err != nil {
			return err
		}
	}
	var set *benchtab.Set
	if _, err := os.Stat(*benchPath); err == nil {
		if set, err = benchtab.Load(*benchPath); err != nil {
			return fmt.Errorf("read benchmarks: %w", err)
		}
	}
	tune, err := os.ReadFile(*tunePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}

	r := &report{specPath: *specPath, samples: *samples, store: st, bench: set, tune: string(tune)}
	var overview []plot.Curve
	for _, k := range ks {
		reg := registry[k.Entry.Name]
		start := time.Now()
		sec := section{k: k, reg: reg}
		xs32 := accuracy.Sample(*samples, true, seed(k.Entry.Name))
		xs64 := accuracy.Sample(*samples, false, seed(k.Entry.Name))
		want, err := accuracy.References(k, xs32, xs64)
		if err != nil {
			return err
		}
		for _, impl := range reg.Impls {
			sec.results = append(sec.results, accuracy.Measure(k, impl, reg.Budget, xs32, xs64, want)...)
		}
		name := k.Entry.Name
		f, df := scalar(reg, false), scalar(reg, true)
		curves := []plot.Curve{{Name: name + "(x)", F: f}, {Name: name + "'(x)", F: df}}
		if err := plot.Curves(filepath.Join(*outDir, name+".svg"), k.GoName+" and its derivative", -6, 6, curves, 5*vg.Inch, 3.2*vg.Inch); err != nil {
			return err
		}
		sec.plots = append(sec.plots, figure{name + ".svg", name + " and its derivative"})
		if err := errorPlot(filepath.Join(*outDir, name+"-error.svg"), k, reg); err != nil {
			return err
		}
		sec.plots = append(sec.plots, figure{name + "-error.svg", "ULP error of the dispatched float32 kernels"})
		if set != nil {
			for _, dir := range []string{"Forward", "Backward"} {
				if len(set.Impls(dir, name)) == 0 {
					continue // not benchmarked (make bench BENCH_FNS=...)
				}
				file := fmt.Sprintf("%s-speed-%s.svg", name, strings.ToLower(dir))
				if err := speedPlot(filepath.Join(*outDir, file), set, dir, k); err != nil {
					return err
				}
				sec.plots = append(sec.plots, figure{file, dir + " throughput against n"})
			}
		}
		overview = append(overview, plot.Curve{Name: name, F: f})
		r.sections = append(r.sections, sec)
		fmt.Fprintf(os.Stderr, "report: %s measured in %v\n", name, time.Since(start).Round(time.Millisecond))
	}
	if err := plot.Curves(filepath.Join(*outDir, "overview.svg"), "All activations", -4, 4, overview, 7*vg.Inch, 4.5*vg.Inch); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*outDir, "README.md"), r.render(), 0o644)
}

// errorPlot draws the ULP error of the dispatched float32 kernels, forward
// and backward, on a grid of 4001 inputs in [-10, 10].
func errorPlot(path string, k *kernel.Kernel, reg act.Kernel) error {
	const n = 4001
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(float32(-10 + 20*float64(i)/(n-1)))
	}
	var series []plot.Series
	for d, backward := range []bool{false, true} {
		impl, err := implNamed(reg, reg.Dispatch[d].Impl)
		if err != nil {
			return err
		}
		want, err := accuracy.Reference(k, backward, ref.Float32, xs)
		if err != nil {
			return err
		}
		got := accuracy.Run(k, impl, true, backward, xs)
		pts := make(plotter.XYs, n)
		for i := range xs {
			pts[i] = plotter.XY{X: xs[i], Y: float64(accuracy.ULPs(got[i], want[i], true))}
		}
		label := "f (" + impl.Name + ")"
		if backward {
			label = "f' (" + impl.Name + ")"
		}
		series = append(series, plot.Series{Name: label, XYs: pts})
	}
	return plot.Chart(path, plot.Axes{Title: k.GoName + ": float32 error of the dispatched kernels", X: "x", Y: "error (ULPs)", Points: true}, series, 5*vg.Inch, 3*vg.Inch)
}

// speedPlot draws the median elements/ns of every implementation and peer of
// k against n on log axes.
func speedPlot(path string, set *benchtab.Set, dir string, k *kernel.Kernel) error {
	var series []plot.Series
	for _, impl := range set.Impls(dir, k.Entry.Name) {
		var pts plotter.XYs
		for _, n := range set.Ns(dir, k.Entry.Name, impl) {
			if v, ok := set.Throughput(benchtab.Key{Dir: dir, Fn: k.Entry.Name, Impl: impl, N: n}); ok {
				pts = append(pts, plotter.XY{X: float64(n), Y: v})
			}
		}
		series = append(series, plot.Series{Name: impl, XYs: pts})
	}
	if len(series) == 0 {
		return fmt.Errorf("%s: no %s benchmarks of %s in the results", path, dir, k.Entry.Name)
	}
	return plot.Chart(path, plot.Axes{Title: fmt.Sprintf("%s %s: elements/ns against n", k.GoName, strings.ToLower(dir)), X: "n (elements)", Y: "elements/ns", LogX: true, LogY: true}, series, 6*vg.Inch, 4*vg.Inch)
}

func implNamed(reg act.Kernel, name string) (act.Impl, error) {
	for _, impl := range reg.Impls {
		if impl.Name == name {
			return impl, nil
		}
	}
	return act.Impl{}, fmt.Errorf("%s: implementation %q is not in the registry", reg.Name, name)
}

// scalar wraps the portable float64 kernel (or its gradient with dy = 1) of a
// registry entry as a function of one variable, at the default parameters.
func scalar(k act.Kernel, backward bool) func(float64) float64 {
	p := make([]float64, len(k.Params))
	for i, q := range k.Params {
		p[i] = q.Default
	}
	impl := k.Impls[0]
	return func(x float64) float64 {
		in, out := []float64{x}, []float64{0}
		if backward {
			impl.Backward64(out, in, []float64{1}, p)
		} else {
			impl.Forward64(out, in, p)
		}
		return out[0]
	}
}

// verify runs the long accuracy measurements that st lacks, saving st after
// each one so an interrupted run resumes where it stopped: first the float64
// sample (minutes), then the float32 sweeps (an hour or more).
func verify(ks []*kernel.Kernel, registry map[string]act.Kernel, st *accuracy.Store, path string, samples64 int) error {
	if st.Samples64 != samples64 {
		st.Float64 = map[string][]accuracy.Result{}
	}
	st.Samples64 = samples64
	for _, k := range ks {
		if _, ok := st.Float64[k.Entry.Name]; ok {
			continue
		}
		start := time.Now()
		reg := registry[k.Entry.Name]
		xs := accuracy.Sample(samples64, false, seed(k.Entry.Name))
		want, err := accuracy.References(k, nil, xs)
		if err != nil {
			return err
		}
		var rs []accuracy.Result
		for _, impl := range reg.Impls {
			for _, r := range accuracy.Measure(k, impl, reg.Budget, nil, xs, want) {
				if r.Type == "float64" {
					rs = append(rs, r)
				}
			}
		}
		st.PutFloat64(k.Entry.Name, rs)
		if err := st.Save(path); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "report: %s float64 measured on %d inputs in %v\n", k.Entry.Name, samples64, time.Since(start).Round(time.Second))
	}
	for _, k := range ks {
		for _, backward := range []bool{false, true} {
			key := accuracy.StoreKey(k.Entry.Name, backward)
			if _, ok := st.Exhaustive[key]; ok {
				continue
			}
			start := time.Now()
			fmt.Fprintf(os.Stderr, "report: sweeping every float32 input of %s\n", key)
			e, err := accuracy.Exhaustive32(k, registry[k.Entry.Name], backward, os.Stderr)
			if err != nil {
				return err
			}
			st.PutExhaustive(key, e)
			if err := st.Save(path); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "report: %s swept in %v (%d fallbacks)\n", key, time.Since(start).Round(time.Second), e.Fallbacks)
		}
	}
	return nil
}

// seed makes each function's sample its own and the same on every run.
func seed(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}
