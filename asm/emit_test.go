package asm

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/actgen/actgen/formula"
	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/spec"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
	"github.com/mmcloughlin/avo/reg"
)

// checkOf builds a one-function file with body and runs check on it.
func checkOf(t *testing.T, body func(ctx *build.Context)) error {
	t.Helper()
	ctx := build.NewContext()
	ctx.Function("f")
	ctx.SignatureExpr("func()")
	body(ctx)
	f, err := ctx.Result()
	if err != nil {
		t.Fatal(err)
	}
	return check(f.Functions()[0])
}

// TestCheck makes sure the self-check catches what assembles but dies with
// SIGILL on an AVX2 machine, and what leaves the upper halves dirty.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		body func(ctx *build.Context)
		want string // "" for no error
	}{
		{"clean", func(ctx *build.Context) {
			ctx.VADDPS(reg.Y1, reg.Y2, reg.Y15)
			ctx.VZEROUPPER()
			ctx.RET()
		}, ""},
		{"y16", func(ctx *build.Context) {
			ctx.VADDPS(reg.Y1, reg.Y2, reg.Y16)
			ctx.VZEROUPPER()
			ctx.RET()
		}, "Y16"},
		{"no vzeroupper", func(ctx *build.Context) {
			ctx.VADDPS(reg.Y1, reg.Y2, reg.Y3)
			ctx.RET()
		}, "VZEROUPPER"},
	} {
		err := checkOf(t, tc.body)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one mentioning %s", tc.name, err, tc.want)
		}
	}
}

// TestSwapPred checks that every predicate the lowering uses survives the
// operand swap the emitter makes for a memory first operand, NaN included.
func TestSwapPred(t *testing.T) {
	eval := func(pred int, a, b float64) bool {
		un := a != a || b != b
		switch pred {
		case cmpEQ:
			return !un && a == b
		case cmpEQUQ:
			return un || a == b
		case cmpLT:
			return !un && a < b
		case cmpLE:
			return !un && a <= b
		case cmpGT:
			return !un && a > b
		case cmpGE:
			return !un && a >= b
		case cmpNEQ:
			return !un && a != b
		case cmpUNORD:
			return un
		case cmpNLTUQ:
			return un || a >= b
		case cmpNLEUQ:
			return un || a > b
		case cmpNGEUQ:
			return un || a < b
		case cmpNGTUQ:
			return un || a <= b
		}
		t.Fatalf("predicate %#x not modelled", pred)
		return false
	}
	vals := []float64{math.Inf(-1), -1, 0, 1, math.Inf(1), math.NaN()}
	for _, pred := range []int{cmpEQ, cmpEQUQ, cmpLT, cmpLE, cmpGT, cmpGE, cmpNEQ, cmpUNORD, cmpNLTUQ, cmpNLEUQ, cmpNGEUQ, cmpNGTUQ} {
		for _, a := range vals {
			for _, b := range vals {
				if eval(pred, a, b) != eval(swapPred(pred), b, a) {
					t.Errorf("predicate %#x: %v P %v is %v, swapped %v", pred, a, b, eval(pred, a, b), eval(swapPred(pred), b, a))
				}
			}
		}
	}
}

// TestSplitCompile checks that beforeAllocation then allocation print the
// same assembly as avo's pass.Compile, of which they are a copy split in two,
// on a function with a loop, dead and live virtual registers and a jump to
// the following label: an avo upgrade that changes pass.Compile shows here.
// It also counts the function's live vectors.
func TestSplitCompile(t *testing.T) {
	build1 := func() *ir.File {
		ctx := build.NewContext()
		ctx.Function("f")
		ctx.SignatureExpr("func(n int)")
		n := ctx.GP64()
		ctx.Load(ctx.Param("n"), n)
		acc := ctx.YMM()
		ctx.VXORPS(acc, acc, acc)
		ctx.Label("loop")
		ctx.CMPQ(n, operand.U32(0))
		ctx.JE(operand.LabelRef("done"))
		a, b := ctx.YMM(), ctx.YMM()
		ctx.VADDPS(acc, acc, a)
		ctx.VMULPS(a, a, b)
		ctx.VORPS(b, acc, acc)
		ctx.DECQ(n)
		ctx.JMP(operand.LabelRef("loop"))
		ctx.Label("done")
		ctx.JMP(operand.LabelRef("end"))
		ctx.Label("end")
		ctx.VZEROUPPER()
		ctx.RET()
		f, err := ctx.Result()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	print := func(f *ir.File) string {
		b, err := printer.NewGoAsm(printer.Config{Name: "test", Pkg: "p"}).Print(f)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	whole := build1()
	if err := pass.Compile.Execute(whole); err != nil {
		t.Fatal(err)
	}
	split := build1()
	for _, p := range []pass.Interface{beforeAllocation, allocation} {
		if err := p.Execute(split); err != nil {
			t.Fatal(err)
		}
	}
	if w, s := print(whole), print(split); w != s {
		t.Errorf("pass.Compile printed\n%s\nthe split passes printed\n%s", w, s)
	}
	// acc is live throughout, with a or b beside it
	live := build1()
	if err := beforeAllocation.Execute(live); err != nil {
		t.Fatal(err)
	}
	if n := maxLiveVectors(live.Functions()[0]); n != 2 {
		t.Errorf("maxLiveVectors = %d, want 2", n)
	}
}

// TestTinyFactors checks which products hand their tiny lanes back: a
// factor that grows with x, a parameter or a constant above 1 magnifies a
// subnormal's rounding; a constant up to 1 in magnitude does not.
func TestTinyFactors(t *testing.T) {
	for src, want := range map[string]bool{
		"x * exp(-abs(x))":                        true,
		"4 * (exp(-abs(x)) / (1 + exp(-abs(x))))": true,
		"alpha * exp(x)":                          true,
		"0.5 * exp(-abs(x))":                      false,
		"exp(-abs(x)) / (1 + exp(-abs(x)))":       false,
	} {
		ast, err := formula.ParseExpr(src)
		if err != nil {
			t.Fatal(err)
		}
		n, err := formula.Convert(ast, formula.Env{Params: []string{"alpha"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(tinyFactors(n)) > 0; got != want {
			t.Errorf("tinyFactors(%s) hands lanes back: %v, want %v", src, got, want)
		}
	}
}

// specKernels builds the kernels of every spec entry.
func specKernels(t *testing.T) []*kernel.Kernel {
	t.Helper()
	s, err := spec.Load("../spec/activations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ks, err := kernel.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// specKernel builds the kernel of the spec's entry name.
func specKernel(t *testing.T, name string) *kernel.Kernel {
	t.Helper()
	ks := specKernels(t)
	i := slices.IndexFunc(ks, func(k *kernel.Kernel) bool { return k.Entry.Name == name })
	if i < 0 {
		t.Fatalf("no %s in the spec", name)
	}
	return ks[i]
}

// TestShareConsts compiles sigmoid's float32 forward block loop with four
// copies, as the generator does, and checks that with shared constants it
// reads a quarter of the constants that staggered copies read, and with
// only those in registers shared, fewer than those but more than a quarter.
func TestShareConsts(t *testing.T) {
	k := specKernel(t, "sigmoid")
	pool := NewPool()
	prog, err := lowerKernel(k, F32, false, divide, pool, false, false)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := lowerKernel(k, F32, false, divide, pool, false, true)
	if err != nil {
		t.Fatal(err)
	}
	// blockLoads counts the instructions of the block loop that read a
	// constant.
	blockLoads := func(fit fitting) int {
		fn, err := compile(fnSpec{name: "f", w: F32, params: k.Params()}, prog, fast, Variant{Name: "t", Unroll: 4}, fit)
		if err != nil {
			t.Fatalf("%+v: %v", fit, err)
		}
		n, in := 0, false
		for _, node := range fn.Nodes {
			if l, ok := node.(ir.Label); ok {
				in = l == "block"
			}
			i, ok := node.(*ir.Instruction)
			if !ok || !in {
				continue
			}
			for _, o := range i.Operands {
				if m, ok := o.(operand.Mem); ok && strings.HasPrefix(m.Symbol.Name, "actc") {
					n++
				}
			}
		}
		return n
	}
	shared := blockLoads(fitting{group: 4, scheme: 1, share: sharedConsts})
	regs := blockLoads(fitting{group: 4, scheme: 1, share: sharedRegConsts})
	own := blockLoads(fitting{group: 4, scheme: 1, stagger: 0.5})
	if shared == 0 || 4*shared != own {
		t.Errorf("block loop reads %d constants shared, %d staggered; want a quarter", shared, own)
	}
	if regs <= shared || regs >= own {
		t.Errorf("block loop reads %d constants with those in registers shared; want between %d and %d", regs, shared, own)
	}
}

// TestSinkFree checks that an instruction of free arguments only (select's
// mask, from x in memory and a constant) moves to just before its first
// reader when sinking, and that without sinking the order is the program's.
func TestSinkFree(t *testing.T) {
	p := newProg(F32, NewPool())
	x := p.x()
	mask := p.cmp(cmpGT, x, p.c(0))
	sq := p.mul(x, x)
	inc := p.addv(sq, p.c(1))
	p.out = p.blend(mask, x, inc)
	live := liveValues(p, p.out)
	free := func(v value) bool {
		switch p.insts[v].op {
		case opX, opConst:
			return true
		}
		return false
	}
	var program []int
	for i := range p.insts {
		if live[i] {
			program = append(program, i)
		}
	}
	if got := sinkFree(p, live, free, false); !slices.Equal(got, program) {
		t.Errorf("without sinking: order %v, want the program's %v", got, program)
	}
	got := sinkFree(p, live, free, true)
	pos := func(v value) int { return slices.Index(got, int(v)) }
	if len(got) != len(program) || pos(mask) != pos(p.out)-1 || pos(mask) < pos(inc) {
		t.Errorf("sinking: order %v; want every instruction once, the mask (%d) just before the blend (%d)", got, mask, p.out)
	}
}

// TestParamsInMem compiles leaky_relu's float32 forward (alpha·x for x ≤ 0)
// with four lockstep copies sharing constants: with the parameters in
// memory, alpha is broadcast once in the block loop (for all four copies)
// and not before it; held in a register, it is broadcast once before.
func TestParamsInMem(t *testing.T) {
	k := specKernel(t, "leaky_relu")
	prog, err := lowerKernel(k, F32, false, divide, NewPool(), true, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, inMem := range []bool{false, true} {
		fit := fitting{group: 4, share: sharedConsts, paramsInMem: inMem}
		fn, err := compile(fnSpec{name: "f", w: F32, params: k.Params()}, prog, nil, Variant{Name: "t", Unroll: 4}, fit)
		if err != nil {
			t.Fatalf("%+v: %v", fit, err)
		}
		var before, block int
		where := &before
		for _, node := range fn.Nodes {
			if l, ok := node.(ir.Label); ok {
				where = nil
				if l == "block" {
					where = &block
				}
			}
			if i, ok := node.(*ir.Instruction); ok && i.Opcode == "VBROADCASTSS" && where != nil {
				*where++
			}
		}
		want := [2]int{1, 0}
		if inMem {
			want = [2]int{0, 1}
		}
		if [2]int{before, block} != want {
			t.Errorf("params in memory %v: %d broadcasts before the block loop, %d in it; want %d and %d", inMem, before, block, want[0], want[1])
		}
	}
}

// TestWide checks the wide variant: only kernels that call a primitive have
// it; their programs are float64 ones that hand no lanes back and take no
// two-float steps; and the compiled kernel reads and writes float32 slices
// through VCVTPS2PD and VCVTPD2PS, 16 bytes per vector, its elementwise
// memory operands never used at 32 bytes.
func TestWide(t *testing.T) {
	for _, k := range specKernels(t) {
		want := k.Entry.Name != "relu" && k.Entry.Name != "leaky_relu"
		if got := callsPrimitive(k); got != want {
			t.Errorf("%s: callsPrimitive = %v, want %v", k.Entry.Name, got, want)
		}
		if !want {
			continue
		}
		for _, backward := range []bool{false, true} {
			p, err := lowerWide(k, backward, NewPool(), false, false)
			if err != nil {
				t.Fatalf("%s: %v", k.Entry.Name, err)
			}
			if p.W != F64 || !p.wide || p.check != none {
				t.Errorf("%s backward=%v: W %v, wide %v, check %v; want a float64 program without a check", k.Entry.Name, backward, p.W, p.wide, p.check)
			}
		}
	}
	// erfc's argument x/√2 is one product (no division by a constant, no
	// two-float pair) in gelu's wide program, and x·(1/√2) its only use of x
	// besides x/2.
	k := specKernel(t, "gelu")
	pool := NewPool()
	prog, err := lowerWide(k, false, pool, false, false)
	if err != nil {
		t.Fatal(err)
	}
	live := liveValues(prog, prog.out)
	divs := 0
	for i, in := range prog.insts {
		if live[i] && in.op == opDiv {
			divs++
		}
	}
	if divs != 1 {
		t.Errorf("gelu's wide program has %d divisions, want 1 (erfc's t)", divs)
	}
	fast, err := lowerWide(k, false, pool, false, true)
	if err != nil {
		t.Fatal(err)
	}
	fn, err := compile(fnSpec{name: "f", w: F32, fast: fast != nil, wide: true}, prog, fast, Variant{Name: "t", Unroll: 4, Wide: true}, fitting{group: 1, scheme: 1, inRegs: true})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, node := range fn.Nodes {
		i, ok := node.(*ir.Instruction)
		if !ok {
			continue
		}
		counts[i.Opcode]++
		for _, o := range i.Operands {
			m, ok := o.(operand.Mem)
			if !ok || m.Symbol.Name != "" {
				continue
			}
			// every access to x or dst moves 16 bytes: a float32 vector of
			// four lanes (the masked ones with an XMM mask)
			for _, r := range i.Operands {
				if v, ok := r.(reg.Register); ok && v.Size() == 32 && i.Opcode != "VCVTPS2PD" {
					t.Errorf("%s reads or writes a slice with a 32-byte register", i.Opcode)
				}
			}
		}
	}
	// 4 vectors in the block loop (compile takes Unroll as vectors), one
	// each in the single and tail steps, the tail's moves masked
	if counts["VCVTPS2PD"] != 6 || counts["VCVTPD2PSY"] != 6 || counts["VMASKMOVPS"] != 2 {
		t.Errorf("conversions %v: want VCVTPS2PD and VCVTPD2PSY for each of 6 vectors, 2 VMASKMOVPS", counts)
	}
}
