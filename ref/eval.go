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
// prec bits. Besides the value it returns acc, a bound on its relative accuracy
// in bits (+Inf when exact): every operation propagates its operands' errors,
// additions charge the bits that cancel, primitives charge their condition
// number, and roundings charge the working precision. Round raises prec until
// acc suffices, which is what makes cancellation such as 1+erf(-27) (1060 bits
// lost) come out right instead of as a confident zero.
func Eval(n *formula.Node, x *big.Float, params map[string]*big.Float, prec uint) (v *big.Float, acc float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(big.ErrNaN); !ok {
				panic(r)
			}
			v, acc, err = nil, 0, errNaN
		}
	}()
	e := evaluator{x: x, params: params, prec: prec}
	r, err := e.eval(n)
	return r.v, r.acc, err
}

// value is a number with its accuracy in bits: |error| ≤ |v|·2^-acc.
type value struct {
	v   *big.Float
	acc float64
}

var exactAcc = math.Inf(1)

type evaluator struct {
	x      *big.Float
	params map[string]*big.Float
	prec   uint
}

func (e *evaluator) newFloat() *big.Float { return new(big.Float).SetPrec(e.prec) }

// rounded caps acc at the working precision when z was rounded.
func (e *evaluator) rounded(z *big.Float, acc float64) value {
	if z.Acc() != big.Exact {
		acc = math.Min(acc, float64(e.prec)-1)
	}
	return value{z, acc}
}

// exponent is log2 of |v| to within one, for error bookkeeping.
func exponent(v *big.Float) float64 {
	if v.Sign() == 0 {
		return math.Inf(-1)
	}
	if v.IsInf() {
		return math.Inf(1)
	}
	return float64(v.MantExp(nil))
}

func (e *evaluator) eval(n *formula.Node) (value, error) {
	switch n.Kind {
	case formula.Const:
		z := e.newFloat().SetRat(n.Val)
		return e.rounded(z, exactAcc), nil
	case formula.Named:
		if n.Name == "pi" {
			return value{Pi(e.prec), float64(e.prec) - 2}, nil
		}
		return value{E(e.prec), float64(e.prec) - 2}, nil
	case formula.X:
		return value{e.x, exactAcc}, nil
	case formula.Param:
		p, ok := e.params[n.Name]
		if !ok {
			return value{}, fmt.Errorf("ref: no value for parameter %s", n.Name)
		}
		return value{p, exactAcc}, nil
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
			// The comparison was too close to call at this precision.
			r.acc = math.Inf(-1)
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
		// The absolute errors add; relative to the result they grow by the bits
		// that cancelled.
		errExp := math.Max(exponent(a.v)-a.acc, exponent(b.v)-b.acc) + 1
		acc := exponent(z) - errExp
		switch {
		case math.IsNaN(acc) || math.IsInf(errExp, -1):
			acc = exactAcc // both operands exact (or zero)
		case z.Sign() == 0:
			acc = math.Inf(-1) // everything cancelled: no relative accuracy left
		}
		return e.rounded(z, acc), nil
	case formula.Mul, formula.Div:
		a, b := args[0], args[1]
		if n.Kind == formula.Mul {
			z.Mul(a.v, b.v)
		} else {
			z.Quo(a.v, b.v)
		}
		acc := math.Min(a.acc, b.acc) - 1
		if a.v.Sign() == 0 && a.acc == exactAcc || n.Kind == formula.Mul && b.v.Sign() == 0 && b.acc == exactAcc {
			acc = exactAcc // an exact zero factor makes an exact zero
		}
		return e.rounded(z, acc), nil
	case formula.Neg:
		return value{z.Neg(args[0].v), args[0].acc}, nil
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
	case "abs":
		return value{e.newFloat().Abs(a.v), a.acc}, nil
	case "min", "max":
		r := args[0]
		if c := args[1].v.Cmp(args[0].v); c < 0 && name == "min" || c > 0 && name == "max" {
			r = args[1]
		}
		return value{r.v, math.Min(args[0].acc, args[1].acc)}, nil
	default:
		return value{}, fmt.Errorf("ref: unknown primitive %s", name)
	}
	if !ok {
		return value{}, errNaN
	}
	acc := float64(e.prec) - 2 // the primitives' own error
	if a.acc != exactAcc {
		acc = math.Min(acc, a.acc-math.Log2(math.Max(1, condition(name, a.v)))-1)
	}
	return value{v, acc}, nil
}

// cond decides a condition; sure is false when an operand's error could flip it.
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
		d := new(big.Float).SetPrec(e.prec).Sub(a.v, b.v)
		errExp := math.Max(exponent(a.v)-a.acc, exponent(b.v)-b.acc) + 1
		sure := a.acc == exactAcc && b.acc == exactAcc || exponent(d) > errExp
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

// guardBits is how many bits beyond the format's significand a result must be
// known to before its rounding is trusted.
const guardBits = 24

// Round returns f(x) correctly rounded to the format, with params given as the
// format's values. NaN in gives NaN; ±Inf evaluate the limit.
func (f Function) Round(format Format, x float64, params map[string]float64) (float64, error) {
	if math.IsNaN(x) {
		return math.NaN(), nil
	}
	for prec := uint(format.Mant) + 2*guardBits; ; prec *= 2 {
		v, acc, err := f.eval(x, params, prec)
		if err != nil {
			return 0, err
		}
		if v == nil {
			return math.NaN(), nil
		}
		if prec >= maxPrec || certain(format, v, acc) {
			return format.round(v), nil
		}
	}
}

// certain reports whether every value within v's error bound rounds like v.
func certain(format Format, v *big.Float, acc float64) bool {
	if v.Sign() == 0 || v.IsInf() {
		return acc == exactAcc || acc > float64(format.Mant+guardBits) && !v.IsInf() || v.IsInf() && acc > 8
	}
	if acc < float64(format.Mant+guardBits) {
		return false
	}
	if acc == exactAcc {
		return true
	}
	eps := new(big.Float).SetMantExp(big.NewFloat(1), v.MantExp(nil)-int(math.Min(acc, 1e6))+1)
	lo := new(big.Float).SetPrec(v.Prec()+64).Sub(v, eps)
	hi := new(big.Float).SetPrec(v.Prec()+64).Add(v, eps)
	r := format.round(v)
	return sameFloat(format.round(lo), r) && sameFloat(format.round(hi), r)
}

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
