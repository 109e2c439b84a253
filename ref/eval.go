package ref

import (
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/actgen/actgen/formula"
)

// errNaN marks an evaluation whose value is undefined at the working precision
// (0/0, ∞-∞, log of a negative), so the caller can try another form.
var errNaN = errors.New("ref: not a number")

// Eval evaluates n at the exact point x with parameter values params, working at
// prec bits. Besides the value it returns errExp, the base-2 logarithm of a
// bound on its absolute error (-Inf when exact): every operation propagates its
// operands' errors to first order, primitives scale them by a bound on their
// slope, and roundings add half an ulp of the working precision (or less, see
// sum and limit). Round raises prec until the error bound cannot change the
// rounded result, which is what makes cancellation such as 1+erf(-27) (1060
// bits lost) come out right instead of as a confident zero.
func Eval(n *formula.Node, x *big.Float, params map[string]*big.Float, prec uint) (v *big.Float, errExp float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(big.ErrNaN); !ok {
				panic(r)
			}
			v, errExp, err = nil, 0, errNaN
		}
	}()
	e := evaluator{x: x, params: params, prec: prec}
	r, err := e.eval(n)
	return r.v, r.err, err
}

// value is a number with a bound on its absolute error: |error| ≤ 2^err.
type value struct {
	v   *big.Float
	err float64
}

var (
	exact   = math.Inf(-1)
	unknown = math.Inf(1)
)

type evaluator struct {
	x      *big.Float
	params map[string]*big.Float
	prec   uint
	// calls remembers the primitive calls made so far. Derivatives repeat
	// subexpressions (mish' makes 11 calls, 4 of them distinct), and a call's
	// value and error depend only on its argument's value and error, which a
	// repeated subexpression reproduces exactly.
	calls []primCall
}

// primCall records a primitive call: name applied to arg gave result.
type primCall struct {
	name        string
	arg, result value
}

// same reports whether a and b are the same number with the same bound (and
// the same precision, so that no primitive could tell them apart).
func (a value) same(b value) bool {
	return a.err == b.err && a.v.Cmp(b.v) == 0 && a.v.Signbit() == b.v.Signbit() && a.v.Prec() == b.v.Prec()
}

func (e *evaluator) newFloat() *big.Float { return new(big.Float).SetPrec(e.prec) }

// exponent is log2 of |v| to within one (-Inf for 0, +Inf for ±Inf).
func exponent(v *big.Float) float64 {
	if v.Sign() == 0 {
		return math.Inf(-1)
	}
	if v.IsInf() {
		return math.Inf(1)
	}
	return float64(v.MantExp(nil))
}

// mulExp is log2 of 2^a·2^b, where a zero factor (-Inf) wins over an infinite one.
func mulExp(a, b float64) float64 {
	if math.IsInf(a, -1) || math.IsInf(b, -1) {
		return exact
	}
	return a + b
}

// sumExp is log2 of 2^a + 2^b, bounded above by one more than the larger.
func sumExp(a, b float64) float64 {
	m := math.Max(a, b)
	if math.IsInf(m, 0) {
		return m
	}
	return m + 1
}

// rounded adds the rounding error of z to err when z was rounded.
func (e *evaluator) rounded(z *big.Float, err float64) value {
	if z.Acc() != big.Exact && !z.IsInf() {
		err = sumExp(err, exponent(z)-float64(e.prec))
	}
	return value{z, err}
}

// sum returns a+b, or a-b when minus is set. Its rounding error is at most
// half an ulp of the result, and at most the smaller operand's magnitude when
// the larger one is representable at the working precision (as intermediate
// results are): that operand is then a candidate for the rounded sum, so the
// nearest one is no farther. The second bound is what lets 1 + e^-1000,
// rounded to 1, keep an error below 2^-1442 for the logarithm taken of it.
func (e *evaluator) sum(a, b value, minus bool) value {
	z := e.newFloat()
	if minus {
		sub(z, a.v, b.v)
	} else {
		add(z, a.v, b.v)
	}
	err := sumExp(a.err, b.err)
	if z.Acc() != big.Exact && !z.IsInf() {
		r := exponent(z) - float64(e.prec)
		large, small := a.v, b.v
		if exponent(small) > exponent(large) {
			large, small = small, large
		}
		if large.Prec() <= e.prec {
			r = math.Min(r, exponent(small))
		}
		err = sumExp(err, r)
	}
	return value{z, err}
}

func (e *evaluator) eval(n *formula.Node) (value, error) {
	switch n.Kind {
	case formula.Const:
		return e.rounded(e.newFloat().SetRat(n.Val), exact), nil
	case formula.Named:
		c := E(e.prec)
		if n.Name == "pi" {
			c = Pi(e.prec)
		}
		return value{c, exponent(c) - float64(e.prec) + 2}, nil
	case formula.X:
		return value{e.x, exact}, nil
	case formula.Param:
		p, ok := e.params[n.Name]
		if !ok {
			return value{}, fmt.Errorf("ref: no value for parameter %s", n.Name)
		}
		return value{p, exact}, nil
	case formula.Select:
		c, sure, err := e.cond(n.Args[0])
		if err != nil {
			return value{}, err
		}
		var r value
		if c {
			r, err = e.eval(n.Args[1])
		} else {
			r, err = e.eval(n.Args[2])
		}
		if !sure {
			r.err = unknown // the comparison was too close to call at this precision
		}
		return r, err
	}
	args := make([]value, len(n.Args))
	for i, a := range n.Args {
		v, err := e.eval(a)
		if err != nil {
			return value{}, err
		}
		args[i] = v
	}
	z := e.newFloat()
	switch n.Kind {
	case formula.Add, formula.Sub:
		return e.sum(args[0], args[1], n.Kind == formula.Sub), nil
	case formula.Mul:
		a, b := args[0], args[1]
		z.Mul(a.v, b.v)
		// |δ(ab)| ≤ |a|δb + |b|δa + δaδb
		err := sumExp(sumExp(mulExp(exponent(a.v), b.err), mulExp(exponent(b.v), a.err)), mulExp(a.err, b.err))
		return e.rounded(z, err), nil
	case formula.Div:
		a, b := args[0], args[1]
		z.Quo(a.v, b.v)
		err := exact
		switch {
		case b.err >= exponent(b.v)-2:
			err = unknown // the divisor itself is not known
		case a.err != exact || b.err != exact:
			// δ(a/b) ≤ δa/|b| + |a/b|·δb/|b|, doubled for the second-order terms.
			eb := exponent(b.v)
			err = sumExp(a.err-eb+1, mulExp(exponent(z), b.err-eb+1))
		}
		return e.rounded(z, err), nil
	case formula.Neg:
		return value{z.Neg(args[0].v), args[0].err}, nil
	case formula.Call:
		return e.call(n.Name, args)
	}
	return value{}, fmt.Errorf("ref: cannot evaluate %s", n)
}

// negligibleExp is the floor of the error bounds below. A saturated
// primitive's error can be as small as 2^-(10^600), while big.Float holds
// nothing below 2^-(2^31): 2^-(2^40) is a weaker but still valid bound that
// no later operation can magnify into anything that matters, and unlike
// 2^-Inf it neither claims exactness nor turns into NaN next to +Inf.
const negligibleExp = -0x1p40

// lowerAbs returns a float64 lower bound on |t| over every t within 2^errExp
// of u, or 0 when that bound is below 2^-1000 (as where the interval reaches
// 0), so that no float64 rounding of a subnormal can inflate it. It works
// on u's mantissa so that a huge u and δ = 2^errExp do not overflow float64
// into Inf-Inf; a bound beyond float64's range is +Inf, which is harmless
// because every bound computed from it is floored at negligibleExp, far
// above e^-MaxFloat64. The factor 1-2^-48 absorbs the roundings of the
// float64 operations here and in those bounds, so that they stay rigorous.
func lowerAbs(u *big.Float, errExp float64) float64 {
	mant := new(big.Float)
	eu := u.MantExp(mant) // |u| = |mant|·2^eu with |mant| in [0.5, 1), or u = 0
	mf, _ := mant.Float64()
	m := math.Ldexp(math.Abs(mf)*(1-0x1p-48)-math.Exp2(errExp-float64(eu)), eu)
	if !(m > 0x1p-1000) { // also NaN
		return 0
	}
	return m
}

// limit returns lim, the limit of the primitive f at ±∞ on the side of u,
// and tail, log2 of a bound on |f(u) - lim|, for the primitives that saturate
// (ok is false for the others and for u = 0). Where f(u) rounds to lim, tail
// bounds the result's error far more tightly than its relative error does:
// 1 + erf(-40000) is 0 with an error below 2^-(2.3·10^9), not 2^-prec.
func limit(name string, u *big.Float) (lim, tail float64, ok bool) {
	if u.Sign() == 0 {
		return 0, 0, false
	}
	sign := float64(u.Sign())
	m := lowerAbs(u, exact)
	switch {
	case name == "exp" && sign < 0: // e^u = e^-|u|
		lim, tail = 0, -m*math.Log2E
	case name == "expm1" && sign < 0: // expm1(u) + 1 = e^-|u|
		lim, tail = -1, -m*math.Log2E
	case name == "tanh": // 1 - tanh|u| = 2/(e^2|u| + 1) < 2e^-2|u|
		lim, tail = sign, 1-2*m*math.Log2E
	case name == "erf": // 1 - erf|u| = erfc|u| ≤ e^-u²
		lim, tail = sign, -m*m*math.Log2E
	case name == "erfc": // erfc(u) for u > 0, 2 - erfc(u) for u < 0: erfc|u| ≤ e^-u²
		lim, tail = 1-sign, -m*m*math.Log2E
	case name == "logistic": // σ(u) for u < 0, 1 - σ(u) for u > 0: 1/(1 + e^|u|) < e^-|u|
		lim, tail = (1+sign)/2, -m*math.Log2E
	default:
		return 0, 0, false
	}
	return lim, math.Max(tail, negligibleExp), true
}

// propagated returns log2 of a bound on |f(t) - f(u)| over the t within
// δ = 2^errExp of u, for the primitive f with v = f(u): δ times a bound on
// |f'| there, doubled for the first-order analysis. The saturating
// primitives, whose |f'| falls off away from 0, are bounded rigorously at the
// interval's point nearest 0 (at distance m), the others to first order at u.
// Unlike a relative condition number, this stays finite where f(u) = 0, as
// for log at 1.
func propagated(name string, u, v *big.Float, errExp float64) float64 {
	if name == "sqrt" && u.Sign() == 0 {
		return errExp / 2 // √t ≤ √δ: sqrt has no finite slope at 0
	}
	m := lowerAbs(u, errExp)
	var s float64 // log2 of the bound on |f'|
	switch name {
	case "exp", "expm1": // e^t
		switch {
		case u.Sign() < 0:
			s = -m * math.Log2E
		case name == "exp":
			s = exponent(v)
		default: // e^u = v+1 ≤ 2·max(1, v)
			s = 1 + math.Max(0, exponent(v))
		}
	case "log": // 1/u
		s = 1 - exponent(u)
	case "log1p": // 1/(1+u); 64 bits of 1+u are enough for its size
		s = 1 - exponent(add(newFloat(64), u, bigOne))
	case "sqrt": // 1/(2√u) = 1/(2v)
		s = -exponent(v)
	case "tanh": // sech²t = 1 - tanh²t ≤ min(1, 4e^-2|t|)
		s = math.Min(0, 2-2*m*math.Log2E)
	case "cosh": // |sinh u| ≤ cosh u
		s = exponent(v)
	case "sinh": // cosh u ≤ 1 + |sinh u|
		s = 1 + math.Max(0, exponent(v))
	case "erf", "erfc": // 2/√π·e^-t²
		s = 1 - m*m*math.Log2E
	case "logistic": // σ(t)σ(-t) ≤ min(1/4, e^-|t|)
		s = math.Min(-2, -m*math.Log2E)
	}
	return math.Max(s, negligibleExp) + errExp + 1
}

func (e *evaluator) call(name string, args []value) (value, error) {
	a := args[0]
	switch name {
	case "abs":
		return value{e.newFloat().Abs(a.v), a.err}, nil
	case "min", "max":
		r := args[0]
		if c := args[1].v.Cmp(args[0].v); c < 0 && name == "min" || c > 0 && name == "max" {
			r = args[1]
		}
		return value{r.v, math.Max(args[0].err, args[1].err)}, nil
	}
	for _, c := range e.calls {
		if c.name == name && c.arg.same(a) {
			return c.result, nil
		}
	}
	r, err := e.primitive(name, a)
	if err == nil {
		e.calls = append(e.calls, primCall{name, a, r})
	}
	return r, err
}

// primitive returns f(a) for the primitive f = name with its error bound.
func (e *evaluator) primitive(name string, a value) (value, error) {
	ok := true
	var v *big.Float
	switch name {
	case "exp":
		v = Exp(a.v, e.prec)
	case "expm1":
		v = Expm1(a.v, e.prec)
	case "log":
		v, ok = Log(a.v, e.prec)
	case "log1p":
		v, ok = Log1p(a.v, e.prec)
	case "sqrt":
		v, ok = Sqrt(a.v, e.prec)
	case "tanh":
		v = Tanh(a.v, e.prec)
	case "cosh":
		v = Cosh(a.v, e.prec)
	case "sinh":
		v = Sinh(a.v, e.prec)
	case "erf":
		v = Erf(a.v, e.prec)
	case "erfc":
		v = Erfc(a.v, e.prec)
	case "logistic":
		v = logistic(a.v, e.prec)
	default:
		return value{}, fmt.Errorf("ref: unknown primitive %s", name)
	}
	if !ok {
		return value{}, errNaN
	}
	// The primitives' own error is below 2^-(prec-2) relative to f(u). Where v
	// is f's limit, |f(u) - v| is the tail itself; where that limit is 0, f
	// has underflowed big.Float's range and only the tail bounds the error.
	err := exponent(v) - float64(e.prec) + 2
	if lim, tail, ok := limit(name, a.v); ok && v.Cmp(big.NewFloat(lim)) == 0 && (tail < err || lim == 0) {
		err = tail
	}
	if a.err != exact {
		err = sumExp(err, propagated(name, a.v, v, a.err))
	}
	if v.IsInf() {
		err = exact
	}
	return value{v, err}, nil
}

// cond decides a condition; sure is false when the operands' errors could flip it.
func (e *evaluator) cond(n *formula.Node) (result, sure bool, err error) {
	switch n.Kind {
	case formula.And, formula.Or:
		a, sa, err := e.cond(n.Args[0])
		if err != nil {
			return false, false, err
		}
		if a == (n.Kind == formula.Or) && sa {
			return a, true, nil
		}
		b, sb, err := e.cond(n.Args[1])
		if n.Kind == formula.Or {
			return a || b, sa && sb, err
		}
		return a && b, sa && sb, err
	case formula.Not:
		a, sure, err := e.cond(n.Args[0])
		return !a, sure, err
	case formula.Cmp:
		a, err := e.eval(n.Args[0])
		if err != nil {
			return false, false, err
		}
		b, err := e.eval(n.Args[1])
		if err != nil {
			return false, false, err
		}
		c := a.v.Cmp(b.v)
		errs := sumExp(a.err, b.err)
		sure := errs == exact
		if !sure && !a.v.IsInf() && !b.v.IsInf() {
			d := sub(e.newFloat(), a.v, b.v)
			sure = exponent(d) > errs+1
		}
		switch n.Name {
		case ">":
			return c > 0, sure, nil
		case ">=":
			return c >= 0, sure, nil
		case "<":
			return c < 0, sure, nil
		case "<=":
			return c <= 0, sure, nil
		case "==":
			return c == 0, sure, nil
		case "!=":
			return c != 0, sure, nil
		}
	}
	return false, false, fmt.Errorf("ref: bad condition %s", n)
}

// Format is a binary floating-point target of the reference.
type Format struct {
	Mant uint // significand bits, including the implicit one
	// round returns the nearest value of the format, ties to even, as a float64.
	round func(*big.Float) float64
}

// Float returns x rounded to the format, ties to even, as a float64.
func (f Format) Float(x float64) float64 { return f.round(new(big.Float).SetFloat64(x)) }

// The two formats of the generated kernels.
var (
	Float32 = Format{Mant: 24, round: func(v *big.Float) float64 { f, _ := v.Float32(); return float64(f) }}
	Float64 = Format{Mant: 53, round: func(v *big.Float) float64 { f, _ := v.Float64(); return f }}
)

// Function is a formula prepared for reference evaluation: its exact form and an
// equal form (the stabilized one) to fall back on where the exact form meets
// ∞/∞ or 0·∞ at the points that stand in for infinite inputs.
type Function struct {
	Exact, Fallback *formula.Node
}

// hugeExp2 is the exponent of the finite stand-in for ±Inf inputs: 2^2000 is
// beyond both formats' range, so every activation has reached its limit (or
// overflows to ±Inf) there, and it is far inside big.Float's exponent range.
const hugeExp2 = 2000

// maxPrec bounds the precision loop. Results that need more lie on a
// rounding boundary while their error bound stays positive, such as an exact
// midpoint computed through inexact operations (x·exp(0) for a float64 x
// halfway between two float32 values); the value at this precision, rounded
// to even, is returned.
const maxPrec = 8192

// startGuard is how many bits beyond the format's significand the first
// evaluation carries; most inputs are settled there.
const startGuard = 40

// Round returns f(x) correctly rounded to the format, with params given as the
// format's values. NaN in gives NaN; ±Inf evaluate the limit.
func (f Function) Round(format Format, x float64, params map[string]float64) (float64, error) {
	if math.IsNaN(x) {
		return math.NaN(), nil
	}
	for prec := uint(format.Mant) + startGuard; ; prec *= 2 {
		v, errExp, err := f.eval(x, params, prec)
		if err != nil {
			return 0, err
		}
		if v == nil {
			return math.NaN(), nil
		}
		if prec >= maxPrec || certain(format, v, errExp) {
			return format.round(v), nil
		}
	}
}

// certain reports whether every value within the error bound of v (taken four
// times larger, for the first-order error analysis) rounds like v. Signed zeros
// count as one value.
//
// A bound far below v's own ulp is raised to 2^(ev-g-1), where v is in
// [2^(ev-1), 2^ev) and g = max(prec v, format.Mant+2): v (of prec v bits) and
// every rounding boundary of the format near v (values and midpoints, of at
// most Mant+2 bits there) are multiples of 2^(ev-g), so a boundary is either
// v itself or at least 2^(ev-g) away, and the answer is the same for any
// bound below that. This keeps v ± eps exact in g + 65 bits, where a
// bound of 2^-(10^9) next to v = 1 would need 10^9 bits.
func certain(format Format, v *big.Float, errExp float64) bool {
	if errExp == exact || v.IsInf() {
		return true
	}
	if errExp == unknown || math.IsNaN(errExp) {
		return false
	}
	epsExp := math.Ceil(errExp) + 2
	p := v.Prec() + 64
	if v.Sign() != 0 {
		g := max(v.Prec(), format.Mant+2)
		epsExp = math.Max(epsExp, exponent(v)-float64(g)-1)
		if d := uint(math.Max(0, exponent(v)-epsExp)) + 64; d > p {
			p = d
		}
	}
	// An eps below 2^MinExp becomes 0. Then v is 0 or within a factor 2^(g+1)
	// of 2^MinExp, far below any format's subnormals, and so is its error:
	// everything near v rounds to ±0 like v.
	eps := new(big.Float).SetMantExp(bigOne, int(epsExp))
	// add and sub round like Add and Sub without aligning eps ≫ v exactly.
	lo := sub(new(big.Float).SetPrec(p), v, eps)
	hi := add(new(big.Float).SetPrec(p), v, eps)
	r := format.round(v)
	return sameRounding(format.round(lo), r) && sameRounding(format.round(hi), r)
}

func sameRounding(a, b float64) bool { return a == b || sameFloat(a, b) }

func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// eval returns f(x) at prec bits with its accuracy, or nil when neither form
// has a value (a NaN).
func (f Function) eval(x float64, params map[string]float64, prec uint) (*big.Float, float64, error) {
	bx := new(big.Float).SetPrec(prec)
	if math.IsInf(x, 0) {
		bx.SetMantExp(big.NewFloat(math.Copysign(1, x)), hugeExp2)
	} else {
		bx.SetFloat64(x)
	}
	bp := make(map[string]*big.Float, len(params))
	for k, p := range params {
		bp[k] = new(big.Float).SetPrec(prec).SetFloat64(p)
	}
	v, acc, err := Eval(f.Exact, bx, bp, prec)
	if errors.Is(err, errNaN) && f.Fallback != nil {
		v, acc, err = Eval(f.Fallback, bx, bp, prec)
	}
	if errors.Is(err, errNaN) {
		return nil, 0, nil
	}
	return v, acc, err
}

// logistic is 1/(1+e^-u), with the exponential taken on the side where it is
// at most 1 so that it never saturates to ±Inf.
func logistic(u *big.Float, prec uint) *big.Float {
	wp := prec + 8
	one := new(big.Float).SetPrec(wp).SetInt64(1)
	if u.Sign() >= 0 {
		e := Exp(new(big.Float).Neg(u), wp)
		return new(big.Float).SetPrec(prec).Quo(one, add(e, e, one))
	}
	e := Exp(u, wp)
	d := add(newFloat(wp), e, one)
	return new(big.Float).SetPrec(prec).Quo(e, d)
}

// Split returns the constant expression n correctly rounded to format (hi)
// and the exact remainder n - hi rounded too (lo): a two-float constant for
// the backends' compensated arithmetic. An infinite or NaN hi has lo 0.
func Split(n *formula.Node, format Format) (hi, lo float64, err error) {
	hi, err = Function{Exact: n}.Round(format, 0, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("constant %s: %w", n, err)
	}
	if math.IsInf(hi, 0) || math.IsNaN(hi) {
		return hi, 0, nil
	}
	rest := formula.Bin(formula.Sub, n, formula.Num(new(big.Rat).SetFloat64(hi)))
	lo, err = Function{Exact: rest}.Round(format, 0, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("constant %s: %w", n, err)
	}
	return hi, lo, nil
}
