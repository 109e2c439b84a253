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
// operands' errors to first order, primitives scale them by their condition
// number, and roundings add half an ulp of the working precision. Round raises
// prec until the error bound cannot change the rounded result, which is what
// makes cancellation such as 1+erf(-27) (1060 bits lost) come out right instead
// of as a confident zero.
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
		a, b := args[0], args[1]
		if n.Kind == formula.Add {
			z.Add(a.v, b.v)
		} else {
			z.Sub(a.v, b.v)
		}
		return e.rounded(z, sumExp(a.err, b.err)), nil
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

// condition estimates how many times f magnifies the relative error of its
// argument u: |u·f'(u)/f(u)|, from a float64 view of u (only its size matters).
func condition(name string, u *big.Float) float64 {
	f, _ := u.Float64()
	a := math.Abs(f)
	switch name {
	case "exp", "cosh", "sinh":
		return a
	case "expm1":
		return math.Max(1, a)
	case "erfc":
		if f > 0 {
			return 2*a*a + 2
		}
		return 1
	case "logistic":
		if f < 0 {
			return a
		}
		return 1
	case "log":
		return 1 / math.Abs(math.Log(a))
	case "log1p":
		if f == 0 {
			return 1
		}
		return math.Abs(f / ((1 + f) * math.Log1p(f)))
	}
	return 1 // erf, tanh, sqrt, abs, min, max: at most 1
}

func (e *evaluator) call(name string, args []value) (value, error) {
	a := args[0]
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
	case "abs":
		return value{e.newFloat().Abs(a.v), a.err}, nil
	case "min", "max":
		r := args[0]
		if c := args[1].v.Cmp(args[0].v); c < 0 && name == "min" || c > 0 && name == "max" {
			r = args[1]
		}
		return value{r.v, math.Max(args[0].err, args[1].err)}, nil
	default:
		return value{}, fmt.Errorf("ref: unknown primitive %s", name)
	}
	if !ok {
		return value{}, errNaN
	}
	// The primitives' own error is below 2^-(prec-2) relative.
	err := exponent(v) - float64(e.prec) + 2
	if a.err != exact {
		var prop float64
		if a.v.Sign() == 0 {
			prop = a.err + 1 // |f'(0)| ≤ 2 for every primitive defined at 0
		} else {
			// relative error out = condition number × relative error in
			prop = exponent(v) + (a.err - exponent(a.v)) + math.Log2(math.Max(1, condition(name, a.v))) + 1
		}
		err = sumExp(err, prop)
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
			d := new(big.Float).SetPrec(e.prec).Sub(a.v, b.v)
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

// maxPrec bounds the precision loop. Results that need more are zeros the
// format cannot tell apart from underflow (1+erf(u) for u < -40 in float64
// needs 2300 bits) or exact midpoints (0.5·x at the smallest subnormal), where
// the value at this precision is the correctly rounded answer.
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
func certain(format Format, v *big.Float, errExp float64) bool {
	if errExp == exact || v.IsInf() {
		return true
	}
	if errExp == unknown || math.IsNaN(errExp) {
		return false
	}
	eps := new(big.Float).SetMantExp(big.NewFloat(1), int(math.Ceil(errExp))+2)
	p := v.Prec() + 64
	if d := uint(math.Max(0, exponent(v)-errExp)) + 64; d > p {
		p = d
	}
	lo := new(big.Float).SetPrec(p).Sub(v, eps)
	hi := new(big.Float).SetPrec(p).Add(v, eps)
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
		return new(big.Float).SetPrec(prec).Quo(one, e.Add(e, one))
	}
	e := Exp(u, wp)
	d := new(big.Float).SetPrec(wp).Add(e, one)
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
