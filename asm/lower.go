package asm

import (
	"fmt"
	"math"

	"github.com/actgen/actgen/formula"
	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/ref"
	"github.com/actgen/actgen/spec"
)

// UnsupportedError says that a kernel calls a primitive the vector backend
// does not implement; such kernels keep their portable implementation only.
type UnsupportedError struct{ Primitive string }

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("the AVX2 backend has no vector %s", e.Primitive)
}

// magnifying primitives turn a relative argument error δ into |u|·δ or worse;
// their arguments are lowered as two-float pairs unless exact.
var magnifying = map[string]bool{"exp": true, "expm1": true, "logistic": true, "erfc": true}

// lowerer builds the Prog of one kernel body.
type lowerer struct {
	p      *Prog
	k      *kernel.Kernel
	params map[string]int
	div    divider
	memo   map[*formula.Node]value
	// tiny stands in for memo in the tiny check where a tiny maker was
	// lowered inside a product (see times): a value as small as the tiny
	// maker's.
	tiny map[*formula.Node]value
	// defaultBudget says the entry keeps the default float32 budget of the
	// direction lowered (see timesQuotient).
	defaultBudget bool
}

// lowerKernel builds the vector program of k's forward function (or, when
// backward, of dy·f'(x)) for lane type w, with divisions lowered by d.
//
// estrin evaluates the primitives' polynomials by Estrin's scheme rather
// than Horner's. fast builds the kernel's fast program (see Prog.exp), or
// nil when it would be the exact one.
func lowerKernel(k *kernel.Kernel, w Width, backward bool, d divider, pool *Pool, estrin, fast bool) (*Prog, error) {
	return lowerProg(k, w, false, backward, d, pool, estrin, fast)
}

// lowerWide builds the float64 program of k's float32 kernel (see
// Variant.Wide).
func lowerWide(k *kernel.Kernel, backward bool, pool *Pool, estrin, fast bool) (*Prog, error) {
	return lowerProg(k, F64, true, backward, divide, pool, estrin, fast)
}

func lowerProg(k *kernel.Kernel, w Width, wide, backward bool, d divider, pool *Pool, estrin, fast bool) (*Prog, error) {
	l := &lowerer{p: newProg(w, pool), k: k, params: map[string]int{}, div: d, memo: map[*formula.Node]value{}, tiny: map[*formula.Node]value{}}
	l.p.useEstrin = estrin
	l.p.wide = wide
	l.defaultBudget = k.Entry.ULP.F32 <= spec.DefaultBudget.F32
	if backward {
		l.defaultBudget = k.Entry.ULP.F32Backward <= spec.DefaultBudget.F32Backward
	}
	l.p.fast = fast
	for i, name := range k.Params() {
		l.params[name] = i
	}
	n, lim, free := k.StableForward, k.ForwardLimits, k.LimitsParamFree[0]
	if backward {
		n, lim, free = k.StableDerivative, k.DerivativeLimits, k.LimitsParamFree[1]
	}
	if fast && wide {
		// erfc's clamp is no exp guard below float64's normal range: the
		// lanes where the result rounds to ±0 go to the exact program.
		// Flagged first, x need not stay in a register for them.
		beyond, err := l.beyondMasks(backward, nil)
		if err != nil {
			return nil, err
		}
		for _, b := range beyond {
			l.p.flag(b)
		}
	}
	v, err := l.lower(n)
	if err != nil {
		return nil, err
	}
	p := l.p
	x := p.x()
	if backward {
		for _, pt := range k.DerivativePatches {
			v = p.patch(pt, v)
		}
	}
	if fast {
		// The fast program leaves NaN results and NaN inputs (which
		// exactEnds blends) to the exact program, and keeps no lane whose
		// tiny makers went below subnormalGuard (see guardLo): it needs
		// neither the tiny check nor the zero tails.
		if free && rangeOf(n).nan {
			p.flag(p.isNaN(v))
		}
		if !propagatesNaN(n) {
			p.flag(p.isNaN(x))
		}
		if len(p.flags) == 0 {
			return nil, nil // it would be the exact program
		}
	} else if v, err = l.exactEnds(v, n, backward, lim, free); err != nil {
		return nil, err
	}
	if backward {
		v = p.mul(p.dy(), v)
	}
	p.out = v
	return p, nil
}

// exactEnds finishes the exact program's value v of formula n: the limits
// where intermediates give NaN (free: lim holds whatever the parameters),
// NaN inputs, and the tiny check (p.check) with the zero tails.
func (l *lowerer) exactEnds(v value, n *formula.Node, backward bool, lim [2]float64, free bool) (value, error) {
	p, w := l.p, l.p.W
	x := p.x()
	fixed := false
	if free && rangeOf(n).nan {
		// ∞·0 and ∞/∞ inside the formula (x·logistic(x) at -Inf) give NaN
		// where the function has a limit: take it.
		v = p.blend(p.isNaN(v), p.blend(x, p.c(lim[0]), p.c(lim[1])), v)
		fixed = true
	}
	if fixed || !propagatesNaN(n) {
		v = p.blend(p.isNaN(x), x, v)
	}
	factors := tinyFactors(n)
	if len(factors) == 0 {
		return v, nil
	}
	// The lanes at risk: a tiny result where some tiny maker's value has
	// left the normal range and lost significant bits. A tiny result from
	// normal intermediates is as accurate as any other (gelu_tanh at x =
	// -9.5 is 2^-110 from σ ≈ 2^-107), and handing those lanes back made
	// gelu_tanh 1.6× slower on inputs in [-10, 10]. A wide program's
	// float64 tiny makers keep their bits far below the float32 range: it
	// has no such lanes.
	check := none
	if !p.wide {
		sub := none
		for _, t := range factors {
			tv, ok := l.tiny[t]
			if !ok {
				tv, ok = l.memo[t]
			}
			if !ok {
				return none, fmt.Errorf("tiny maker %s was not lowered", t)
			}
			s := p.less(p.abs(tv), p.c(subnormalGuard(w)))
			if sub == none {
				sub = s
			} else {
				sub = p.or(sub, s)
			}
		}
		check = p.and(p.less(p.abs(v), p.c(tinyThreshold(w))), sub)
	}
	v, beyond, err := l.zeroBeyond(v, backward)
	if err != nil {
		return none, err
	}
	for _, b := range beyond {
		if check != none {
			check = p.andNot(b, check)
		}
	}
	p.check = check
	return v, nil
}

// zeroBeyond gives ±0 (the sign of v; ±0 count alike) where x lies beyond
// the bounds past which the result rounds to ±0 for every input, for
// kernels without parameters, and returns those lanes' masks: the exact
// program then need not hand them back, which for float32 would be a
// quarter of all inputs, and a wide program gets 0 instead of erfc's
// clamped value times an infinite x.
func (l *lowerer) zeroBeyond(v value, backward bool) (value, []value, error) {
	masks, err := l.beyondMasks(backward, func(m value) { v = l.p.blend(m, l.p.signOf(v), v) })
	if err != nil {
		return none, nil, err
	}
	return v, masks, nil
}

// beyondMasks returns the lanes of x beyond the bounds past which the
// result rounds to ±0 for every input (none for kernels with parameters or
// without tiny makers), calling each on every mask as soon as it is built.
func (l *lowerer) beyondMasks(backward bool, each func(value)) ([]value, error) {
	p, k := l.p, l.k
	if len(k.Params()) > 0 || len(tinyFactors(l.stable(backward))) == 0 {
		return nil, nil
	}
	format := ref.Float32
	if p.W == F64 && !p.wide {
		format = ref.Float64
	}
	zb, err := k.ZeroBeyond(backward, format)
	if err != nil {
		return nil, err
	}
	var masks []value
	x := p.x()
	for side, bound := range zb {
		if bound == 0 {
			continue
		}
		beyond := p.cmp(cmpLE, x, p.c(-bound))
		if side == 1 {
			beyond = p.cmp(cmpGE, x, p.c(bound))
		}
		masks = append(masks, beyond)
		if each != nil {
			each(beyond)
		}
	}
	return masks, nil
}

// stable is the formula lowered: k's stable forward or derivative.
func (l *lowerer) stable(backward bool) *formula.Node {
	if backward {
		return l.k.StableDerivative
	}
	return l.k.StableForward
}

// tinyMakers are the primitives whose value underflows gradually for large
// arguments.
var tinyMakers = map[string]bool{"exp": true, "logistic": true, "erfc": true}

// tinyFactors returns, each once, the tiny-maker calls inside the factors
// of a product of a value that can be tiny (it contains a tiny maker) and
// one that grows with x: x·σ(x) at x = -90 is x times a subnormal, whose few
// significant bits the product magnifies into hundreds of ulps, and the
// tails of such products are also where the primitives' errors add up. The
// vector kernels hand those lanes to the portable kernel (which computes in
// float64, with an unbounded exponent for float64 results).
func tinyFactors(n *formula.Node) []*formula.Node {
	var out []*formula.Node
	seen := map[*formula.Node]bool{}
	collect := func(f *formula.Node) {
		formula.Walk(f, func(m *formula.Node) {
			if m.Kind == formula.Call && tinyMakers[m.Name] && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		})
	}
	formula.Walk(n, func(m *formula.Node) {
		if m.Kind != formula.Mul {
			return
		}
		a, b := hasTinyMaker(m.Args[0]), hasTinyMaker(m.Args[1])
		if a && !b && magnifies(m.Args[1]) {
			collect(m.Args[0])
		}
		if b && !a && magnifies(m.Args[0]) {
			collect(m.Args[1])
		}
	})
	return out
}

// magnifies reports whether a factor may scale a subnormal's rounding error
// up to more than one ulp of the product: one that grows with x, or a
// constant above 1 in magnitude (tanh′ = 4·z/(1 + z)², z = e^-2|x|, is 2 ULPs
// off at x = 44 from z's rounding alone).
func magnifies(f *formula.Node) bool {
	if f.HasX() || !f.IsConstExpr() {
		return true // parameters may be large too
	}
	return math.Abs(formula.Eval64(f, 0, nil)) > 1
}

func hasTinyMaker(n *formula.Node) bool {
	found := false
	formula.Walk(n, func(m *formula.Node) { found = found || m.Kind == formula.Call && tinyMakers[m.Name] })
	return found
}

// tinyThreshold is the magnitude below which results go to the portable
// kernel when a tiny maker's value is also below subnormalGuard: products
// with x of a subnormal keep only its few significant bits.
func tinyThreshold(w Width) float64 {
	if w == F32 {
		return 0x1p-100
	}
	return 0x1p-960
}

// subnormalGuard is the magnitude below which a tiny maker's value counts as
// having lost bits: 2^4 above the smallest normal, so that the error of a
// value just above it, magnified by x, stays below a tenth of an ULP.
func subnormalGuard(w Width) float64 {
	if w == F32 {
		return 0x1p-122
	}
	return 0x1p-1018
}

// facts are what may happen to a subexpression's value for non-NaN x.
type facts struct{ inf, zero, nan bool }

// rangeOf tells whether n may be infinite, zero or NaN (∞·0, ∞-∞, 0/0,
// ∞/∞) for some non-NaN x, so that the limit repair is emitted only where
// it can matter.
func rangeOf(n *formula.Node) facts {
	var a, b facts
	if len(n.Args) > 0 {
		a = rangeOf(n.Args[0])
	}
	if len(n.Args) > 1 {
		b = rangeOf(n.Args[1])
	}
	switch n.Kind {
	case formula.X:
		return facts{inf: true, zero: true}
	case formula.Const:
		return facts{zero: n.Val.Sign() == 0}
	case formula.Named:
		return facts{}
	case formula.Param:
		return facts{zero: true}
	case formula.Neg:
		return a
	case formula.Add, formula.Sub:
		return facts{inf: a.inf || b.inf, zero: true, nan: a.nan || b.nan || a.inf && b.inf}
	case formula.Mul:
		return facts{inf: a.inf || b.inf, zero: a.zero || b.zero, nan: a.nan || b.nan || a.inf && b.zero || a.zero && b.inf}
	case formula.Div:
		return facts{inf: true, zero: true, nan: a.nan || b.nan || a.zero && b.zero || a.inf && b.inf}
	case formula.Select:
		c := rangeOf(n.Args[2])
		b = rangeOf(n.Args[1])
		return facts{inf: b.inf || c.inf, zero: b.zero || c.zero, nan: b.nan || c.nan}
	case formula.Call:
		nan := a.nan || b.nan
		switch n.Name {
		case "logistic", "tanh", "erfc", "erf":
			return facts{zero: true, nan: nan}
		case "abs":
			return a
		case "min", "max":
			return facts{inf: a.inf || b.inf, zero: true, nan: nan}
		}
		return facts{inf: true, zero: true, nan: nan || n.Name == "log" || n.Name == "sqrt"}
	}
	return facts{inf: true, zero: true, nan: true}
}

// propagatesNaN reports whether the vector code of n turns a NaN x into
// NaN by itself, so the final blend of NaN inputs can be left out: the
// arithmetic does, the primitives implemented with NaN-propagating clamps do,
// and a select does through the branch an ordered comparison with NaN picks.
func propagatesNaN(n *formula.Node) bool {
	switch n.Kind {
	case formula.X:
		return true
	case formula.Neg:
		return propagatesNaN(n.Args[0])
	case formula.Add, formula.Sub, formula.Mul, formula.Div:
		return propagatesNaN(n.Args[0]) || propagatesNaN(n.Args[1])
	case formula.Select:
		c := n.Args[0]
		if !cmpSeesNaN(c) {
			// The condition need not see the NaN: both branches must.
			return propagatesNaN(n.Args[1]) && propagatesNaN(n.Args[2])
		}
		return propagatesNaN(n.Args[1]) || propagatesNaN(n.Args[2]) // see nanTakesThen
	case formula.Call:
		switch n.Name {
		case "exp", "expm1", "logistic", "tanh", "erfc", "abs", "sqrt":
			return propagatesNaN(n.Args[0])
		case "max", "min":
			return propagatesNaN(n.Args[0]) // a takes NaN's place (emit.go)
		}
	}
	return false
}

func (l *lowerer) lower(n *formula.Node) (value, error) {
	if v, ok := l.memo[n]; ok {
		return v, nil
	}
	v, err := l.lowerNode(n)
	if err == nil {
		l.memo[n] = v
	}
	return v, err
}

func (l *lowerer) lowerNode(n *formula.Node) (value, error) {
	p := l.p
	if n.Kind != formula.X && n.IsConstExpr() {
		hi, _, err := l.constant(n)
		return p.c(hi), err
	}
	switch n.Kind {
	case formula.X:
		return p.x(), nil
	case formula.Param:
		i, ok := l.params[n.Name]
		if !ok {
			return none, fmt.Errorf("unknown parameter %s", n.Name)
		}
		return p.param(i), nil
	case formula.Neg:
		a, err := l.lower(n.Args[0])
		return p.neg(a), err
	case formula.Add, formula.Sub, formula.Mul, formula.Div:
		if v, ok, err := l.contract(n); ok || err != nil {
			return v, err
		}
		if a, b, ok, err := l.foldedProduct(n); ok || err != nil {
			return p.mul(a, b), err
		}
		if v, ok, err := l.timesQuotient(n); ok || err != nil {
			return v, err
		}
		if n.Kind == formula.Mul {
			y, f := n.Args[0], n.Args[1]
			if isLogistic(y) {
				y, f = f, y // the σ factor goes to times
			}
			v, err := l.lower(y)
			if err != nil {
				return none, err
			}
			return l.times(v, f)
		}
		a, b, err := l.operands(n)
		if err != nil {
			return none, err
		}
		switch n.Kind {
		case formula.Add:
			return p.addv(a, b), nil
		case formula.Sub:
			return p.sub(a, b), nil
		}
		if n.Kind == formula.Div && p.W == F32 && p.insts[a].op == opMul && pairedPrimitive(n.Args[0]) {
			return p.productQuotient(a, b, l.div), nil
		}
		if c, ok := p.constVal(b); ok && p.wide && c != 0 {
			// one rounding more than the quotient, far below float32's
			return p.mul(a, p.c(1/c)), nil
		}
		return l.div(p, a, b), nil
	case formula.Select:
		c, err := l.selectMask(n)
		if err != nil {
			return none, err
		}
		a, err := l.lower(n.Args[1])
		if err != nil {
			return none, err
		}
		b, err := l.lower(n.Args[2])
		if err != nil {
			return none, err
		}
		// A +0 branch is a mask: relu is one compare and one and.
		if v, ok := p.constVal(b); ok && v == 0 && !math.Signbit(v) {
			return p.and(c, a), nil
		}
		if v, ok := p.constVal(a); ok && v == 0 && !math.Signbit(v) {
			return p.andNot(c, b), nil
		}
		return p.blend(c, a, b), nil
	case formula.Call:
		return l.call(n)
	}
	return none, fmt.Errorf("cannot lower %s as a value", n)
}

// selectMask lowers the condition of select n as the blend mask.
func (l *lowerer) selectMask(n *formula.Node) (value, error) {
	if nanTakesThen(n) {
		return l.compare(n.Args[0], true)
	}
	return l.cond(n.Args[0])
}

// timesQuotient lowers a float32 product y·(a/b), y exact, or y·select(c,
// 1, a/b) (mish: x·tanh(softplus(x)) = x·N/(N + D)), as one quotient of two
// floats with its remainder taken back: y·a and b are evaluated as two
// floats (pair, the exp's own rounding included), q0 = fl(y·a)/fl(b), and
// q0 + (y·a - q0·b)/b, the remainder exact with an FMA and divided with
// VRCPPS. y·(a/b) rounded as written has five roundings besides the exp's
// (float32 mish: 5 ULPs over all inputs); this leaves the last (2 ULPs).
// It costs the time of the rest of the kernel over again (mish forward:
// 2.56×), so only an entry held to the default float32 budget pays for it:
// an entry whose spec relaxes the budget (ulp: {f32: 5} on mish) keeps the
// formula's roundings. float64 keeps its budget without it.
func (l *lowerer) timesQuotient(n *formula.Node) (value, bool, error) {
	p := l.p
	if p.W != F32 || n.Kind != formula.Mul || !l.defaultBudget {
		return none, false, nil
	}
	y, f := n.Args[0], n.Args[1]
	if !exact(y) {
		y, f = f, y
	}
	if !exact(y) {
		return none, false, nil
	}
	q, oneFirst := f, false
	if f.Kind == formula.Select && (f.Args[1].IsConst(1) || f.Args[2].IsConst(1)) {
		q, oneFirst = f.Args[2], true
		if f.Args[2].IsConst(1) {
			q, oneFirst = f.Args[1], false
		}
	}
	if q.Kind != formula.Div || q.Args[1].IsConstExpr() {
		return none, false, nil
	}
	num, err := l.pair(formula.Bin(formula.Mul, y, q.Args[0]))
	if err != nil {
		return none, true, err
	}
	den, err := l.pair(q.Args[1])
	if err != nil {
		return none, true, err
	}
	b := den.hi
	if den.lo != none {
		b = p.addv(b, den.lo)
	}
	v := p.pairQuotient(num, b, l.div)
	if f == q {
		return v, true, nil
	}
	c, err := l.selectMask(f)
	if err != nil {
		return none, true, err
	}
	yv, err := l.lower(y)
	if oneFirst {
		return p.blend(c, yv, v), true, err
	}
	return p.blend(c, v, yv), true, err
}

func (l *lowerer) call(n *formula.Node) (value, error) {
	p := l.p
	name := n.Name
	if magnifying[name] {
		arg, negate := n.Args[0], false
		if name == "logistic" && arg.Kind == formula.Neg {
			// σ(-u) shares e^-|u| with σ(u).
			arg, negate = arg.Args[0], true
		}
		a, err := l.magnified(arg)
		if err != nil {
			return none, err
		}
		switch name {
		case "exp":
			return p.exp(a, formula.IsNegAbs(arg))
		case "expm1":
			return p.expm1(a)
		case "logistic":
			return p.logistic(a, negate, l.div)
		case "erfc":
			return p.erfc(a)
		}
	}
	args := make([]value, len(n.Args))
	for i, a := range n.Args {
		if name == "abs" && a.Kind == formula.Neg {
			a = a.Args[0] // |-u| = |u|, shared
		}
		v, err := l.lower(a)
		if err != nil {
			return none, err
		}
		args[i] = v
	}
	switch name {
	case "abs":
		return p.abs(args[0]), nil
	case "min":
		return p.min(args[0], args[1]), nil
	case "max":
		return p.max(args[0], args[1]), nil
	case "sqrt":
		return p.sqrt(args[0]), nil
	case "tanh":
		return p.tanh(args[0], l.div)
	case "log1p", "log":
		return p.log1p(args[0], name == "log1p", !unitInterval(n.Args[0]), l.div)
	}
	return none, &UnsupportedError{name}
}

// unitInterval reports whether n is exp(-|u|) (or exp(-u) of a non-negative
// u), whose value lies in [0, 1]: log1p needs no special cases for it.
func unitInterval(n *formula.Node) bool {
	if n.Kind != formula.Call || n.Name != "exp" || n.Args[0].Kind != formula.Neg {
		return false
	}
	u := n.Args[0].Args[0]
	return u.Kind == formula.Call && u.Name == "abs"
}

// nanTakesThen reports whether select n lowers its comparison with the
// predicate that is true for unordered operands, so that a NaN x takes the
// then branch: when only that branch turns NaN into NaN and the comparison
// sees the NaN. relu = select(x > 0, x, 0) then needs no final NaN blend.
func nanTakesThen(n *formula.Node) bool {
	return cmpSeesNaN(n.Args[0]) && propagatesNaN(n.Args[1]) && !propagatesNaN(n.Args[2])
}

// cmpSeesNaN reports whether c is an ordered comparison with an operand
// that is NaN when x is, so that its predicate decides the NaN lanes.
func cmpSeesNaN(c *formula.Node) bool {
	return c.Kind == formula.Cmp && c.Name != "!=" && (propagatesNaN(c.Args[0]) || propagatesNaN(c.Args[1]))
}

// contract lowers a sum or difference with a product operand to one FMA:
// one rounding instead of two, and one instruction (the Horner forms of
// formula.Stabilize's fractions rely on it). When both operands are
// products, the second is fused.
func (l *lowerer) contract(n *formula.Node) (value, bool, error) {
	if n.Kind != formula.Add && n.Kind != formula.Sub {
		return none, false, nil
	}
	isProduct := func(m *formula.Node) bool { return m.Kind == formula.Mul && !m.IsConstExpr() }
	prod, other, op := n.Args[1], n.Args[0], opFNMA // other - a·b
	switch {
	case isProduct(prod) && n.Kind == formula.Add:
		op = opFMA
	case isProduct(prod):
	case isProduct(other):
		prod, other, op = other, prod, opFMS // a·b - other
		if n.Kind == formula.Add {
			op = opFMA
		}
	default:
		return none, false, nil
	}
	a, b, folded, err := l.foldedProduct(prod)
	if !folded && err == nil {
		if inner, s := prod.Args[0], prod.Args[1]; inner.Kind == formula.Mul && !inner.IsConstExpr() && selectsOne(s) {
			// (a·b)·select(c, e, 1) + other as a·(b·select) + other: where
			// the select is 1, b·1 is exact and a·b is not rounded apart
			// from the sum (gelu_tanh′'s x·u′·select(u > 0, z, 1)).
			prod = formula.Bin(formula.Mul, inner.Args[0], formula.Bin(formula.Mul, inner.Args[1], s))
		}
		a, b, err = l.operands(prod)
	}
	if err != nil {
		return none, true, err
	}
	c, err := l.lower(other)
	if err != nil {
		return none, true, err
	}
	return l.p.add(op, 0, a, b, c), true, nil
}

// pairedPrimitive says n has a magnifying primitive whose argument is
// evaluated as two floats (see pair), gelu_tanh′'s e^-|u|: its quotients
// take back their roundings (productQuotient) where silu′ and mish′, whose
// arguments are exact, already keep their budgets without the cost.
func pairedPrimitive(n *formula.Node) bool {
	found := false
	formula.Walk(n, func(m *formula.Node) {
		found = found || m.Kind == formula.Call && magnifying[m.Name] && !exact(m.Args[0]) && !m.Args[0].IsConstExpr()
	})
	return found
}

// selectsOne says n is a select with a branch equal to 1.
func selectsOne(n *formula.Node) bool {
	if n.Kind != formula.Select {
		return false
	}
	return n.Args[1].IsConst(1) || n.Args[2].IsConst(1)
}

// foldedProduct lowers a product (or quotient by constants) with two or more
// constant factors, such as gelu′'s 0.5·x·(2/√π·e/√2), as the product of its
// other factors, in order, times one constant: the constants' product
// evaluated exactly and rounded once, instead of a rounding (or a division)
// each. It returns the last multiplication's operands, so that contract can
// fuse it; ok is false, and nothing lowered, where there is nothing to fold.
func (l *lowerer) foldedProduct(n *formula.Node) (a, b value, ok bool, err error) {
	if n.Kind != formula.Mul && n.Kind != formula.Div {
		return none, none, false, nil
	}
	var vars []*formula.Node
	var consts *formula.Node
	nconst := 0
	var walk func(m *formula.Node, inverse bool)
	walk = func(m *formula.Node, inverse bool) {
		switch {
		case m.Kind == formula.Mul && !inverse:
			walk(m.Args[0], false)
			walk(m.Args[1], false)
		case m.Kind == formula.Div && !inverse && m.Args[1].IsConstExpr():
			walk(m.Args[0], false)
			walk(m.Args[1], true)
		case m.IsConstExpr():
			nconst++
			if inverse {
				m = formula.Bin(formula.Div, formula.Int(1), m)
			}
			if consts == nil {
				consts = m
			} else {
				consts = formula.Bin(formula.Mul, consts, m)
			}
		default:
			vars = append(vars, m)
		}
	}
	walk(n, false)
	if nconst < 2 || len(vars) == 0 {
		return none, none, false, nil
	}
	v, err := l.lower(vars[0])
	for _, f := range vars[1:] {
		if err != nil {
			break
		}
		v, err = l.times(v, f)
	}
	if err != nil {
		return none, none, true, err
	}
	c, err := l.lower(consts)
	return v, c, true, err
}

// times lowers y·f (y already lowered), a product with σ through
// scaledLogistic.
func (l *lowerer) times(y value, f *formula.Node) (value, error) {
	if isLogistic(f) {
		arg, negate := f.Args[0], false
		if arg.Kind == formula.Neg {
			arg, negate = arg.Args[0], true
		}
		a, err := l.magnified(arg)
		if err != nil {
			return none, err
		}
		v, tiny, err := l.p.scaledLogistic(y, a, negate, l.div)
		l.tiny[f] = tiny
		return v, err
	}
	w, err := l.lower(f)
	return l.p.mul(y, w), err
}

func isLogistic(n *formula.Node) bool {
	return n.Kind == formula.Call && n.Name == "logistic"
}

// operands lowers both arguments of n.
func (l *lowerer) operands(n *formula.Node) (a, b value, err error) {
	if a, err = l.lower(n.Args[0]); err != nil {
		return none, none, err
	}
	b, err = l.lower(n.Args[1])
	return a, b, err
}

// compare lowers the comparison n. With nanTrue it takes the quiet
// predicate that agrees with n on numbers and is true when an operand is
// NaN (a > b as not(a <= b)); otherwise the ordered one, false for NaN.
func (l *lowerer) compare(n *formula.Node, nanTrue bool) (value, error) {
	a, b, err := l.operands(n)
	if err != nil {
		return none, err
	}
	preds := map[string]int{"<": cmpLT, "<=": cmpLE, ">": cmpGT, ">=": cmpGE, "==": cmpEQ, "!=": cmpNEQ}
	if nanTrue {
		preds = map[string]int{">": cmpNLEUQ, ">=": cmpNLTUQ, "<": cmpNGEUQ, "<=": cmpNGTUQ, "==": cmpEQUQ}
	}
	pred, ok := preds[n.Name]
	switch {
	case n.Name == "!=":
		// NaN != NaN holds in Go; the final NaN blend decides NaN lanes anyway.
		pred = 0x04 // NEQ_UQ
	case !ok:
		return none, fmt.Errorf("cannot lower comparison %s", n.Name)
	}
	return l.p.cmp(pred, a, b), nil
}

func (l *lowerer) cond(n *formula.Node) (value, error) {
	p := l.p
	switch n.Kind {
	case formula.Cmp:
		return l.compare(n, false)
	case formula.And, formula.Or:
		a, err := l.cond(n.Args[0])
		if err != nil {
			return none, err
		}
		b, err := l.cond(n.Args[1])
		if err != nil {
			return none, err
		}
		if n.Kind == formula.And {
			return p.and(a, b), nil
		}
		return p.or(a, b), nil
	case formula.Not:
		a, err := l.cond(n.Args[0])
		if err != nil {
			return none, err
		}
		return p.xor(a, p.bits(math.MaxUint64)), nil
	}
	return none, fmt.Errorf("cannot lower %s as a condition", n)
}

// magnified lowers the argument of a magnifying primitive: as two floats
// (pair), except in a wide program, where float64's rounding of it, however
// magnified, stays far below float32's ulp.
func (l *lowerer) magnified(n *formula.Node) (pair, error) {
	if l.p.wide {
		v, err := l.lower(n)
		return pair{v, none}, err
	}
	return l.pair(n)
}

// pair lowers n as an unevaluated two-float sum, exactly where the inputs are
// exact: the argument of a magnifying primitive.
func (l *lowerer) pair(n *formula.Node) (pair, error) {
	p := l.p
	if exact(n) {
		v, err := l.lower(n)
		return pair{v, none}, err
	}
	if n.IsConstExpr() {
		hi, lo, err := l.constant(n)
		if lo == 0 {
			return pair{p.c(hi), none}, err
		}
		return pair{p.c(hi), p.c(lo)}, err
	}
	switch n.Kind {
	case formula.Neg:
		a, err := l.pair(n.Args[0])
		if a.lo != none {
			a.lo = p.neg(a.lo)
		}
		return pair{p.neg(a.hi), a.lo}, err
	case formula.Select:
		c, err := l.selectMask(n)
		if err != nil {
			return pair{}, err
		}
		a, err := l.pair(n.Args[1])
		if err != nil {
			return pair{}, err
		}
		b, err := l.pair(n.Args[2])
		if err != nil {
			return pair{}, err
		}
		if a.lo == none && b.lo == none {
			return pair{p.blend(c, a.hi, b.hi), none}, nil
		}
		zero := p.c(0)
		if a.lo == none {
			a.lo = zero
		}
		if b.lo == none {
			b.lo = zero
		}
		return pair{p.blend(c, a.hi, b.hi), p.blend(c, a.lo, b.lo)}, nil
	case formula.Call:
		if n.Name == "exp" {
			a, err := l.pair(n.Args[0])
			if err != nil {
				return pair{}, err
			}
			e, err := p.expPair(a, formula.IsNegAbs(n.Args[0]))
			l.memo[n] = e.hi // for the tiny check
			return e, err
		}
		if n.Name != "abs" {
			break
		}
		a, err := l.pair(n.Args[0])
		if a.lo != none {
			a.lo = p.xor(a.lo, p.signOf(a.hi)) // |hi + lo| = sign(hi)·(hi + lo)
		}
		return pair{p.abs(a.hi), a.lo}, err
	case formula.Add, formula.Sub, formula.Mul, formula.Div:
		if n.Kind == formula.Div && n.Args[1].IsConstExpr() {
			// a/c is a times the two-float 1/c: no division.
			return l.pair(formula.Bin(formula.Mul, n.Args[0], formula.Bin(formula.Div, formula.Int(1), n.Args[1])))
		}
		a, err := l.pair(n.Args[0])
		if err != nil {
			return pair{}, err
		}
		b, err := l.pair(n.Args[1])
		if err != nil {
			return pair{}, err
		}
		switch n.Kind {
		case formula.Add:
			return p.twoAdd(a, b), nil
		case formula.Sub:
			if b.lo != none {
				b.lo = p.neg(b.lo)
			}
			return p.twoAdd(a, pair{p.neg(b.hi), b.lo}), nil
		case formula.Mul:
			return p.twoMul(a, b), nil
		}
		return p.twoDiv(a, b), nil
	}
	v, err := l.lower(n)
	return pair{v, none}, err
}

// exact reports whether n's value in floating point is exact: x, ±x, |x| and
// power-of-two multiples of them (barring overflow).
func exact(n *formula.Node) bool {
	switch n.Kind {
	case formula.X:
		return true
	case formula.Neg:
		return exact(n.Args[0])
	case formula.Call:
		return n.Name == "abs" && exact(n.Args[0])
	case formula.Mul:
		a, b := n.Args[0], n.Args[1]
		if a.Kind == formula.Const {
			a, b = b, a
		}
		return b.Kind == formula.Const && formula.IsPow2(b.Val) && exact(a)
	}
	return false
}

// constant folds a constant subexpression into its value rounded to the
// lane type and the rounded remainder.
func (l *lowerer) constant(n *formula.Node) (hi, lo float64, err error) {
	format := ref.Float64
	if l.p.W == F32 {
		format = ref.Float32
	}
	return ref.Split(n, format)
}

// twoAdd is the sum of two pairs: Knuth's two-sum of the high parts plus the
// low parts.
func (p *Prog) twoAdd(a, b pair) pair {
	s := p.addv(a.hi, b.hi)
	bb := p.sub(s, a.hi)
	e := p.addv(p.sub(a.hi, p.sub(s, bb)), p.sub(b.hi, bb))
	if a.lo != none {
		e = p.addv(e, a.lo)
	}
	if b.lo != none {
		e = p.addv(e, b.lo)
	}
	return pair{s, e}
}

// twoMul is the product of two pairs; the FMA gives the product's error.
func (p *Prog) twoMul(a, b pair) pair {
	if _, ok := p.constVal(a.hi); ok {
		a, b = b, a
	}
	if c, ok := p.constVal(b.hi); ok && b.lo == none && pow2f(c) {
		// scaling by a power of two is exact
		lo := a.lo
		if lo != none {
			lo = p.mul(lo, b.hi)
		}
		return pair{p.mul(a.hi, b.hi), lo}
	}
	h := p.mul(a.hi, b.hi)
	e := p.fms(a.hi, b.hi, h)
	if b.lo != none {
		e = p.fma(a.hi, b.lo, e)
	}
	if a.lo != none {
		e = p.fma(a.lo, b.hi, e)
	}
	return pair{h, e}
}

// twoDiv is a/b to about twice the lane precision: the remainder of the
// rounded quotient is exact with an FMA.
func (p *Prog) twoDiv(a, b pair) pair {
	q := p.div(a.hi, b.hi)
	r := p.fnma(q, b.hi, a.hi)
	if a.lo != none {
		r = p.addv(r, a.lo)
	}
	if b.lo != none {
		r = p.fnma(q, b.lo, r)
	}
	return pair{q, p.div(r, b.hi)}
}

func pow2f(c float64) bool {
	if c == 0 || math.IsInf(c, 0) || math.IsNaN(c) {
		return false
	}
	frac, _ := math.Frexp(math.Abs(c))
	return frac == 0.5
}
