package asm

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// Width is the lane type of a kernel: float32 (8 lanes) or float64 (4 lanes).
type Width int

const (
	F32 Width = iota
	F64
)

// Lanes is the number of elements in one 256-bit vector.
func (w Width) Lanes() int {
	if w == F32 {
		return 8
	}
	return 4
}

// Size is the size of one element in bytes.
func (w Width) Size() int { return 32 / w.Lanes() }

func (w Width) String() string {
	if w == F32 {
		return "f32"
	}
	return "f64"
}

// round rounds v to the lane type.
func (w Width) round(v float64) float64 {
	if w == F32 {
		return float64(float32(v))
	}
	return v
}

// vop is an operation of the vector SSA.
type vop uint8

const (
	opX     vop = iota // the input vector x
	opDY               // the incoming gradient dy
	opParam            // a kernel parameter, broadcast; imm is its index
	opConst            // a 32-byte constant; imm is its index in the pool
	opAdd
	opSub
	opMul
	opDiv
	opMax  // max(a, b), NaN when a is NaN (a goes where x86 returns it)
	opMin  // min(a, b), NaN when a is NaN
	opFMA  // a*b + c
	opFNMA // c - a*b
	opFMS  // a*b - c
	opSqrt
	opRcp // approximate reciprocal (float32 only)
	opAnd
	opAndNot // ^a & b
	opOr
	opXor
	opCmp   // a PRED b, imm is the VCMPPS predicate
	opBlend // a ? b : c, lane by lane on a's sign bit (compare masks)
	opIAdd  // lane-wise integer add (32- or 64-bit lanes)
	opIShl  // integer shift left by imm
	opIShr  // logical integer shift right by imm
)

var vopNames = [...]string{"x", "dy", "param", "const", "add", "sub", "mul", "div", "max", "min",
	"fma", "fnma", "fms", "sqrt", "rcp", "and", "andnot", "or", "xor", "cmp", "blend",
	"iadd", "ishl", "ishr"}

func (o vop) String() string { return vopNames[o] }

// commutative ops may swap a and b to put a constant where x86 takes memory.
func (o vop) commutative() bool {
	switch o {
	case opAdd, opMul, opAnd, opOr, opXor, opIAdd:
		return true
	}
	return false
}

// VCMPPS predicates (ordered, quiet unless named otherwise).
const (
	cmpEQ    = 0x00
	cmpLT    = 0x11
	cmpLE    = 0x12
	cmpUNORD = 0x03
	cmpNEQ   = 0x0c // NEQ_OQ
	cmpGE    = 0x1d
	cmpGT    = 0x1e

	// True where an operand is NaN, like their negations (quiet).
	cmpEQUQ  = 0x08
	cmpNLTUQ = 0x15 // !(a < b): a >= b
	cmpNLEUQ = 0x16 // !(a <= b): a > b
	cmpNGEUQ = 0x19 // !(a >= b): a < b
	cmpNGTUQ = 0x1a // !(a > b): a <= b
)

// value names one SSA value of a Prog.
type value int32

// inst is one SSA instruction; unused arguments are -1.
type inst struct {
	op   vop
	args [3]value
	imm  int
}

// Prog is the vector program of one kernel body: it maps the input vectors to
// one output vector. Instructions are in a valid evaluation order.
type Prog struct {
	W     Width
	insts []inst
	out   value
	// check, unless none, is a lane mask of results the vector code cannot
	// deliver within budget (see tailCheck); the kernel stops before such a
	// vector and leaves it to the portable kernel.
	check value
	// fast marks a kernel's fast program: the block loop runs it, and any
	// lane set in one of its flags (see Prog.exp) sends the vector to the
	// exact program instead.
	fast  bool
	flags []value
	// guarded says an exp flagged lanes (the others flag NaN).
	guarded bool
	// estrin selects Estrin's scheme for the primitives' polynomials.
	useEstrin bool
	// wide marks a float64 program whose results are rounded to float32 (see
	// Variant.Wide): its cores are fitted for float32's needs, and it needs
	// neither two-float arguments nor the tiny check.
	wide bool
	cse  map[inst]value
	pool *Pool
}

// newProg starts an empty program whose constants go to pool.
func newProg(w Width, pool *Pool) *Prog {
	return &Prog{W: w, cse: map[inst]value{}, pool: pool, check: none}
}

func (p *Prog) add(op vop, imm int, args ...value) value {
	in := inst{op: op, imm: imm, args: [3]value{-1, -1, -1}}
	copy(in.args[:], args)
	if op.commutative() && in.args[0] > in.args[1] {
		in.args[0], in.args[1] = in.args[1], in.args[0]
	}
	if v, ok := p.cse[in]; ok {
		return v
	}
	p.insts = append(p.insts, in)
	v := value(len(p.insts) - 1)
	p.cse[in] = v
	return v
}

// flag adds mask to the fast program's flags.
func (p *Prog) flag(mask value) { p.flags = append(p.flags, mask) }

// flagOnce adds mask to the flags unless it is there: a primitive lowered
// twice for one argument (exp and expPair) shares its instructions.
func (p *Prog) flagOnce(mask value) {
	if !slices.Contains(p.flags, mask) {
		p.flag(mask)
	}
}

// sendsVectors reports whether p, run by a block loop, marks vectors to be
// redone one at a time by the exact program: lanes it flags, or lanes the
// exact program hands back.
func (p *Prog) sendsVectors() bool { return len(p.flags) > 0 || p.check != none }

// constVal returns the constant value of v and whether it is a broadcast constant.
func (p *Prog) constVal(v value) (float64, bool) {
	in := p.insts[v]
	if in.op != opConst {
		return 0, false
	}
	return p.pool.consts[in.imm].scalar()
}

func (p *Prog) x() value             { return p.add(opX, 0) }
func (p *Prog) dy() value            { return p.add(opDY, 0) }
func (p *Prog) param(i int) value    { return p.add(opParam, i) }
func (p *Prog) sub(a, b value) value { return p.add(opSub, 0, a, b) }
func (p *Prog) div(a, b value) value { return p.add(opDiv, 0, a, b) }
func (p *Prog) max(a, b value) value { return p.add(opMax, 0, a, b) }
func (p *Prog) min(a, b value) value { return p.add(opMin, 0, a, b) }
func (p *Prog) and(a, b value) value { return p.add(opAnd, 0, a, b) }
func (p *Prog) or(a, b value) value  { return p.add(opOr, 0, a, b) }
func (p *Prog) xor(a, b value) value { return p.add(opXor, 0, a, b) }

// andNot is ^a & b.
func (p *Prog) andNot(a, b value) value { return p.add(opAndNot, 0, a, b) }

// fma is a*b + c, fnma c - a*b, fms a*b - c, each rounded once.
func (p *Prog) fma(a, b, c value) value  { return p.add(opFMA, 0, a, b, c) }
func (p *Prog) fnma(a, b, c value) value { return p.add(opFNMA, 0, a, b, c) }
func (p *Prog) fms(a, b, c value) value  { return p.add(opFMS, 0, a, b, c) }

func (p *Prog) sqrt(a value) value { return p.add(opSqrt, 0, a) }
func (p *Prog) rcp(a value) value  { return p.add(opRcp, 0, a) }

func (p *Prog) cmp(pred int, a, b value) value { return p.add(opCmp, pred, a, b) }

// blend is mask ? a : b.
func (p *Prog) blend(mask, a, b value) value {
	if a == b {
		return a
	}
	return p.add(opBlend, 0, mask, a, b)
}

func (p *Prog) iadd(a, b value) value     { return p.add(opIAdd, 0, a, b) }
func (p *Prog) ishl(a value, n int) value { return p.add(opIShl, n, a) }
func (p *Prog) ishr(a value, n int) value { return p.add(opIShr, n, a) }
func (p *Prog) addv(a, b value) value     { return p.simplify(opAdd, a, b) }
func (p *Prog) mul(a, b value) value      { return p.simplify(opMul, a, b) }
func (p *Prog) neg(a value) value         { return p.xor(a, p.signMask()) }
func (p *Prog) abs(a value) value         { return p.andNot(p.signMask(), a) }
func (p *Prog) signMask() value           { return p.c(math.Copysign(0, -1)) }
func (p *Prog) signOf(a value) value      { return p.and(a, p.signMask()) }
func (p *Prog) isNaN(a value) value       { return p.cmp(cmpUNORD, a, a) }
func (p *Prog) less(a, b value) value     { return p.cmp(cmpLT, a, b) }
func (p *Prog) c(v float64) value         { return p.add(opConst, p.pool.scalar(p.W, v)) }
func (p *Prog) bits(b uint64) value       { return p.add(opConst, p.pool.bits(p.W, b)) }
func (p *Prog) simplify(op vop, a, b value) value {
	av, aok := p.constVal(a)
	bv, bok := p.constVal(b)
	switch {
	case op == opMul && aok && av == 1:
		return b
	case op == opMul && bok && bv == 1:
		return a
	case op == opAdd && aok && av == 0 && !math.Signbit(av):
		return b
	case op == opAdd && bok && bv == 0 && !math.Signbit(bv):
		return a
	case aok && bok:
		if op == opMul {
			return p.c(p.W.round(av * bv))
		}
		return p.c(p.W.round(av + bv))
	}
	return p.add(op, 0, a, b)
}

// Pool holds the 32-byte constants of a file, deduplicated; the kernels
// address them as memory operands.
type Pool struct {
	consts []vconst
	index  map[vconst]int
}

// NewPool returns an empty constant pool.
func NewPool() *Pool { return &Pool{index: map[vconst]int{}} }

// vconst is a constant vector: its bytes and its lane width (for scalar()).
type vconst struct {
	data [32]byte
	w    Width
	bc   bool // broadcast of one lane
}

func (c vconst) scalar() (float64, bool) {
	if !c.bc {
		return 0, false
	}
	if c.w == F32 {
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(c.data[:]))), true
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(c.data[:])), true
}

func (pl *Pool) intern(c vconst) int {
	if i, ok := pl.index[c]; ok {
		return i
	}
	pl.consts = append(pl.consts, c)
	pl.index[c] = len(pl.consts) - 1
	return len(pl.consts) - 1
}

// scalar interns v rounded to w, broadcast to every lane.
func (pl *Pool) scalar(w Width, v float64) int {
	if w == F32 {
		return pl.bits(w, uint64(math.Float32bits(float32(v))))
	}
	return pl.bits(w, math.Float64bits(v))
}

// bits interns a lane bit pattern broadcast to every lane.
func (pl *Pool) bits(w Width, b uint64) int {
	c := vconst{w: w, bc: true}
	for i := 0; i < 32; i += w.Size() {
		if w == F32 {
			binary.LittleEndian.PutUint32(c.data[i:], uint32(b))
		} else {
			binary.LittleEndian.PutUint64(c.data[i:], b)
		}
	}
	return pl.intern(c)
}

// lanesInt interns integer lanes (32- or 64-bit) with the given values.
func (pl *Pool) lanesInt(w Width, vals []int64) int {
	c := vconst{w: w}
	for i, v := range vals {
		if w == F32 {
			binary.LittleEndian.PutUint32(c.data[4*i:], uint32(v))
		} else {
			binary.LittleEndian.PutUint64(c.data[8*i:], uint64(v))
		}
	}
	return pl.intern(c)
}

// iota interns the lane indices 0, 1, ... as integers (for tail masks).
func (pl *Pool) iota(w Width) int {
	vals := make([]int64, w.Lanes())
	for i := range vals {
		vals[i] = int64(i)
	}
	return pl.lanesInt(w, vals)
}

// symbol is the assembly name of constant i.
func (pl *Pool) symbol(i int) string { return fmt.Sprintf("actc%d", i) }
