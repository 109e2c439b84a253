package gobackend

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/actgen/actgen/asm"
	"github.com/actgen/actgen/kernel"
)

// EnvPortable is the environment variable that, set to 1, makes the package
// run its portable kernels even where AVX2 is available (for debugging).
const EnvPortable = "ACTGEN_PUREGO"

// Choice is the dispatch of one kernel direction and type: the variant for
// slices shorter than Threshold, and the one for longer slices (non-temporal
// stores pay off only beyond the caches).
type Choice struct {
	Small, Large string
	Threshold    int
}

// Table maps "name/f32", "name/f32-backward", "name/f64", "name/f64-backward"
// to the variant the public functions run.
type Table map[string]Choice

// Directions are the keys of a Table after the kernel name, in registry order.
var Directions = []string{"f32", "f32-backward", "f64", "f64-backward"}

// DefaultChoice is used where the table has no entry: the widest unroll, and
// non-temporal stores from 2^22 elements (16 MiB of float32 per slice, beyond
// this machine kind's per-core share of L3).
var DefaultChoice = Choice{Small: "avx2-u32", Large: "avx2-u32-nt", Threshold: 1 << 22}

// implFuncs returns the Go-callable functions of an impl per direction:
// the assembly, or for checked assembly its Loop wrapper.
func implFuncs(im asm.Impl) [4]string {
	names := [4]string{im.Forward32, im.Backward32, im.Forward64, im.Backward64}
	for d := range names {
		if names[d] != "" && im.Checked[d] {
			names[d] += "Loop"
		}
	}
	return names
}

// loopWrapper finishes, with portable kernel port, the lanes a checked
// assembly kernel hands back, then resumes it.
func loopWrapper(f *jen.File, k *kernel.Kernel, asmName, port string, d int) {
	sig, args := kernelSignature(d, len(k.Entry.Params))
	slices, _ := dirSlices(d)
	lanes := 8
	if d >= 2 {
		lanes = 4
	}
	reslice := func(from jen.Code) jen.Code {
		var lhs, rhs []jen.Code
		for _, s := range slices {
			lhs = append(lhs, jen.Id(s))
			rhs = append(rhs, jen.Id(s).Index(from, jen.Empty()))
		}
		return jen.List(lhs...).Op("=").List(rhs...)
	}
	one := append([]jen.Code{}, args...)
	for i, s := range slices {
		one[i] = jen.Id(s).Index(jen.Id("i"), jen.Id("i").Op("+").Lit(1))
	}
	f.Commentf("%sLoop runs %s and computes the lanes it hands back", asmName, asmName)
	f.Commentf("(tiny results it cannot deliver within budget) with %s.", port)
	f.Func().Id(asmName + "Loop").Params(sig...).Block(
		jen.For(jen.Len(jen.Id(slices[0])).Op(">").Lit(0)).Block(
			jen.List(jen.Id("done"), jen.Id("lanes")).Op(":=").Id(asmName).Call(args...),
			reslice(jen.Id("done")),
			jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Min(jen.Len(jen.Id(slices[0])), jen.Lit(lanes)), jen.Id("i").Op("++")).Block(
				jen.If(jen.Id("lanes").Op(">>").Id("i").Op("&").Lit(1).Op("!=").Lit(0)).Block(
					jen.Id(port).Call(one...),
				),
			),
			reslice(jen.Min(jen.Len(jen.Id(slices[0])), jen.Lit(lanes))),
		),
	)
	f.Line()
}

// portableFuncs names the portable kernels of k per direction.
func portableFuncs(k *kernel.Kernel) [4]string {
	low := lowerName(k)
	return [4]string{low + "F32", low + "BackwardF32", low + "F64", low + "BackwardF64"}
}

// resolve returns the chosen variants of k for direction d, falling back to
// the default and then to the plain unrolled variant where a variant does
// not exist for that direction.
func resolve(k *kernel.Kernel, d int, impls []asm.Impl, table Table) (Choice, error) {
	key := k.Entry.Name + "/" + Directions[d]
	c, ok := table[key]
	if !ok {
		c = DefaultChoice
	}
	has := func(name string) bool {
		for _, im := range impls {
			if im.Variant.Name == name && implFuncs(im)[d] != "" {
				return true
			}
		}
		return false
	}
	for _, v := range []*string{&c.Small, &c.Large} {
		if *v == "go" || has(*v) {
			continue
		}
		if ok {
			return c, fmt.Errorf("dispatch table: %s names %s, which does not exist", key, *v)
		}
		*v = DefaultChoice.Small
	}
	return c, nil
}

// dispatchFile declares, for every kernel and direction, the function the
// public API calls: the portable kernel, replaced at init on AVX2 machines.
func dispatchFile(ks []*kernel.Kernel) *jen.File {
	f := newFile()
	f.Comment("The kernels the public functions run. They start as the portable kernels;")
	f.Comment("on amd64 with AVX2 and FMA, init (avx2_amd64.go) replaces them with the")
	f.Comment("variants of the generated dispatch table.")
	f.Var().DefsFunc(func(g *jen.Group) {
		for _, k := range ks {
			for _, fn := range portableFuncs(k) {
				g.Id(fn + "Impl").Op("=").Id(fn)
			}
		}
	})
	f.Line()
	f.Comment("Dispatch says which implementation the public functions run for one element")
	f.Comment("type and direction: Impl below Threshold elements, Large from there on.")
	f.Type().Id("Dispatch").Struct(
		jen.Id("Impl").String(),
		jen.Id("Large").String(),
		jen.Id("Threshold").Int(),
	)
	f.Line()
	f.Comment("portableDispatch is the dispatch without assembly.")
	f.Var().Id("portableDispatch").Op("=").Index(jen.Lit(4)).Id("Dispatch").Values(
		jen.Values(jen.Lit("go"), jen.Lit("go"), jen.Lit(0)),
		jen.Values(jen.Lit("go"), jen.Lit("go"), jen.Lit(0)),
		jen.Values(jen.Lit("go"), jen.Lit("go"), jen.Lit(0)),
		jen.Values(jen.Lit("go"), jen.Lit("go"), jen.Lit(0)),
	)
	return f
}

// avx2File registers the assembly variants and installs the dispatch table
// when the CPU has AVX2 and FMA.
func avx2File(ks []*kernel.Kernel, res *asm.Result, table Table) (*jen.File, error) {
	f := newFile()
	f.HeaderComment("//go:build " + asm.GoBuild)
	f.Comment("hasAVX2FMA reports whether the CPU has AVX2 and FMA and the OS saves the")
	f.Comment("YMM registers.")
	f.Var().Id("hasAVX2FMA").Op("=").Id("detectAVX2FMA").Call()
	f.Line()
	f.Comment("forcedPortable reports whether " + EnvPortable + "=1 asks for the portable kernels.")
	f.Var().Id("forcedPortable").Op("=").Qual("os", "Getenv").Call(jen.Lit(EnvPortable)).Op("==").Lit("1")
	f.Line()
	f.Func().Id("detectAVX2FMA").Params().Bool().Block(
		jen.List(jen.Id("maxLeaf"), jen.Id("_"), jen.Id("_"), jen.Id("_")).Op(":=").Id("cpuid").Call(jen.Lit(0), jen.Lit(0)),
		jen.If(jen.Id("maxLeaf").Op("<").Lit(7)).Block(jen.Return(jen.False())),
		jen.List(jen.Id("_"), jen.Id("_"), jen.Id("c1"), jen.Id("_")).Op(":=").Id("cpuid").Call(jen.Lit(1), jen.Lit(0)),
		jen.Comment("FMA (bit 12), OSXSAVE (27) and AVX (28)."),
		jen.Const().Id("want1").Op("=").Lit(1).Op("<<").Lit(12).Op("|").Lit(1).Op("<<").Lit(27).Op("|").Lit(1).Op("<<").Lit(28),
		jen.If(jen.Id("c1").Op("&").Id("want1").Op("!=").Id("want1")).Block(jen.Return(jen.False())),
		jen.Comment("The OS must save XMM (bit 1) and YMM (bit 2) state."),
		jen.If(jen.List(jen.Id("xcr0"), jen.Id("_")).Op(":=").Id("xgetbv").Call(), jen.Id("xcr0").Op("&").Lit(6).Op("!=").Lit(6)).Block(jen.Return(jen.False())),
		jen.List(jen.Id("_"), jen.Id("b7"), jen.Id("_"), jen.Id("_")).Op(":=").Id("cpuid").Call(jen.Lit(7), jen.Lit(0)),
		jen.Return(jen.Id("b7").Op("&").Parens(jen.Lit(1).Op("<<").Lit(5)).Op("!=").Lit(0)).Comment("AVX2"),
	)
	f.Line()

	// The variants every kernel must have, for the test that fails when one
	// is missing on an AVX2 machine.
	f.Comment("avx2Variants lists the assembly variants generated for each kernel.")
	f.Var().Id("avx2Variants").Op("=").Map(jen.String()).Index().String().Values(jen.DictFunc(func(d jen.Dict) {
		for _, k := range ks {
			var names []jen.Code
			for _, im := range res.Impls[k.Entry.Name] {
				names = append(names, jen.Lit(im.Variant.Name))
			}
			d[jen.Lit(k.Entry.Name)] = jen.Index().String().Values(names...)
		}
	}))
	f.Line()

	var body []jen.Code
	body = append(body, jen.If(jen.Op("!").Id("hasAVX2FMA").Op("||").Id("forcedPortable")).Block(jen.Return()))
	for i, k := range ks {
		impls := res.Impls[k.Entry.Name]
		if len(impls) == 0 {
			continue
		}
		nparams := len(k.Entry.Params)
		for _, im := range impls {
			names := implFuncs(im)
			dict := jen.Dict{jen.Id("Name"): jen.Lit(im.Variant.Name)}
			if im.Variant.Wide {
				dict[jen.Id("RoundsOnce")] = jen.True()
			}
			for d, field := range []string{"Forward32", "Backward32", "Forward64", "Backward64"} {
				if names[d] == "" {
					continue
				}
				dict[jen.Id(field)] = implWrapper(names[d], d, nparams)
			}
			body = append(body, jen.Id("kernels").Index(jen.Lit(i)).Dot("Impls").Op("=").Append(
				jen.Id("kernels").Index(jen.Lit(i)).Dot("Impls"), jen.Id("Impl").Values(dict)))
		}
		for d, port := range portableFuncs(k) {
			c, err := resolve(k, d, impls, table)
			if err != nil {
				return nil, err
			}
			fn := func(v string) string {
				if v == "go" {
					return port
				}
				for _, im := range impls {
					if im.Variant.Name == v {
						return implFuncs(im)[d]
					}
				}
				return port
			}
			small, large := fn(c.Small), fn(c.Large)
			target := jen.Id(port + "Impl")
			if small == large {
				body = append(body, target.Op("=").Id(small))
			} else {
				sig, args := kernelSignature(d, nparams)
				slices, _ := dirSlices(d)
				n := slices[0]
				body = append(body, target.Op("=").Func().Params(sig...).Block(
					jen.If(jen.Len(jen.Id(n)).Op(">=").Lit(c.Threshold)).Block(
						jen.Id(large).Call(args...),
						jen.Return(),
					),
					jen.Id(small).Call(args...),
				))
			}
			body = append(body, jen.Id("kernels").Index(jen.Lit(i)).Dot("Dispatch").Index(jen.Lit(d)).Op("=").Id("Dispatch").Values(
				jen.Lit(c.Small), jen.Lit(c.Large), jen.Lit(c.Threshold)))
		}
	}
	for _, k := range ks {
		port := portableFuncs(k)
		for _, im := range res.Impls[k.Entry.Name] {
			names := [4]string{im.Forward32, im.Backward32, im.Forward64, im.Backward64}
			for d, name := range names {
				if name != "" && im.Checked[d] {
					loopWrapper(f, k, name, port[d], d)
				}
			}
		}
	}
	f.Comment("init registers the assembly variants and installs the dispatch table.")
	f.Func().Id("init").Params().Block(body...)
	return f, nil
}

// dirSlices returns the slice parameters and element type of a slice kernel
// of direction d (0..3 as in Directions).
func dirSlices(d int) ([]string, func() *jen.Statement) {
	t := jen.Float32
	if d >= 2 {
		t = jen.Float64
	}
	if d%2 == 1 {
		return []string{"dx", "x", "dy"}, t
	}
	return []string{"dst", "x"}, t
}

// kernelSignature returns the parameter list and call arguments of a slice
// kernel of direction d with nparams parameters.
func kernelSignature(d, nparams int) (sig, args []jen.Code) {
	slices, t := dirSlices(d)
	sig = append(sig, jen.List(idList(slices)...).Index().Add(t()))
	args = idList(slices)
	for i := 0; i < nparams; i++ {
		name := fmt.Sprintf("p%d", i)
		sig = append(sig, jen.Id(name).Add(t()))
		args = append(args, jen.Id(name))
	}
	return sig, args
}

// implWrapper adapts an assembly kernel to the registry's slice-of-params form.
func implWrapper(fn string, d, nparams int) jen.Code {
	slices, t := dirSlices(d)
	args := idList(slices)
	for i := 0; i < nparams; i++ {
		args = append(args, jen.Id("p").Index(jen.Lit(i)))
	}
	return jen.Func().Params(jen.List(idList(slices)...).Index().Add(t()), jen.Id("p").Index().Add(t())).Block(jen.Id(fn).Call(args...))
}

// LowerName is the unexported stem of a kernel's Go functions, which the
// assembly backend shares.
func LowerName(k *kernel.Kernel) string { return lowerName(k) }

// ParseTable reads a dispatch table: one line per kernel direction,
//
//	name/direction  small-variant  large-variant  threshold
//
// with # comments; make tune writes it from measurements. Errors carry
// file:line.
func ParseTable(file string, data []byte) (Table, error) {
	t := Table{}
	for i, line := range strings.Split(string(data), "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 4 {
			return nil, fmt.Errorf("%s:%d:1: want 4 fields (name/direction small large threshold), got %d", file, i+1, len(fields))
		}
		n, err := strconv.Atoi(fields[3])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s:%d:1: threshold %q is not a non-negative integer", file, i+1, fields[3])
		}
		if _, dup := t[fields[0]]; dup {
			return nil, fmt.Errorf("%s:%d:1: %s appears twice", file, i+1, fields[0])
		}
		t[fields[0]] = Choice{Small: fields[1], Large: fields[2], Threshold: n}
	}
	return t, nil
}
