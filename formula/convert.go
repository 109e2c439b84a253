package formula

import (
	"fmt"
	"go/ast"
	"go/token"
	"math/big"
	"strings"
)

// Env resolves the names of a formula that are not builtin: the entry's own
// parameters and calls to other spec entries.
type Env struct {
	// Params are the parameter names of the formula's entry.
	Params []string
	// Call returns the body of the spec entry name applied to args (args[0] is
	// the argument for x, the rest bind the callee's parameters in order).
	Call func(name string, args []*Node) (*Node, error)
}

// PosError is a conversion error at a position of the parsed expression.
type PosError struct {
	Pos token.Pos
	Msg string
}

func (e *PosError) Error() string { return e.Msg }

// Convert turns a parsed formula into IR. The spec loader validates formulas
// first, so errors here are defects of that validation, still reported with the
// position of the offending node rather than a panic.
func Convert(e ast.Expr, env Env) (*Node, error) {
	c := converter{env: env}
	return c.expr(e, false)
}

type converter struct{ env Env }

func (c *converter) errorf(n ast.Node, format string, args ...any) error {
	return &PosError{Pos: n.Pos(), Msg: fmt.Sprintf(format, args...)}
}

func (c *converter) isParam(name string) bool {
	for _, p := range c.env.Params {
		if p == name {
			return true
		}
	}
	return false
}

var binKinds = map[token.Token]Kind{token.ADD: Add, token.SUB: Sub, token.MUL: Mul, token.QUO: Div}

var cmpOps = map[token.Token]bool{token.GTR: true, token.GEQ: true, token.LSS: true, token.LEQ: true, token.EQL: true, token.NEQ: true}

// expr converts e; cond says whether e stands where a condition is expected.
func (c *converter) expr(e ast.Expr, cond bool) (*Node, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return c.expr(e.X, cond)
	case *ast.BasicLit:
		if cond || (e.Kind != token.INT && e.Kind != token.FLOAT) {
			return nil, c.errorf(e, "unexpected literal %s", e.Value)
		}
		r, ok := new(big.Rat).SetString(strings.ReplaceAll(e.Value, "_", ""))
		if !ok {
			return nil, c.errorf(e, "bad number %s", e.Value)
		}
		return Num(r), nil
	case *ast.Ident:
		if cond {
			return nil, c.errorf(e, "%s is a number, not a condition", e.Name)
		}
		switch {
		case e.Name == Var:
			return Input(), nil
		case c.isParam(e.Name):
			return Par(e.Name), nil
		case IsConstant(e.Name):
			return Constant(e.Name), nil
		}
		return nil, c.errorf(e, "unknown name %q", e.Name)
	case *ast.UnaryExpr:
		x, err := c.expr(e.X, e.Op == token.NOT)
		if err != nil {
			return nil, err
		}
		switch {
		case e.Op == token.SUB && !cond:
			return Negate(x), nil
		case e.Op == token.ADD && !cond:
			return x, nil
		case e.Op == token.NOT && cond:
			return &Node{Kind: Not, Args: []*Node{x}}, nil
		}
		return nil, c.errorf(e, "unexpected operator %s", e.Op)
	case *ast.BinaryExpr:
		switch {
		case !cond && binKinds[e.Op] != 0:
			a, b, err := c.pair(e.X, e.Y, false)
			if err != nil {
				return nil, err
			}
			return Bin(binKinds[e.Op], a, b), nil
		case cond && cmpOps[e.Op]:
			a, b, err := c.pair(e.X, e.Y, false)
			if err != nil {
				return nil, err
			}
			return Compare(e.Op.String(), a, b), nil
		case cond && (e.Op == token.LAND || e.Op == token.LOR):
			a, b, err := c.pair(e.X, e.Y, true)
			if err != nil {
				return nil, err
			}
			k := And
			if e.Op == token.LOR {
				k = Or
			}
			return &Node{Kind: k, Args: []*Node{a, b}}, nil
		}
		return nil, c.errorf(e, "unexpected operator %s", e.Op)
	case *ast.CallExpr:
		if cond {
			return nil, c.errorf(e, "a call is a number, not a condition")
		}
		id, ok := e.Fun.(*ast.Ident)
		if !ok {
			return nil, c.errorf(e, "only named functions can be called")
		}
		if arity, ok := PrimitiveArity(id.Name); ok {
			if len(e.Args) != arity {
				return nil, c.errorf(e, "%s takes %d arguments, not %d", id.Name, arity, len(e.Args))
			}
			args := make([]*Node, len(e.Args))
			for i, a := range e.Args {
				n, err := c.expr(a, id.Name == "select" && i == 0)
				if err != nil {
					return nil, err
				}
				args[i] = n
			}
			if id.Name == "select" {
				return Sel(args[0], args[1], args[2]), nil
			}
			return Fn(id.Name, args...), nil
		}
		if c.env.Call == nil {
			return nil, c.errorf(e, "unknown function %q", id.Name)
		}
		args := make([]*Node, len(e.Args))
		for i, a := range e.Args {
			n, err := c.expr(a, false)
			if err != nil {
				return nil, err
			}
			args[i] = n
		}
		n, err := c.env.Call(id.Name, args)
		if err != nil {
			return nil, c.errorf(e, "%v", err)
		}
		return n, nil
	}
	return nil, c.errorf(e, "unsupported expression %T", e)
}

func (c *converter) pair(x, y ast.Expr, cond bool) (a, b *Node, err error) {
	if a, err = c.expr(x, cond); err != nil {
		return nil, nil, err
	}
	if b, err = c.expr(y, cond); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// Subst replaces x by arg and each parameter p by params[p] (parameters missing
// from params stay symbolic). It is how one entry's formula is inlined into another.
func Subst(n *Node, arg *Node, params map[string]*Node) *Node {
	switch n.Kind {
	case X:
		if arg != nil {
			return arg
		}
		return n
	case Param:
		if v, ok := params[n.Name]; ok {
			return v
		}
		return n
	}
	return mapArgs(n, func(a *Node) *Node { return Subst(a, arg, params) })
}
