package asm

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"

	"github.com/actgen/actgen/formula"
	"github.com/actgen/actgen/kernel"
)

// Constraint is the build constraint of every file the backend writes, in
// avo's syntax; GoBuild is the same as a //go:build expression. The portable
// kernels take over on other architectures and under purego.
const (
	Constraint = "amd64,!purego"
	GoBuild    = "amd64 && !purego"
)

// Variants are generated for every kernel, side by side; the dispatch table
// picks among them. Unroll counts vectors for float32; float64 vectors hold
// half as many elements, so they take twice as many to cover the same
// elements per iteration.
var Variants = []Variant{
	{Name: "avx2-u8", Unroll: 1},
	{Name: "avx2-u16", Unroll: 2},
	{Name: "avx2-u32", Unroll: 4},
	{Name: "avx2-u32-rcp", Unroll: 4, Reciprocal: true},
	{Name: "avx2-u32-nt", Unroll: 4, NonTemporal: true},
	{Name: "avx2-u32-f64", Unroll: 4, Wide: true},
}

// Impl names the assembly functions of one variant of one kernel; a name is
// empty where the variant does not exist for that type (the reciprocal
// variant of a kernel without division, or of float64).
type Impl struct {
	Variant                                      Variant
	Forward32, Backward32, Forward64, Backward64 string
	// Checked says, per direction (f32, f32 backward, f64, f64 backward),
	// that the function returns how many elements it did before a vector
	// with lanes it leaves to the portable kernel; the caller finishes
	// that vector and calls again.
	Checked [4]bool
}

func dirIndex(w Width, backward bool) int {
	i := 0
	if w == F64 {
		i = 2
	}
	if backward {
		i++
	}
	return i
}

// Result is the output of Generate.
type Result struct {
	Asm, Stubs []byte
	// Impls maps a spec name to its variants, in Variants order. A kernel
	// that calls a primitive the backend lacks has none; Skipped says why.
	Impls   map[string][]Impl
	Skipped map[string]string
}

// Generate lowers every kernel to every variant and returns the assembly
// file and its Go declarations for package pkg; stem(k) starts the names
// of k's functions.
func Generate(kernels []*kernel.Kernel, pkg string, stem func(*kernel.Kernel) string) (*Result, error) {
	pool := NewPool()
	for _, w := range []Width{F32, F64} {
		pool.iota(w) // interned now: compiling, which runs in parallel, only reads the pool
	}
	res := &Result{Impls: map[string][]Impl{}, Skipped: map[string]string{}}
	var jobs []job
	for _, k := range kernels {
		impls, js, err := generateKernel(k, stem(k), pool)
		var unsup *UnsupportedError
		if errors.As(err, &unsup) {
			res.Skipped[k.Entry.Name] = unsup.Error()
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.Entry.Name, err)
		}
		res.Impls[k.Entry.Name] = impls
		jobs = append(jobs, js...)
	}
	funcs := make([]*ir.Function, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			funcs[i], errs[i] = compileFitting(j.s, j.progs, j.fast, j.v)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	probe, err := probeFuncs()
	if err != nil {
		return nil, err
	}
	funcs = append(probe, funcs...)
	file, err := constantsFile(pool)
	if err != nil {
		return nil, err
	}
	// Functions first, in generation order, then the constants.
	var sections []ir.Section
	for _, fn := range funcs {
		sections = append(sections, fn)
	}
	for _, s := range file.Sections {
		if _, ok := s.(*ir.Function); !ok {
			sections = append(sections, s)
		}
	}
	file.Sections = sections
	cfg := printer.Config{Name: "actgen", Pkg: pkg}
	if res.Asm, err = printer.NewGoAsm(cfg).Print(file); err != nil {
		return nil, fmt.Errorf("printing assembly: %w", err)
	}
	if res.Stubs, err = printer.NewStubs(cfg).Print(file); err != nil {
		return nil, fmt.Errorf("printing stubs: %w", err)
	}
	return res, nil
}

// constantsFile holds the pool's constants as read-only 32-byte globals.
func constantsFile(pool *Pool) (*ir.File, error) {
	ctx := build.NewContext()
	ctx.ConstraintExpr(Constraint)
	for i, c := range pool.consts {
		ctx.StaticGlobal(pool.symbol(i))
		ctx.DataAttributes(attr.RODATA | attr.NOPTR)
		for off := 0; off < 32; off += 8 {
			var u uint64
			for b := 7; b >= 0; b-- {
				u = u<<8 | uint64(c.data[off+b])
			}
			ctx.AddDatum(off, operand.U64(u))
		}
	}
	f, err := ctx.Result()
	if err != nil {
		return nil, fmt.Errorf("constants: %w", err)
	}
	if err := pass.Compile.Execute(f); err != nil {
		return nil, fmt.Errorf("constants: %w", err)
	}
	return f, nil
}

// job is one function to compile: lowering is sequential (it fills the
// constant pool), compiling runs in parallel.
type job struct {
	s     fnSpec
	progs [2]*Prog // exact, by Estrin's and by Horner's scheme
	fast  [2]*Prog // the fast programs, or nil
	v     Variant
}

func generateKernel(k *kernel.Kernel, base string, pool *Pool) ([]Impl, []job, error) {
	var impls []Impl
	var jobs []job
	for _, v := range Variants {
		impl := Impl{Variant: v}
		for _, w := range []Width{F32, F64} {
			if v.Wide && (w != F32 || !callsPrimitive(k)) {
				continue
			}
			d := divide
			if v.Reciprocal {
				if w != F32 {
					continue // VRCPPS has no float64 form
				}
				d = reciprocalNewton
			}
			// Estrin's scheme shortens the dependency chains but keeps more
			// values live; compileFitting weighs it against Horner.
			var progs, fast [2][2]*Prog // [backward][Horner]
			rcp := false
			for b, backward := range []bool{false, true} {
				for i, estrin := range []bool{true, false} {
					lower := func(fast bool) (*Prog, error) {
						if v.Wide {
							return lowerWide(k, backward, pool, estrin, fast)
						}
						return lowerKernel(k, w, backward, d, pool, estrin, fast)
					}
					var err error
					if progs[b][i], err = lower(false); err != nil {
						return nil, nil, err
					}
					if fast[b][i], err = lower(true); err != nil {
						return nil, nil, err
					}
				}
				rcp = rcp || progs[b][0].has(opRcp)
			}
			if v.Reciprocal && !rcp {
				continue // no division to replace: the plain variant's code
			}
			for b, backward := range []bool{false, true} {
				s := fnSpec{name: funcName(base, backward, w, v), w: w, backward: backward, params: k.Params(), checked: progs[b][0].check != none, fast: fast[b][0] != nil, guarded: fast[b][0] != nil && fast[b][0].guarded, wide: v.Wide}
				s.doc = docLines(k, s, v)
				jobs = append(jobs, job{s, progs[b], fast[b], v})
				impl.Checked[dirIndex(w, backward)] = s.checked
				switch {
				case w == F32 && !backward:
					impl.Forward32 = s.name
				case w == F32:
					impl.Backward32 = s.name
				case !backward:
					impl.Forward64 = s.name
				default:
					impl.Backward64 = s.name
				}
			}
		}
		if impl.Forward32 != "" || impl.Forward64 != "" {
			impls = append(impls, impl)
		}
	}
	return impls, jobs, nil
}

// compileFitting compiles with as many of a block's vectors interleaved as
// fit in 16 registers, trying the ways fittings lists in turn. fast holds the
// programs of the block loop where they differ (see Prog.exp).
func compileFitting(s fnSpec, progs, fast [2]*Prog, v Variant) (*ir.Function, error) {
	vectors := v.Unroll
	if s.w == F64 || s.wide {
		vectors *= 2
	}
	v.Unroll = vectors
	var last error
	doc := s.doc
	// the block loop runs the fast program, or the exact one where there is
	// none (see compile)
	block := fast[0]
	if block == nil {
		block = progs[0]
	}
	flags := block.sendsVectors()
	for _, f := range fittings(vectors) {
		if f.gpFlags && !flags || f.paramsInMem && len(s.params) == 0 || s.wide && !f.inRegs {
			continue // the same code as a fitting before (wide: x is converted into a register)
		}
		if s.wide && f.paramsInMem {
			continue // VBROADCASTSS from the slot would give float32 lanes
		}
		s.doc = append(doc[:len(doc):len(doc)], "", f.note(vectors))
		fn, err := compile(s, progs[f.scheme], fast[f.scheme], v, f)
		if err == nil {
			return fn, nil
		}
		last = err
	}
	return nil, last
}

// fitting is one way of compiling a block loop: group vectors interleaved,
// polynomials by Estrin's (scheme 0) or Horner's scheme (1, fewer live
// values), x and dy in registers or read at each use, each copy stagger
// programs' lengths/group behind the previous.
type fitting struct {
	group, scheme int
	inRegs        bool
	stagger       float64
	gpFlags       bool         // see emitter.gpFlags
	share         constSharing // in lockstep only
	paramsInMem   bool         // see emitter.paramAddrs
}

// fittings lists the ways to try, from most vectors per group down. For
// each group, first the copies in lockstep loading each constant once for
// all of them (a quarter of the constant loads at four copies; where it
// fits, sigmoid's and silu's float32 forward took 16% and 10% less time
// than staggered copies loading their own): all constants shared, then only
// those needed in registers, by either scheme, x and dy in registers or
// read at each use, then also with the parameters broadcast at each use,
// which frees their registers. Then the copies loading their own: x and dy
// in registers first (cheap kernels are bound by loads), then read from
// memory at each use; in lockstep first, then with each copy lagging up to
// a program's length, which overlaps the copies' peaks of register pressure
// less, with either scheme; then longer lags (the last copy starts when the
// first is half done), which keep the peaks apart but overlap the copies'
// work less.
func fittings(vectors int) []fitting {
	var out []fitting
	add := func(f fitting) {
		// flags in a vector register first: a general register is the
		// fallback that needs one vector register fewer
		out = append(out, f)
		f.gpFlags = true
		out = append(out, f)
	}
	for group := vectors; group >= 1; group /= 2 {
		for _, share := range []constSharing{sharedConsts, sharedRegConsts} {
			for scheme := range 2 {
				if group > 1 {
					add(fitting{group: group, scheme: scheme, inRegs: true, share: share})
					add(fitting{group: group, scheme: scheme, share: share})
					add(fitting{group: group, scheme: scheme, share: share, paramsInMem: true})
				}
			}
		}
		for tier, staggers := range [][]float64{{0, 0.5, 1}, {1.5, 2}} {
			for scheme := range 2 {
				if tier == 0 {
					add(fitting{group: group, scheme: scheme, inRegs: true})
				}
				for _, st := range staggers {
					if group == 1 && st > 0 {
						break // one copy has nothing to lag behind
					}
					add(fitting{group: group, scheme: scheme, stagger: st})
				}
			}
		}
	}
	return out
}

// note is the doc line that says how the block loop was compiled.
func (f fitting) note(vectors int) string {
	note := fmt.Sprintf("The block loop interleaves all %d of its vectors", vectors)
	if vectors == 1 {
		note = "The block loop runs one vector"
	}
	if f.group < vectors {
		note = fmt.Sprintf("The block loop interleaves %d of its %d vectors at a time (more would need more than 16 registers)", f.group, vectors)
	}
	if f.stagger > 0 {
		note += fmt.Sprintf(", each %.0f%% of the program behind the previous", 100*f.stagger/float64(f.group))
	}
	if !f.inRegs {
		note += ", reading x from memory at each use"
	}
	switch f.share {
	case sharedConsts:
		note += ", loading each constant once for all of them"
	case sharedRegConsts:
		note += ", loading each constant it needs in a register once for all of them"
	}
	if f.paramsInMem {
		note += ", broadcasting the parameters at each use"
	}
	if f.gpFlags {
		note += ", gathering lane flags in a general register"
	}
	return note + "; polynomials by " + []string{"Estrin's", "Horner's"}[f.scheme] + " scheme."
}

// has reports whether the program uses op.
func (p *Prog) has(op vop) bool {
	for _, in := range p.insts {
		if in.op == op {
			return true
		}
	}
	return false
}

// callsPrimitive reports whether k's formula calls a primitive other than
// abs, min and max: only such kernels round more than once.
func callsPrimitive(k *kernel.Kernel) bool {
	found := false
	formula.Walk(k.StableForward, func(n *formula.Node) {
		found = found || n.Kind == formula.Call && n.Name != "abs" && n.Name != "min" && n.Name != "max"
	})
	return found
}

func funcName(base string, backward bool, w Width, v Variant) string {
	name := base
	if backward {
		name += "Backward"
	}
	name += strings.ToUpper(w.String()[:1]) + w.String()[1:]
	for _, part := range strings.Split(v.Name, "-") {
		name += strings.ToUpper(part[:1]) + part[1:]
	}
	return name
}

func docLines(k *kernel.Kernel, s fnSpec, v Variant) []string {
	what := "f"
	loop := "for i := range dst { dst[i] = f(x[i]) }"
	if s.backward {
		what = "the gradient of f"
		loop = "for i := range dx { dx[i] = dy[i] * f'(x[i]) }"
	}
	lines := []string{
		fmt.Sprintf("%s is the %s kernel of %s for %s, computing %s with f(x) = %s:", s.name, v.Name, k.GoName, s.w, what, k.Entry.Formula),
		"",
		"\t" + loop,
		"",
		"x (and dy) must be at least as long as the output.",
	}
	if s.wide {
		lines = append(lines, "",
			"It computes in float64 lanes, four elements per vector, with cores fitted",
			"to 2^-30, and rounds each result to float32 once, on the way out.")
	}
	switch {
	case s.fast && !s.guarded:
		lines = append(lines, "",
			"Its block loop leaves vectors with a NaN input or result to the exact",
			"program, which runs with the single vectors.")
	case s.fast:
		lines = append(lines, "",
			"Its block loop applies exp's 2^n in one step; a vector with an exp argument",
			"below asm.guardLo (whose result may need the subnormal range) or a NaN runs",
			"through the two-step program with the single vectors.")
	}
	if s.checked {
		lines = append(lines, "",
			"It stops at the first vector with lanes whose result is too small to be",
			"accurate here (see asm.tinyThreshold): the first done elements are",
			"complete, and of the next vector the lanes flagged in lanes are left",
			"unwritten (the others are stored) for the portable kernel.")
	}
	return lines
}
