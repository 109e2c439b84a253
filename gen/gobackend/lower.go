package gobackend

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/actgen/actgen/formula"
	"github.com/actgen/actgen/ref"
)

// precision selects how a scalar kernel evaluates a formula in float64.
type precision int

const (
	// plain rounds every operation to float64: for float32 kernels, whose
	// result is rounded once more to float32, float64 rounding errors of a few
	// hundred ulps are still 2^-44 relative, far below half a float32 ulp.
	plain precision = iota
	// compensated evaluates the arguments of error-magnifying primitives in
	// double-double (see rt.go): float64 kernels have no wider type to hide in.
	compensated
	// tail is compensated evaluation in xf (rt.go), float64 with an unbounded
	// exponent, for float64 results so small that intermediates underflow.
	tail
)

// tinyMakers are the primitives whose value can underflow while the result they
// are multiplied into does not; kernels using them get a tail evaluation.
var tinyMakers = map[string]bool{"exp": true, "erfc": true, "logistic": true}

// xfDD are the xf functions taking a double-double argument; the other
// magnifying primitives convert their float64 result.
var xfDD = map[string]string{"exp": "xExpDD", "erfc": "xErfcDD", "logistic": "xLogisticDD"}

// needsTail reports whether n calls a primitive that can underflow.
func needsTail(n *formula.Node) bool {
	found := false
	formula.Walk(n, func(m *formula.Node) { found = found || m.Kind == formula.Call && tinyMakers[m.Name] })
	return found
}

// magnifying are the primitives whose condition number grows with the argument,
// so that a rounded argument costs |u| (exp) or 2u² (erfc) ulps.
var magnifying = map[string]string{
	"exp": "expDD", "expm1": "expm1DD", "erf": "erfDD", "erfc": "erfcDD",
	"cosh": "coshDD", "sinh": "sinhDD", "logistic": "logisticDD",
}

// runtimeFuncs are primitives the generated package implements itself (rt.go)
// instead of calling package math.
var runtimeFuncs = map[string]bool{"exp": true, "cosh": true, "sinh": true, "logistic": true}

var mathFuncs = map[string]string{
	"exp": "Exp", "expm1": "Expm1", "log": "Log", "log1p": "Log1p", "sqrt": "Sqrt",
	"tanh": "Tanh", "cosh": "Cosh", "sinh": "Sinh", "erf": "Erf", "erfc": "Erfc", "abs": "Abs",
}

// lowerer writes the body of one scalar function: a statement per shared
// subexpression, then the result expression.
type lowerer struct {
	prec   precision
	params map[string]string // formula parameter → Go identifier
	stmts  []jen.Code
	temps  map[string]string // subexpression text → temporary holding it
	uses   map[string]int
	consts map[string]ddConst
	dds    map[string][2]string // subexpression text → its double-double temporaries
	ntemp  int
	err    error
}

// ddConst is a constant subexpression folded at generation time: hi is its
// correctly rounded float64 value and lo the rounded remainder.
type ddConst struct{ hi, lo float64 }

func newLowerer(prec precision, params map[string]string) *lowerer {
	return &lowerer{prec: prec, params: params, temps: map[string]string{}, uses: map[string]int{}, consts: map[string]ddConst{}, dds: map[string][2]string{}}
}

// countUses records how often each subexpression occurs, so that repeated ones
// are computed once.
func (l *lowerer) countUses(n *formula.Node) {
	if len(n.Args) == 0 || n.IsConstExpr() {
		return
	}
	k := n.String()
	l.uses[k]++
	if l.uses[k] > 1 {
		return
	}
	for _, a := range n.Args {
		l.countUses(a)
	}
}

func (l *lowerer) fail(err error) *jen.Statement {
	if l.err == nil {
		l.err = err
	}
	return jen.Lit(0)
}

// constant folds a constant subexpression with the reference evaluator.
func (l *lowerer) constant(n *formula.Node) ddConst {
	k := n.String()
	if c, ok := l.consts[k]; ok {
		return c
	}
	hi, lo, err := ref.Split(n, ref.Float64)
	if err != nil {
		l.fail(err)
		return ddConst{}
	}
	c := ddConst{hi, lo}
	l.consts[k] = c
	return c
}

// floatLit renders v as a Go literal of type float64 that round-trips exactly,
// including -0 and infinities, which Go constants cannot express.
func floatLit(v float64) *jen.Statement {
	switch {
	case math.IsInf(v, 1):
		return jen.Qual("math", "Inf").Call(jen.Lit(1))
	case math.IsInf(v, -1):
		return jen.Qual("math", "Inf").Call(jen.Lit(-1))
	case math.IsNaN(v):
		return jen.Qual("math", "NaN").Call()
	case v == 0 && math.Signbit(v):
		return jen.Qual("math", "Copysign").Call(jen.Lit(0), jen.Lit(-1))
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		s += ".0"
	}
	return jen.Id(s)
}

// expr lowers n to a float64 expression, hoisting shared subexpressions.
func (l *lowerer) expr(n *formula.Node) *jen.Statement {
	if n.IsConstExpr() {
		if l.prec == tail {
			return jen.Id("xfOf").Call(floatLit(l.constant(n).hi))
		}
		return floatLit(l.constant(n).hi)
	}
	if len(n.Args) > 0 && l.uses[n.String()] > 1 {
		k := n.String()
		if t, ok := l.temps[k]; ok {
			return jen.Id(t)
		}
		e := l.direct(n)
		t := fmt.Sprintf("t%d", l.ntemp)
		l.ntemp++
		l.stmts = append(l.stmts, jen.Id(t).Op(":=").Add(e))
		l.temps[k] = t
		return jen.Id(t)
	}
	return l.direct(n)
}

func (l *lowerer) direct(n *formula.Node) *jen.Statement {
	if l.prec == tail {
		return l.directXF(n)
	}
	switch n.Kind {
	case formula.X:
		return jen.Id("x")
	case formula.Param:
		return jen.Id(l.params[n.Name])
	case formula.Add, formula.Sub, formula.Mul, formula.Div:
		op := map[formula.Kind]string{formula.Add: "+", formula.Sub: "-", formula.Mul: "*", formula.Div: "/"}[n.Kind]
		return jen.Parens(l.expr(n.Args[0]).Op(op).Add(l.expr(n.Args[1])))
	case formula.Neg:
		return jen.Parens(jen.Op("-").Add(l.expr(n.Args[0])))
	case formula.Select:
		return jen.Id("choose").Call(l.cond(n.Args[0]), l.expr(n.Args[1]), l.expr(n.Args[2]))
	case formula.Call:
		return l.call(n)
	}
	return l.fail(fmt.Errorf("cannot lower %s", n))
}

func (l *lowerer) call(n *formula.Node) *jen.Statement {
	switch n.Name {
	case "min", "max":
		return jen.Id(n.Name).Call(l.expr(n.Args[0]), l.expr(n.Args[1]))
	}
	if dd, ok := magnifying[n.Name]; ok && l.prec == compensated && needsCompensation(n.Args[0]) {
		hi, lo := l.ddExpr(n.Args[0])
		return jen.Id(dd).Call(jen.Id(hi), jen.Id(lo))
	}
	if runtimeFuncs[n.Name] {
		return jen.Id(n.Name).Call(l.expr(n.Args[0]))
	}
	f, ok := mathFuncs[n.Name]
	if !ok {
		return l.fail(fmt.Errorf("no Go lowering for primitive %s", n.Name))
	}
	return jen.Qual("math", f).Call(l.expr(n.Args[0]))
}

func (l *lowerer) cond(n *formula.Node) *jen.Statement {
	switch n.Kind {
	case formula.And:
		return jen.Parens(l.cond(n.Args[0]).Op("&&").Add(l.cond(n.Args[1])))
	case formula.Or:
		return jen.Parens(l.cond(n.Args[0]).Op("||").Add(l.cond(n.Args[1])))
	case formula.Not:
		return jen.Op("!").Add(l.cond(n.Args[0]))
	case formula.Cmp:
		if l.prec == tail {
			return jen.Parens(jen.Id("xCmp").Call(l.expr(n.Args[0]), l.expr(n.Args[1])).Op(n.Name).Lit(0))
		}
		return jen.Parens(l.expr(n.Args[0]).Op(n.Name).Add(l.expr(n.Args[1])))
	}
	return l.fail(fmt.Errorf("not a condition: %s", n))
}

// directXF lowers n to an xf expression.
func (l *lowerer) directXF(n *formula.Node) *jen.Statement {
	switch n.Kind {
	case formula.X:
		return jen.Id("xfOf").Call(jen.Id("x"))
	case formula.Param:
		return jen.Id("xfOf").Call(jen.Id(l.params[n.Name]))
	case formula.Add, formula.Sub, formula.Mul, formula.Div:
		f := map[formula.Kind]string{formula.Add: "xAdd", formula.Sub: "xSub", formula.Mul: "xMul", formula.Div: "xDiv"}[n.Kind]
		return jen.Id(f).Call(l.expr(n.Args[0]), l.expr(n.Args[1]))
	case formula.Neg:
		return jen.Id("xNeg").Call(l.expr(n.Args[0]))
	case formula.Select:
		return jen.Id("xChoose").Call(l.cond(n.Args[0]), l.expr(n.Args[1]), l.expr(n.Args[2]))
	case formula.Call:
		switch n.Name {
		case "min", "max":
			return jen.Id("x"+strings.ToUpper(n.Name[:1])+n.Name[1:]).Call(l.expr(n.Args[0]), l.expr(n.Args[1]))
		case "abs":
			return jen.Id("xAbs").Call(l.expr(n.Args[0]))
		}
		if dd, ok := magnifying[n.Name]; ok && needsCompensation(n.Args[0]) {
			hi, lo := l.ddExpr(n.Args[0])
			if f, ok := xfDD[n.Name]; ok {
				return jen.Id(f).Call(jen.Id(hi), jen.Id(lo))
			}
			return jen.Id("xfOf").Call(jen.Id(dd).Call(jen.Id(hi), jen.Id(lo)))
		}
		return jen.Id("xCall").Call(jen.Lit(n.Name), l.expr(n.Args[0]))
	}
	return l.fail(fmt.Errorf("cannot lower %s", n))
}

// needsCompensation reports whether u is plain arithmetic (so it can be carried
// in double-double) that rounds somewhere (so it is worth it). x, -x and
// constants are exact already.
func needsCompensation(u *formula.Node) bool {
	if !ddable(u) {
		return false
	}
	return !exactArg(u)
}

// exactArg reports whether u is computed without rounding: x, a parameter, a
// constant, or their negation or absolute value.
func exactArg(u *formula.Node) bool {
	switch {
	case u.Kind == formula.X || u.Kind == formula.Param || u.IsConstExpr():
		return true
	case u.Kind == formula.Neg || u.Kind == formula.Call && u.Name == "abs":
		return exactArg(u.Args[0])
	}
	return false
}

func ddable(n *formula.Node) bool {
	if n.IsConstExpr() {
		return true
	}
	switch n.Kind {
	case formula.X, formula.Param:
		return true
	case formula.Add, formula.Sub, formula.Mul, formula.Div, formula.Neg:
		for _, a := range n.Args {
			if !ddable(a) {
				return false
			}
		}
		return true
	case formula.Call:
		return n.Name == "abs" && ddable(n.Args[0])
	}
	return false
}

// ddExpr emits statements computing n in double-double and returns the names of
// its high and low parts.
func (l *lowerer) ddExpr(n *formula.Node) (hi, lo string) {
	key := n.String()
	if v, ok := l.dds[key]; ok {
		return v[0], v[1]
	}
	hi, lo = l.ddCompute(n)
	l.dds[key] = [2]string{hi, lo}
	return hi, lo
}

func (l *lowerer) ddCompute(n *formula.Node) (hi, lo string) {
	name := func() (string, string) {
		h, lw := fmt.Sprintf("h%d", l.ntemp), fmt.Sprintf("l%d", l.ntemp)
		l.ntemp++
		return h, lw
	}
	if n.IsConstExpr() {
		c := l.constant(n)
		h, lw := name()
		l.stmts = append(l.stmts, jen.List(jen.Id(h), jen.Id(lw)).Op(":=").List(floatLit(c.hi), floatLit(c.lo)))
		return h, lw
	}
	switch n.Kind {
	case formula.X:
		return "x", "0.0"
	case formula.Param:
		return l.params[n.Name], "0.0"
	case formula.Neg:
		ah, al := l.ddExpr(n.Args[0])
		h, lw := name()
		l.stmts = append(l.stmts, jen.List(jen.Id(h), jen.Id(lw)).Op(":=").List(jen.Op("-").Id(ah), jen.Op("-").Id(al)))
		return h, lw
	case formula.Call: // abs
		ah, al := l.ddExpr(n.Args[0])
		h, lw := name()
		l.stmts = append(l.stmts,
			jen.List(jen.Id(h), jen.Id(lw)).Op(":=").List(jen.Id(ah), jen.Id(al)),
			jen.If(jen.Id(h).Op("<").Lit(0)).Block(jen.List(jen.Id(h), jen.Id(lw)).Op("=").List(jen.Op("-").Id(h), jen.Op("-").Id(lw))))
		return h, lw
	}
	fn := map[formula.Kind]string{formula.Add: "ddAdd", formula.Sub: "ddAdd", formula.Mul: "ddMul", formula.Div: "ddDiv"}[n.Kind]
	ah, al := l.ddExpr(n.Args[0])
	bh, bl := l.ddExpr(n.Args[1])
	h, lw := name()
	b := []jen.Code{jen.Id(bh), jen.Id(bl)}
	if n.Kind == formula.Sub {
		b = []jen.Code{jen.Op("-").Id(bh), jen.Op("-").Id(bl)}
	}
	l.stmts = append(l.stmts, jen.List(jen.Id(h), jen.Id(lw)).Op(":=").Id(fn).Call(append([]jen.Code{jen.Id(ah), jen.Id(al)}, b...)...))
	return h, lw
}
