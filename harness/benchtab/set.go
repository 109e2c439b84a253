package benchtab

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"
)

// Units as benchfmt normalizes them: ns/op arrives as sec/op (in seconds) and
// MB/s as B/s; custom b.ReportMetric units pass through unchanged.
const (
	UnitTime       = "sec/op"
	UnitThroughput = "elements/ns"
)

// Key identifies a cell: all results of one benchmark variant.
type Key struct {
	Dir  string // benchmark name without "Benchmark": "Forward" or "Backward"
	Fn   string // the fn= part, e.g. "sigmoid"
	Impl string // the impl= part, e.g. "avx2-u32"
	N    int    // the n= part: elements per call
}

// String formats k as the benchmark's name without Benchmark and GOMAXPROCS,
// e.g. Forward/fn=sigmoid/impl=avx2-u32/n=4096.
func (k Key) String() string {
	return fmt.Sprintf("%s/fn=%s/impl=%s/n=%d", k.Dir, k.Fn, k.Impl, k.N)
}

// Set holds benchmark samples per cell and unit. The zero value is not usable;
// create one with [NewSet] or [Load].
type Set struct {
	proj                 *benchproc.Projection
	fDir, fFn, fN, fImpl *benchproc.Field

	cells map[Key]map[string][]float64

	// First-seen order of dirs, fns and impls: the benchmark source lists them
	// in a meaningful order (Forward before Backward, the registry's function
	// order), which alphabetical sorting would lose.
	order map[string]int

	skipped int
}

// NewSet returns an empty Set.
func NewSet() *Set {
	var pp benchproc.ProjectionParser
	proj, err := pp.Parse(".name,/fn,/n,/impl", nil)
	if err != nil {
		// The projection is a constant; failing to parse it is a bug here.
		panic("benchtab: " + err.Error())
	}
	f := proj.Fields()
	return &Set{
		proj: proj, fDir: f[0], fFn: f[1], fN: f[2], fImpl: f[3],
		cells: make(map[Key]map[string][]float64),
		order: make(map[string]int),
	}
}

// Load reads benchmark output files into a new Set. Samples of the same cell in
// several files are merged.
func Load(paths ...string) (*Set, error) {
	s := NewSet()
	for _, p := range paths {
		if err := s.ReadFile(p); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// ReadFile adds the results in the benchmark output file at path to s.
func (s *Set) ReadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("benchtab: %w", err)
	}
	defer f.Close()
	return s.Read(f, path)
}

// Read adds the results of benchmark output r to s; name labels r in errors.
// A malformed Benchmark line is an error rather than a warning as in benchstat:
// a tuner should not silently decide on a partial run.
func (s *Set) Read(r io.Reader, name string) error {
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return fmt.Errorf("benchtab: %w", rec)
		case *benchfmt.Result:
			s.add(rec)
		}
	}
	if err := br.Err(); err != nil {
		return fmt.Errorf("benchtab: reading %s: %w", name, err)
	}
	return nil
}

func (s *Set) add(r *benchfmt.Result) {
	pk := s.proj.Project(r)
	k := Key{Dir: pk.Get(s.fDir), Fn: pk.Get(s.fFn), Impl: pk.Get(s.fImpl)}
	n, err := strconv.Atoi(pk.Get(s.fN))
	if k.Fn == "" || k.Impl == "" || err != nil {
		// Other benchmarks may share a package (or a file); they are not
		// cells of this table.
		s.skipped++
		return
	}
	k.N = n
	for _, o := range []string{"dir " + k.Dir, "fn " + k.Fn, "impl " + k.Impl} {
		if _, ok := s.order[o]; !ok {
			s.order[o] = len(s.order)
		}
	}
	units := s.cells[k]
	if units == nil {
		units = make(map[string][]float64)
		s.cells[k] = units
	}
	for _, v := range r.Values {
		units[v.Unit] = append(units[v.Unit], v.Value)
	}
}

// Skipped reports how many results were ignored because their names lack
// fn=, impl= or a numeric n=.
func (s *Set) Skipped() int { return s.skipped }

// Sample returns a copy of the values of cell k in unit, in input order; nil if
// there are none.
func (s *Set) Sample(k Key, unit string) []float64 {
	return slices.Clone(s.cells[k][unit])
}

// Summary summarizes cell k's values in unit (see [Summarize]).
func (s *Set) Summary(k Key, unit string) (Summary, error) {
	sum, err := Summarize(s.cells[k][unit])
	if err != nil {
		return Summary{}, fmt.Errorf("benchtab: %s %s: %w", k, unit, err)
	}
	return sum, nil
}

// Compare compares cell k with cell base in unit (see [Compare]).
func (s *Set) Compare(base, k Key, unit string) (Comparison, error) {
	c, err := Compare(s.cells[base][unit], s.cells[k][unit])
	if err != nil {
		return Comparison{}, fmt.Errorf("benchtab: %s vs %s %s: %w", k, base, unit, err)
	}
	return c, nil
}

// Throughput returns the median elements/ns of cell k, for plots of throughput
// against n; ok is false if the cell has no such samples.
func (s *Set) Throughput(k Key) (median float64, ok bool) {
	sum, err := Summarize(s.cells[k][UnitThroughput])
	if err != nil {
		return 0, false
	}
	return sum.Median, true
}

// Keys returns every cell in s, ordered by dir, fn and impl as first seen in
// the input, then by n.
func (s *Set) Keys() []Key {
	keys := make([]Key, 0, len(s.cells))
	for k := range s.cells {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Key) int {
		return cmp.Or(
			cmp.Compare(s.order["dir "+a.Dir], s.order["dir "+b.Dir]),
			cmp.Compare(s.order["fn "+a.Fn], s.order["fn "+b.Fn]),
			cmp.Compare(s.order["impl "+a.Impl], s.order["impl "+b.Impl]),
			cmp.Compare(a.N, b.N))
	})
	return keys
}

// Ns returns the sizes present for (dir, fn), ascending; with impl != "" only
// those of that impl.
func (s *Set) Ns(dir, fn, impl string) []int {
	var ns []int
	for k := range s.cells {
		if k.Dir == dir && k.Fn == fn && (impl == "" || k.Impl == impl) && !slices.Contains(ns, k.N) {
			ns = append(ns, k.N)
		}
	}
	slices.Sort(ns)
	return ns
}

// Impls returns the impls present for (dir, fn) in first-seen order.
func (s *Set) Impls(dir, fn string) []string {
	var impls []string
	for _, k := range s.Keys() {
		if k.Dir == dir && k.Fn == fn && !slices.Contains(impls, k.Impl) {
			impls = append(impls, k.Impl)
		}
	}
	return impls
}
