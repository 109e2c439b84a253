package asm

import (
	"fmt"
	"math"
	"strings"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/reg"
)

// Variant is one way of running a kernel's vector program.
type Variant struct {
	// Name is the implementation name in the registry, e.g. avx2-u16.
	Name string
	// Unroll is the number of vectors per block-loop iteration; their
	// instruction streams are interleaved to hide the latency of long chains.
	Unroll int
	// Reciprocal lowers divisions to VRCPPS and a Newton step (float32).
	Reciprocal bool
	// NonTemporal stores the block loop's results with VMOVNTPS/VMOVNTPD
	// past an aligned head, bypassing the caches: for slices larger than
	// the last-level cache.
	NonTemporal bool
	// Wide computes float32 kernels in float64 lanes, four per vector
	// (VCVTPS2PD on load, VCVTPD2PS on store), with cores fitted for
	// float32's needs (polys): the result is rounded once, at the end, and
	// needs no two-float steps, where the float32 kernels of the
	// transcendental functions reach 2 to 6 ULPs. Only float32 kernels
	// that call a primitive have the variant.
	Wide bool
}

// isa is the instruction set required by every generated kernel.
var allowedISA = map[string]bool{"AVX": true, "AVX2": true, "FMA3": true, "SSE": true, "SSE2": true, "MMX+": true} // MMX+: SFENCE

// fnSpec describes the Go signature of one generated function.
type fnSpec struct {
	name     string
	w        Width
	backward bool
	params   []string
	doc      []string
	checked  bool // returns the count of elements done before a lane it hands back
	fast     bool // has a fast program for its block loop
	guarded  bool // whose exps flag lanes
	wide     bool // float32 slices, float64 lanes (Variant.Wide)
}

func shift(size int) uint8 {
	if size == 4 {
		return 2
	}
	return 3
}

func (s fnSpec) signature() string {
	t := "float32"
	if s.w == F64 {
		t = "float64"
	}
	args := "dst, x []" + t
	if s.backward {
		args = "dx, x, dy []" + t
	}
	if len(s.params) > 0 {
		args += ", " + strings.Join(s.params, ", ") + " " + t
	}
	if s.checked {
		return "func(" + args + ") (done, lanes int)"
	}
	return "func(" + args + ")"
}

// emitter writes one function: it owns the avo context and the registers of
// every interleaved copy of the program.
type emitter struct {
	ctx  *build.Context
	prog *Prog
	w    Width // of the lanes
	// size is the size in bytes of an element in memory: the lanes' own, or
	// 4 for a wide kernel's float32 slices.
	size   int
	wide   bool
	params []reg.VecVirtual
	// paramAddrs, when set, are the parameters' argument slots: each use
	// broadcasts its parameter from there (once per instruction for all
	// lockstep copies) instead of holding it in a register throughout.
	paramAddrs []operand.Mem
	// lanesOut holds the flags of the lanes a checked kernel hands back.
	lanesOut reg.GPVirtual
	lastUse  []value
	inputs   map[value]operand.Op // memory operands of x and dy in the current copy
	stagger  float64              // lag between interleaved copies, as a fraction of the program
	// inputsInRegs loads x and dy once per vector; otherwise each use reads
	// memory (fewer registers, more loads).
	inputsInRegs bool
	// gpFlags gathers the block loop's lane flags in a general register
	// (VMOVMSKPS and OR per flag) instead of ORing them in a vector register
	// (one VORPS per flag, one VTESTPS per group), which holds one vector
	// register for the whole group.
	gpFlags bool
	// share says how lockstep copies get their constants.
	share constSharing
	// shared holds the registers of the current lockstep instruction: a
	// constant's under its pool index, parameter i's under -1-i.
	shared map[int]reg.VecVirtual
}

// constSharing says how the copies of a block loop get their constants.
// Sharing loads a constant once per instruction for all the copies, where
// each copy would load it for itself: 256-bit loads bound the cheaper
// kernels more than their arithmetic does (in a microbenchmark here, 24
// independent loads took 5.0 ns, 24 dependent adds, 72 cycles, 25.3 ns). A
// shared constant holds a register while the copies run its instruction,
// so sharing needs the copies in lockstep.
type constSharing int

const (
	ownConsts    constSharing = iota // each copy loads its own, as memory operands where it can
	sharedConsts                     // one register per constant and instruction for all copies
	// sharedRegConsts shares the constants an instruction needs in a
	// register and leaves those it can read from memory to each copy: more
	// loads than sharedConsts, one register fewer for an FMA of two
	// constants.
	sharedRegConsts
)

// compile builds fn as avo IR with the block loop's copies interleaved in
// groups of group vectors, and checks the register allocation.
//
// fast, unless nil, is the program of the block loop; vectors with lanes it
// flags run through prog one at a time, like the single and tail vectors.
func compile(s fnSpec, prog, fast *Prog, v Variant, fit fitting) (*ir.Function, error) {
	if fast == nil {
		fast = prog
	}
	ctx := build.NewContext()
	ctx.Function(s.name)
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr(s.signature())
	ctx.Pragma("noescape")
	ctx.Doc(s.doc...)
	group := fit.group
	e := &emitter{ctx: ctx, prog: prog, w: prog.W, size: s.w.Size(), wide: s.wide, stagger: fit.stagger, inputsInRegs: fit.inRegs || s.wide, gpFlags: fit.gpFlags, share: fit.share}

	out := "dst"
	if s.backward {
		out = "dx"
	}
	dst, n, x := ctx.GP64(), ctx.GP64(), ctx.GP64()
	ctx.Load(ctx.Param(out).Base(), dst)
	ctx.Load(ctx.Param(out).Len(), n)
	ctx.Load(ctx.Param("x").Base(), x)
	var dy reg.GPVirtual
	if s.backward {
		dy = ctx.GP64()
		ctx.Load(ctx.Param("dy").Base(), dy)
	}
	for _, name := range s.params {
		if fit.paramsInMem {
			b, err := ctx.Param(name).Resolve()
			if err != nil {
				return nil, fmt.Errorf("%s: parameter %s: %w", s.name, name, err)
			}
			e.paramAddrs = append(e.paramAddrs, b.Addr)
			continue
		}
		xr := ctx.XMM()
		ctx.Load(ctx.Param(name), xr)
		if e.wide {
			ctx.VCVTSS2SD(xr, xr, xr)
		}
		y := ctx.YMM()
		if e.w == F32 {
			ctx.VBROADCASTSS(xr, y)
		} else {
			ctx.VBROADCASTSD(xr, y)
		}
		e.params = append(e.params, y)
	}

	lanes, size := e.w.Lanes(), e.size
	vecBytes := lanes * size
	inputs := func(off int) func(op vop) operand.Op {
		return func(op vop) operand.Op {
			if op == opDY {
				return operand.Mem{Base: dy, Disp: off}
			}
			return operand.Mem{Base: x, Disp: off}
		}
	}
	advance := func(elems int) {
		ctx.ADDQ(operand.U32(elems*size), x)
		ctx.ADDQ(operand.U32(elems*size), dst)
		if s.backward {
			ctx.ADDQ(operand.U32(elems*size), dy)
		}
		ctx.SUBQ(operand.U32(elems), n)
	}

	// checked: prog hands lanes back to the portable kernel; flags: a block
	// may hold vectors for prog (which the fast program flags, or whose
	// lanes prog hands back).
	checked, flags := prog.check != none, fast.sendsVectors()
	if checked && s.wide {
		return nil, fmt.Errorf("%s: a wide kernel hands no lanes back", s.name)
	}
	var dst0, slow reg.GPVirtual
	if flags {
		// slow counts the vectors to run one at a time after a flagged block.
		slow = ctx.GP64()
		ctx.XORQ(slow, slow)
	}
	if checked {
		// dst0 gives the count of elements done.
		dst0, e.lanesOut = ctx.GP64(), ctx.GP64()
		ctx.MOVQ(dst, dst0)
		ctx.XORQ(e.lanesOut, e.lanesOut)
	}

	if v.NonTemporal {
		e.alignHead(n, dst, x, dy, s.backward, inputs)
	}

	// Block loop: Unroll vectors per iteration.
	block := v.Unroll * lanes
	ctx.Label("block")
	ctx.CMPQ(n, operand.U32(block))
	ctx.JB(operand.LabelRef("single"))
	e.prog = fast
	for g0 := 0; g0 < v.Unroll; g0 += group {
		var acc *flagAcc
		if flags {
			acc = &flagAcc{}
			if e.gpFlags {
				acc.gp = ctx.GP32()
				ctx.XORL(acc.gp, acc.gp)
			}
		}
		outs, _ := e.body(group, func(g int) func(vop) operand.Op { return inputs((g0 + g) * vecBytes) }, nil, acc)
		if flags {
			// a flagged group jumps before storing anything
			if e.gpFlags {
				ctx.TESTL(acc.gp, acc.gp)
			} else {
				byWidth(e.w, ctx.VTESTPS, ctx.VTESTPD)(acc.vec, acc.vec)
			}
			ctx.JNE(operand.LabelRef(fmt.Sprintf("flag%d", g0)))
		}
		for g, r := range outs {
			e.store(r, operand.Mem{Base: dst, Disp: (g0 + g) * vecBytes}, v.NonTemporal)
		}
	}
	e.prog = prog
	advance(block)
	ctx.JMP(operand.LabelRef("block"))
	if flags {
		// A flagged group: skip the groups already stored and run the
		// rest of the block one vector at a time.
		for g0 := 0; g0 < v.Unroll; g0 += group {
			ctx.Label(fmt.Sprintf("flag%d", g0))
			if g0 > 0 {
				advance(g0 * lanes)
			}
			ctx.MOVQ(operand.U32(v.Unroll-g0), slow)
			ctx.JMP(operand.LabelRef("single"))
		}
	}

	ctx.Label("single")
	if v.NonTemporal {
		ctx.SFENCE()
	}
	if v.Unroll > 1 || flags {
		ctx.CMPQ(n, operand.U32(lanes))
		ctx.JB(operand.LabelRef("tail"))
		outs, masks := e.body(1, func(int) func(vop) operand.Op { return inputs(0) }, nil, nil)
		if checked {
			e.handBack(outs[0], masks[0], nil, dst, "single")
		}
		e.store(outs[0], operand.Mem{Base: dst}, false)
		advance(lanes)
		if flags {
			ctx.TESTQ(slow, slow)
			ctx.JE(operand.LabelRef("single"))
			ctx.DECQ(slow)
			ctx.JNE(operand.LabelRef("single"))
			ctx.JMP(operand.LabelRef("block"))
		} else {
			ctx.JMP(operand.LabelRef("single"))
		}
		ctx.Label("tail")
	}
	ctx.TESTQ(n, n)
	ctx.JE(operand.LabelRef("done"))
	mask := e.tailMask(n)
	outs, masks := e.body(1, func(int) func(vop) operand.Op { return inputs(0) }, mask, nil)
	if checked {
		e.handBack(outs[0], masks[0], mask, dst, "tail")
	}
	e.maskStore(outs[0], mask, operand.Mem{Base: dst})
	if checked {
		ctx.SHLQ(operand.U8(shift(size)), n)
		ctx.ADDQ(n, dst)
	}
	ctx.Label("done")
	if checked {
		ctx.SUBQ(dst0, dst)
		ctx.SHRQ(operand.U8(shift(size)), dst)
		ctx.Store(dst, ctx.ReturnIndex(0))
		ctx.Store(e.lanesOut, ctx.ReturnIndex(1))
	}
	ctx.VZEROUPPER()
	ctx.RET()

	f, err := ctx.Result()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	if err := beforeAllocation.Execute(f); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	fn := f.Functions()[0]
	if n := maxLiveVectors(fn); n > 16 {
		// allocation would hand out Y16 and up, which check rejects
		return nil, fmt.Errorf("%s: %d live vectors need AVX-512 registers", s.name, n)
	}
	if err := allocation.Execute(f); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	pruneSelfMoves(fn)
	if err := check(fn); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	return fn, nil
}

// beforeAllocation and allocation are avo's pass.Compile (v0.6.0) split at
// register allocation: a fitting whose live vectors outnumber the 16 AVX2
// registers is known to fail from liveness alone, and allocation is most of
// the generator's time.
var (
	beforeAllocation = pass.Concat(
		pass.Verify,
		pass.FunctionPass(pass.PruneJumpToFollowingLabel),
		pass.FunctionPass(pass.PruneDanglingLabels),
		pass.FunctionPass(pass.LabelTarget),
		pass.FunctionPass(pass.CFG),
		pass.InstructionPass(pass.ZeroExtend32BitOutputs),
		pass.FunctionPass(pass.Liveness),
	)
	allocation = pass.Concat(
		pass.FunctionPass(pass.AllocateRegisters),
		pass.FunctionPass(pass.BindRegisters),
		pass.FunctionPass(pass.VerifyAllocation),
		pass.FunctionPass(pass.EnsureBasePointerCalleeSaved),
		pass.Func(pass.IncludeTextFlagHeader),
		pass.FunctionPass(pass.PruneSelfMoves),
		pass.FunctionPass(pass.RequiredISAExtensions),
	)
)

// maxLiveVectors is the most vector registers live at once after an
// instruction of fn (from pass.Liveness): a lower bound on the registers
// any allocation needs.
func maxLiveVectors(fn *ir.Function) int {
	most := 0
	for _, i := range fn.Instructions() {
		n := 0
		for id := range i.LiveOut {
			if id.Kind() == reg.KindVector {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// alignHead makes dst 32-byte aligned for non-temporal stores: when the
// slice has at least one vector, it computes the first vector and stores only
// the lanes before the next aligned address (a masked store, so dst == x
// stays correct), then advances by that many elements.
func (e *emitter) alignHead(n, dst, x, dy reg.GPVirtual, backward bool, inputs func(int) func(vop) operand.Op) {
	ctx := e.ctx
	lanes, size := e.w.Lanes(), e.size
	ctx.CMPQ(n, operand.U32(lanes))
	ctx.JB(operand.LabelRef("block"))
	k := ctx.GP64()
	ctx.MOVQ(dst, k)
	ctx.NEGQ(k)
	ctx.ANDQ(operand.U32(lanes*size-1), k)
	if size == 4 {
		ctx.SHRQ(operand.U8(2), k)
	} else {
		ctx.SHRQ(operand.U8(3), k)
	}
	// k = elements before the next vector boundary: 32 bytes, or 16 for a
	// wide kernel's float32 stores (0 when aligned; dst is at least element
	// aligned).
	ctx.TESTQ(k, k)
	ctx.JE(operand.LabelRef("block"))
	mask := e.tailMask(k)
	outs, checks := e.body(1, func(int) func(vop) operand.Op { return inputs(0) }, nil, nil)
	if len(checks) > 0 {
		// handing back ends the call, so the whole first vector may be stored
		e.handBack(outs[0], checks[0], nil, dst, "head")
	}
	e.maskStore(outs[0], mask, operand.Mem{Base: dst})
	if size == 4 {
		ctx.SHLQ(operand.U8(2), k)
	} else {
		ctx.SHLQ(operand.U8(3), k)
	}
	ctx.ADDQ(k, x)
	ctx.ADDQ(k, dst)
	if backward {
		ctx.ADDQ(k, dy)
	}
	if size == 4 {
		ctx.SHRQ(operand.U8(2), k)
	} else {
		ctx.SHRQ(operand.U8(3), k)
	}
	ctx.SUBQ(k, n)
}

// handBack ends the kernel at a vector with flagged lanes (among live, nil
// meaning all): it stores the other lanes, leaves the flagged ones as they
// were (so x and dy stay intact even in place), and returns the flags.
func (e *emitter) handBack(out, flag, live reg.VecVirtual, dst reg.GPVirtual, site string) {
	ctx := e.ctx
	if live != nil {
		m := ctx.YMM()
		ctx.VANDPS(live, flag, m)
		flag = m
	}
	bits := e.laneBits(flag)
	ctx.JE(operand.LabelRef("keep_" + site))
	store := ctx.YMM()
	if live != nil {
		ctx.VANDNPS(live, flag, store) // ^flag & live
	} else {
		ones := ctx.YMM()
		ctx.VPCMPEQD(ones, ones, ones)
		ctx.VANDNPS(ones, flag, store)
	}
	e.maskStore(out, store, operand.Mem{Base: dst})
	ctx.MOVL(bits, e.lanesOut.As32())
	ctx.JMP(operand.LabelRef("done"))
	ctx.Label("keep_" + site)
}

// byWidth returns the single-precision form of an instruction for float32
// lanes, the double-precision one for float64.
func byWidth[F any](w Width, ps, pd F) F {
	if w == F32 {
		return ps
	}
	return pd
}

// maskBits returns the sign bits of m's lanes in a general register.
func (e *emitter) maskBits(m reg.VecVirtual) reg.GPVirtual {
	bits := e.ctx.GP32()
	byWidth(e.w, e.ctx.VMOVMSKPS, e.ctx.VMOVMSKPD)(m, bits)
	return bits
}

// laneBits moves the sign bits of m's lanes to a register and tests them,
// for a conditional jump on "any lane set".
func (e *emitter) laneBits(m reg.VecVirtual) reg.GPVirtual {
	bits := e.ctx.GP32()
	if e.w == F32 {
		e.ctx.VMOVMSKPS(m, bits)
	} else {
		e.ctx.VMOVMSKPD(m, bits)
	}
	e.ctx.TESTL(bits, bits)
	return bits
}

// tailMask returns a vector whose first count lanes are all ones; for a
// wide kernel, an XMM mask of count float32 lanes (the masked moves of its
// slices).
func (e *emitter) tailMask(count reg.GPVirtual) reg.VecVirtual {
	ctx := e.ctx
	xr := ctx.XMM()
	nv, mask := ctx.YMM(), ctx.YMM()
	lanes := e.w // the lane type of the slices
	if e.wide {
		// float32 slices: iota's first four lanes, 0..3
		nv, mask, lanes = ctx.XMM(), ctx.XMM(), F32
	}
	idx := e.prog.pool.iota(lanes)
	if lanes == F32 {
		ctx.VMOVD(count.As32(), xr)
		ctx.VPBROADCASTD(xr, nv)
		ctx.VPCMPGTD(e.constMem(idx), nv, mask)
	} else {
		ctx.VMOVQ(count, xr)
		ctx.VPBROADCASTQ(xr, nv)
		ctx.VPCMPGTQ(e.constMem(idx), nv, mask)
	}
	return mask
}

// store writes the vector r to m, non-temporally with nt; a wide kernel's
// lanes rounded to float32.
func (e *emitter) store(r reg.VecVirtual, m operand.Mem, nt bool) {
	if e.wide {
		r = e.narrow(r)
	}
	switch {
	case nt && (e.w == F32 || e.wide):
		e.ctx.VMOVNTPS(r, m)
	case nt:
		e.ctx.VMOVNTPD(r, m)
	default:
		e.ctx.VMOVUPS(r, m)
	}
}

// narrow rounds a wide kernel's float64 lanes to float32, in an XMM
// register.
func (e *emitter) narrow(r reg.VecVirtual) reg.VecVirtual {
	x := e.ctx.XMM()
	e.ctx.VCVTPD2PSY(r, x)
	return x
}

func (e *emitter) maskStore(r, mask reg.VecVirtual, m operand.Mem) {
	if e.wide {
		e.ctx.VMASKMOVPS(e.narrow(r), mask, m)
		return
	}
	if e.w == F32 {
		e.ctx.VMASKMOVPS(r, mask, m)
	} else {
		e.ctx.VMASKMOVPD(r, mask, m)
	}
}

func (e *emitter) constMem(i int) operand.Mem {
	return operand.Mem{Symbol: operand.NewStaticSymbol(e.prog.pool.symbol(i)), Base: reg.StaticBase}
}

// body emits copies interleaved copies of the program, instruction by
// instruction, and returns the registers holding their outputs. input gives
// the memory operand of x or dy for each copy; a non-nil mask loads them with
// VMASKMOV (lanes past the end read as zero and never fault).
//
// With acc, each copy's flags and check are ORed into acc as soon as they
// are computed (and no checks are returned): a fast program's guard is known
// early, and holding a vector register per copy to the end would cost the
// interleaving registers.
func (e *emitter) body(copies int, input func(g int) func(vop) operand.Op, mask reg.VecVirtual, acc *flagAcc) (outs, checks []reg.VecVirtual) {
	p := e.prog
	regs := make([][]reg.VecVirtual, copies)
	inputsOf := make([]map[value]operand.Op, copies)
	for g := range regs {
		regs[g] = make([]reg.VecVirtual, len(p.insts))
		inputsOf[g] = map[value]operand.Op{}
	}
	// marks are the masks whose lane bits go to acc. A flag of NaN outputs
	// is left out of the body: one compare of two copies' outputs after it
	// (VCMPPS UNORD is true where either is NaN) flags both.
	marks := map[value]bool{}
	flags, outNaN := p.flags, false
	if acc != nil {
		flags = nil
		for _, f := range p.flags {
			if in := p.insts[f]; in.op == opCmp && in.imm == cmpUNORD && in.args[0] == p.out && in.args[1] == p.out {
				outNaN = true
				continue
			}
			flags = append(flags, f)
			marks[f] = true
		}
		if p.check != none {
			marks[p.check] = true
		}
	}
	live := liveValues(p, p.out)
	for _, m := range append([]value{p.check}, flags...) {
		if m == none {
			continue
		}
		for i, l := range liveValues(p, m) {
			live[i] = live[i] || l
		}
	}
	// Sinking serves the lockstep copies that share constants, whose
	// registers must fit all at once; staggered copies did not gain (elu's
	// float32 forward u32-nt took 13% longer, benchstat p=0.017).
	order := sinkFree(p, live, func(v value) bool {
		switch p.insts[v].op {
		case opConst, opParam:
			return true
		case opX, opDY:
			return !e.inputsInRegs && mask == nil
		}
		return false
	}, e.share != ownConsts)
	// lastUse[u] is the instruction that reads u last in order (none if
	// nothing does); the outputs live on.
	e.lastUse = make([]value, len(p.insts))
	for i := range e.lastUse {
		e.lastUse[i] = none
	}
	for _, i := range order {
		for _, a := range p.insts[i].args {
			if a >= 0 {
				e.lastUse[a] = value(i)
			}
		}
	}
	e.lastUse[p.out] = value(len(p.insts))
	if p.check != none {
		e.lastUse[p.check] = value(len(p.insts))
	}
	// Copy g runs stagger·g instructions behind copy 0, so that the copies'
	// register-hungry stretches do not coincide.
	lag := 0
	if copies > 1 {
		lag = int(e.stagger * float64(len(order)) / float64(copies))
	}
	for step := 0; step < len(order)+(copies-1)*lag; step++ {
		e.shared = nil
		if e.share != ownConsts && copies > 1 && lag == 0 {
			// every copy runs instruction order[step] now
			e.shared = map[int]reg.VecVirtual{}
		}
		for g := 0; g < copies; g++ {
			j := step - g*lag
			if j < 0 || j >= len(order) {
				continue
			}
			i := order[j]
			e.inputs = inputsOf[g]
			e.inst(regs[g], value(i), p.insts[i], input(g), mask)
			if marks[value(i)] {
				// lastUse past the program keeps a check for the caller,
				// which has no use for it with acc
				read := e.lastUse[i] != none && int(e.lastUse[i]) < len(p.insts)
				e.gather(acc, regs[g][i], read)
			}
		}
	}
	e.shared = nil
	outs = make([]reg.VecVirtual, copies)
	for g := range outs {
		e.inputs = inputsOf[g]
		outs[g] = e.reg(regs[g], p.out)
		if p.check != none && acc == nil {
			checks = append(checks, e.reg(regs[g], p.check))
		}
	}
	if outNaN {
		for g := 0; g < copies; g += 2 {
			other := outs[min(g+1, copies-1)]
			m := e.ctx.YMM()
			byWidth(e.w, e.ctx.VCMPPS, e.ctx.VCMPPD)(operand.U8(cmpUNORD), other, outs[g], m)
			e.gather(acc, m, false)
		}
	}
	return outs, checks
}

// sinkFree returns p's live instructions in program order, except that with
// sink one whose arguments are all free (constants, parameters, inputs read
// from memory) runs just before its first reader: computed early, its result
// would hold a register all the way, as select's mask would until the
// blend at the end.
func sinkFree(p *Prog, live []bool, free func(value) bool, sink bool) []int {
	first := make([]int, len(p.insts)) // first reader, or -1
	for i := range first {
		first[i] = -1
	}
	for i, in := range p.insts {
		if !live[i] {
			continue
		}
		for _, a := range in.args {
			if a >= 0 && first[a] < 0 {
				first[a] = i
			}
		}
	}
	sunk := map[int][]int{} // reader → the instructions to run before it
	var order []int
	for i, in := range p.insts {
		if !live[i] {
			continue
		}
		for _, j := range sunk[i] {
			order = append(order, j)
		}
		movable := sink && !free(value(i)) && first[i] >= 0
		for _, a := range in.args {
			if a >= 0 && !free(a) {
				movable = false
			}
		}
		if movable {
			sunk[first[i]] = append(sunk[first[i]], i)
			continue
		}
		order = append(order, i)
	}
	return order
}

// flagAcc gathers the lane flags of a group of copies: in vec (nil until
// the first flag) or, with gpFlags, as lane bits in gp.
type flagAcc struct {
	vec reg.VecVirtual
	gp  reg.GPVirtual
}

// gather ORs the lane mask m into acc. read says whether a later
// instruction reads m, which must then stay as it is.
func (e *emitter) gather(acc *flagAcc, m reg.VecVirtual, read bool) {
	switch {
	case e.gpFlags:
		e.ctx.ORL(e.maskBits(m), acc.gp.As32())
	case acc.vec == nil && !read:
		acc.vec = m
	case acc.vec == nil:
		acc.vec = e.ctx.YMM()
		e.ctx.VMOVUPS(m, acc.vec)
	default:
		e.ctx.VORPS(m, acc.vec, acc.vec)
	}
}

// liveValues marks the instructions the value out depends on.
func liveValues(p *Prog, out value) []bool {
	live := make([]bool, len(p.insts))
	live[out] = true
	for i := len(p.insts) - 1; i >= 0; i-- {
		if !live[i] {
			continue
		}
		for _, a := range p.insts[i].args {
			if a >= 0 {
				live[a] = true
			}
		}
	}
	return live
}

// op returns v as an operand: constants (unless shared) and unmasked inputs
// as memory, others as their register.
func (e *emitter) op(regs []reg.VecVirtual, v value) operand.Op {
	in := e.prog.insts[v]
	if in.op == opConst && e.shared != nil && e.share == sharedConsts {
		return e.sharedReg(v)
	}
	if in.op == opConst {
		return e.constMem(in.imm)
	}
	if (in.op == opX || in.op == opDY) && regs[v] == nil {
		return e.inputs[v]
	}
	if in.op == opParam && e.paramAddrs != nil {
		return e.paramReg(in.imm)
	}
	if in.op == opParam {
		return e.params[in.imm]
	}
	return regs[v]
}

// reg returns v in a register, loading constants.
func (e *emitter) reg(regs []reg.VecVirtual, v value) reg.VecVirtual {
	switch o := e.op(regs, v).(type) {
	case reg.VecVirtual:
		return o
	case operand.Mem:
		if e.prog.insts[v].op == opConst && e.shared != nil {
			return e.sharedReg(v)
		}
		if e.prog.insts[v].op == opConst {
			return e.constReg(v)
		}
		r := e.ctx.YMM()
		e.ctx.VMOVUPS(o, r)
		return r
	}
	panic("asm: unreachable")
}

// sharedReg returns the register shared by the copies that holds the
// constant v, loading it for the first copy.
func (e *emitter) sharedReg(v value) reg.VecVirtual {
	i := e.prog.insts[v].imm
	r, ok := e.shared[i]
	if !ok {
		r = e.constReg(v)
		e.shared[i] = r
	}
	return r
}

// paramReg broadcasts parameter i from its argument slot, into the register
// the lockstep copies share if they do.
func (e *emitter) paramReg(i int) reg.VecVirtual {
	key := -1 - i // constants' keys are pool indices, ≥ 0
	if r, ok := e.shared[key]; ok {
		return r
	}
	r := e.ctx.YMM()
	byWidth(e.w, e.ctx.VBROADCASTSS, e.ctx.VBROADCASTSD)(e.paramAddrs[i], r)
	if e.shared != nil {
		e.shared[key] = r
	}
	return r
}

// constReg loads the constant v into a new register.
func (e *emitter) constReg(v value) reg.VecVirtual {
	r := e.ctx.YMM()
	if c, ok := e.prog.constVal(v); ok && c == 0 && !math.Signbit(c) {
		e.ctx.VXORPS(r, r, r) // +0 without a load
		return r
	}
	e.ctx.VMOVUPS(e.constMem(e.prog.insts[v].imm), r)
	return r
}

func (e *emitter) isMem(v value) bool {
	if e.shared != nil && e.share == sharedConsts && e.prog.insts[v].op == opConst {
		return false // in a register once the first copy has used it
	}
	_, ok := e.opNoRegs(v).(operand.Mem)
	return ok
}

// opNoRegs is op for values that are not in registers.
func (e *emitter) opNoRegs(v value) operand.Op {
	in := e.prog.insts[v]
	switch {
	case in.op == opConst:
		return e.constMem(in.imm)
	case (in.op == opX || in.op == opDY) && e.inputs[v] != nil:
		return e.inputs[v]
	}
	return nil
}

// copyOf returns a fresh register holding v: the FMA forms overwrite one of
// their sources.
func (e *emitter) copyOf(regs []reg.VecVirtual, v value) reg.VecVirtual {
	r := e.ctx.YMM()
	var src operand.Op
	if e.shared != nil && e.prog.insts[v].op == opConst {
		src = e.sharedReg(v) // a move instead of a load
	} else {
		src = e.op(regs, v)
	}
	e.ctx.VMOVUPS(src, r)
	return r
}

func (e *emitter) inst(regs []reg.VecVirtual, v value, in inst, input func(vop) operand.Op, mask reg.VecVirtual) {
	ctx := e.ctx
	f32 := e.w == F32
	a, b, c := in.args[0], in.args[1], in.args[2]
	pick := func(ps, pd func(...operand.Op)) func(...operand.Op) { return byWidth(e.w, ps, pd) }
	// binary emits dst = a OP b with b allowed in memory.
	binary := func(f func(...operand.Op), commutes bool) {
		if e.isMem(a) && commutes {
			a, b = b, a
		}
		dst := ctx.YMM()
		f(e.op(regs, b), e.reg(regs, a), dst)
		regs[v] = dst
	}
	switch in.op {
	case opX, opDY:
		m := input(in.op)
		switch {
		case e.wide && mask != nil:
			xr, dst := ctx.XMM(), ctx.YMM()
			ctx.VMASKMOVPS(m, mask, xr)
			ctx.VCVTPS2PD(xr, dst)
			regs[v] = dst
		case e.wide:
			dst := ctx.YMM()
			ctx.VCVTPS2PD(m, dst)
			regs[v] = dst
		case mask != nil && f32:
			dst := ctx.YMM()
			ctx.VMASKMOVPS(m, mask, dst)
			regs[v] = dst
		case mask != nil:
			dst := ctx.YMM()
			ctx.VMASKMOVPD(m, mask, dst)
			regs[v] = dst
		case e.inputsInRegs:
			dst := ctx.YMM()
			ctx.VMOVUPS(m, dst)
			regs[v] = dst
		default:
			// Full vectors stay in memory and are read at each use, as
			// constants are: a register held from the first use of x to its
			// last would cost interleaving.
			e.inputs[v] = m
		}
	case opParam, opConst:
		// operands, materialized at use
	case opAdd:
		binary(pick(ctx.VADDPS, ctx.VADDPD), true)
	case opSub:
		binary(pick(ctx.VSUBPS, ctx.VSUBPD), false)
	case opMul:
		binary(pick(ctx.VMULPS, ctx.VMULPD), true)
	case opDiv:
		binary(pick(ctx.VDIVPS, ctx.VDIVPD), false)
	case opMax, opMin:
		// VMAXPS returns its memory-capable operand when either is NaN:
		// a goes there, so that clamps propagate NaN.
		f := pick(ctx.VMAXPS, ctx.VMAXPD)
		if in.op == opMin {
			f = pick(ctx.VMINPS, ctx.VMINPD)
		}
		dst := ctx.YMM()
		f(e.op(regs, a), e.reg(regs, b), dst)
		regs[v] = dst
	case opAnd:
		binary(pick(ctx.VANDPS, ctx.VANDPD), true)
	case opOr:
		binary(pick(ctx.VORPS, ctx.VORPD), true)
	case opXor:
		binary(pick(ctx.VXORPS, ctx.VXORPD), true)
	case opAndNot:
		binary(pick(ctx.VANDNPS, ctx.VANDNPD), false)
	case opIAdd:
		binary(pick(ctx.VPADDD, ctx.VPADDQ), true)
	case opIShl:
		dst := ctx.YMM()
		pick(ctx.VPSLLD, ctx.VPSLLQ)(operand.U8(in.imm), e.reg(regs, a), dst)
		regs[v] = dst
	case opIShr:
		dst := ctx.YMM()
		pick(ctx.VPSRLD, ctx.VPSRLQ)(operand.U8(in.imm), e.reg(regs, a), dst)
		regs[v] = dst
	case opSqrt:
		dst := ctx.YMM()
		pick(ctx.VSQRTPS, ctx.VSQRTPD)(e.op(regs, a), dst)
		regs[v] = dst
	case opRcp:
		dst := ctx.YMM()
		ctx.VRCPPS(e.op(regs, a), dst)
		regs[v] = dst
	case opCmp:
		pred := in.imm
		if e.isMem(a) {
			a, b = b, a
			pred = swapPred(pred)
		}
		dst := ctx.YMM()
		pick(ctx.VCMPPS, ctx.VCMPPD)(operand.U8(pred), e.op(regs, b), e.reg(regs, a), dst)
		regs[v] = dst
	case opBlend:
		dst := ctx.YMM()
		if f32 {
			ctx.VBLENDVPS(e.reg(regs, a), e.op(regs, b), e.reg(regs, c), dst)
		} else {
			ctx.VBLENDVPD(e.reg(regs, a), e.op(regs, b), e.reg(regs, c), dst)
		}
		regs[v] = dst
	case opFMA, opFNMA, opFMS:
		e.fma(regs, v, in)
	default:
		panic(fmt.Sprintf("asm: no instruction for %v", in.op))
	}
}

// fma emits a·b ± c in one of the forms
//
//	213: dst = dst·s + m    231: dst = s·m + dst    132: dst = dst·m + s
//
// (m may be memory), choosing the one that needs the fewest moves and loads:
// the destination is overwritten, so it is a copy of its source unless that
// value dies here.
func (e *emitter) fma(regs []reg.VecVirtual, v value, in inst) {
	ctx := e.ctx
	f32 := e.w == F32
	a, b, c := in.args[0], in.args[1], in.args[2]
	type forms struct{ f213, f231, f132 func(...operand.Op) }
	var fs forms
	switch {
	case in.op == opFMA && f32:
		fs = forms{ctx.VFMADD213PS, ctx.VFMADD231PS, ctx.VFMADD132PS}
	case in.op == opFMA:
		fs = forms{ctx.VFMADD213PD, ctx.VFMADD231PD, ctx.VFMADD132PD}
	case in.op == opFNMA && f32:
		fs = forms{ctx.VFNMADD213PS, ctx.VFNMADD231PS, ctx.VFNMADD132PS}
	case in.op == opFNMA:
		fs = forms{ctx.VFNMADD213PD, ctx.VFNMADD231PD, ctx.VFNMADD132PD}
	case in.op == opFMS && f32:
		fs = forms{ctx.VFMSUB213PS, ctx.VFMSUB231PS, ctx.VFMSUB132PS}
	default:
		fs = forms{ctx.VFMSUB213PD, ctx.VFMSUB231PD, ctx.VFMSUB132PD}
	}
	type option struct {
		f         func(...operand.Op)
		dst, s, m value
	}
	// a·b is commutative; the addend is c.
	options := []option{
		{fs.f213, a, b, c}, {fs.f213, b, a, c},
		{fs.f231, c, a, b}, {fs.f231, c, b, a},
		{fs.f132, a, c, b}, {fs.f132, b, c, a},
	}
	cost := func(o option) int {
		k := 0
		if !e.dies(o.dst, v) {
			k++ // a move
		}
		if e.isMem(o.s) {
			k++ // a load
		}
		return k
	}
	best := options[0]
	for _, o := range options[1:] {
		if cost(o) < cost(best) {
			best = o
		}
	}
	var dst reg.VecVirtual
	if e.dies(best.dst, v) {
		dst = regs[best.dst]
	} else {
		dst = e.copyOf(regs, best.dst)
	}
	best.f(e.op(regs, best.m), e.reg(regs, best.s), dst)
	regs[v] = dst
}

// dies reports whether value u is in a register of its own (not a
// constant or parameter) and has its last use in instruction v.
func (e *emitter) dies(u, v value) bool {
	switch e.prog.insts[u].op {
	case opConst, opParam:
		return false
	}
	return !e.isMem(u) && e.lastUse[u] == v
}

// pruneSelfMoves drops vector moves whose source and destination got the
// same register (avo prunes only general-purpose ones).
func pruneSelfMoves(fn *ir.Function) {
	nodes := fn.Nodes[:0]
	for _, n := range fn.Nodes {
		if i, ok := n.(*ir.Instruction); ok && i.Opcode == "VMOVUPS" && len(i.Operands) == 2 {
			r0, ok0 := i.Operands[0].(reg.Register)
			r1, ok1 := i.Operands[1].(reg.Register)
			if ok0 && ok1 && r0.Asm() == r1.Asm() {
				continue
			}
		}
		nodes = append(nodes, n)
	}
	fn.Nodes = nodes
}

// swapPred returns the predicate P' with b P' a ⇔ a P b.
func swapPred(p int) int {
	switch p {
	case cmpLT:
		return cmpGT
	case cmpGT:
		return cmpLT
	case cmpLE:
		return cmpGE
	case cmpGE:
		return cmpLE
	case cmpNLEUQ:
		return cmpNGEUQ
	case cmpNGEUQ:
		return cmpNLEUQ
	case cmpNLTUQ:
		return cmpNGTUQ
	case cmpNGTUQ:
		return cmpNLTUQ
	}
	return p // symmetric: EQ, EQ_UQ, NEQ, UNORD
}

// check rejects what assembles but cannot run here: vector registers above
// 15 (AVX-512 only), AVX-512 instructions, and a RET not preceded by
// VZEROUPPER.
func check(fn *ir.Function) error {
	for _, isa := range fn.ISA {
		if !allowedISA[isa] {
			return fmt.Errorf("uses %s", isa)
		}
	}
	var prev *ir.Instruction
	for _, i := range fn.Instructions() {
		for _, o := range append(append([]operand.Op{}, i.Inputs...), i.Outputs...) {
			for _, r := range operand.Registers(o) {
				if p := reg.ToPhysical(r); p != nil {
					name := p.Asm()
					if name[0] == 'K' || (name[0] == 'X' || name[0] == 'Y' || name[0] == 'Z') && physIndex(p) >= 16 {
						return fmt.Errorf("register %s needs AVX-512 (more than 16 live vectors)", name)
					}
				}
			}
		}
		if i.Opcode == "RET" && (prev == nil || prev.Opcode != "VZEROUPPER") {
			return fmt.Errorf("RET without VZEROUPPER")
		}
		prev = i
	}
	return nil
}

func physIndex(p reg.Physical) int {
	return int(p.PhysicalIndex())
}
