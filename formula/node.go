package formula

import (
	"fmt"
	"math/big"
	"strings"
)

// Kind is the operation a Node performs.
type Kind uint8

// The node kinds. Arithmetic is binary so that every backend lowers it one
// instruction at a time; comparisons and logic only occur in a select's condition.
const (
	Const  Kind = iota // exact rational literal, in Val
	Named              // named constant pi or e, in Name
	X                  // the input variable
	Param              // a runtime parameter, in Name
	Add                // Args[0] + Args[1]
	Sub                // Args[0] - Args[1]
	Mul                // Args[0] * Args[1]
	Div                // Args[0] / Args[1]
	Neg                // -Args[0]
	Call               // primitive Name applied to Args (exp, erfc, min, ...)
	Select             // Args[1] where Args[0] holds, else Args[2]
	Cmp                // Args[0] Name Args[1], Name one of > >= < <= == !=
	And                // Args[0] && Args[1]
	Or                 // Args[0] || Args[1]
	Not                // !Args[0]
)

// Node is one operation of a formula. Nodes are immutable once built: every
// transformation returns new nodes and may share unchanged subtrees.
type Node struct {
	Kind Kind
	Name string   // Named, Param, Call (primitive), Cmp (operator)
	Val  *big.Rat // Const
	Args []*Node
}

// Num returns the exact constant v.
func Num(v *big.Rat) *Node { return &Node{Kind: Const, Val: new(big.Rat).Set(v)} }

// Int returns the constant n.
func Int(n int64) *Node { return &Node{Kind: Const, Val: big.NewRat(n, 1)} }

// Input returns the input variable x.
func Input() *Node { return &Node{Kind: X} }

// Par returns the runtime parameter name.
func Par(name string) *Node { return &Node{Kind: Param, Name: name} }

// Constant returns the named constant pi or e.
func Constant(name string) *Node { return &Node{Kind: Named, Name: name} }

// Bin returns the binary arithmetic node k(a, b).
func Bin(k Kind, a, b *Node) *Node { return &Node{Kind: k, Args: []*Node{a, b}} }

// Negate returns -a.
func Negate(a *Node) *Node { return &Node{Kind: Neg, Args: []*Node{a}} }

// Fn returns the primitive call name(args...).
func Fn(name string, args ...*Node) *Node { return &Node{Kind: Call, Name: name, Args: args} }

// Sel returns select(cond, a, b).
func Sel(cond, a, b *Node) *Node { return &Node{Kind: Select, Args: []*Node{cond, a, b}} }

// Compare returns the condition a op b.
func Compare(op string, a, b *Node) *Node { return &Node{Kind: Cmp, Name: op, Args: []*Node{a, b}} }

// IsConst reports whether n is the rational constant v.
func (n *Node) IsConst(v int64) bool {
	return n.Kind == Const && n.Val.IsInt() && n.Val.Num().IsInt64() && n.Val.Num().Int64() == v
}

// HasX reports whether n depends on the input variable.
func (n *Node) HasX() bool {
	if n.Kind == X {
		return true
	}
	for _, a := range n.Args {
		if a.HasX() {
			return true
		}
	}
	return false
}

// IsConstExpr reports whether n depends on neither x nor a parameter, so it can be
// folded to one number at generation time.
func (n *Node) IsConstExpr() bool {
	switch n.Kind {
	case X, Param:
		return false
	case Cmp, And, Or, Not:
		return false
	}
	for _, a := range n.Args {
		if !a.IsConstExpr() {
			return false
		}
	}
	return true
}

// Equal reports whether a and b are the same expression tree.
func Equal(a, b *Node) bool {
	if a == b {
		return true
	}
	if a.Kind != b.Kind || a.Name != b.Name || len(a.Args) != len(b.Args) {
		return false
	}
	if a.Kind == Const && a.Val.Cmp(b.Val) != 0 {
		return false
	}
	for i := range a.Args {
		if !Equal(a.Args[i], b.Args[i]) {
			return false
		}
	}
	return true
}

// mapArgs returns n with f applied to each argument: a new node, or n itself
// when it has none.
func mapArgs(n *Node, f func(*Node) *Node) *Node {
	if len(n.Args) == 0 {
		return n
	}
	m := *n
	m.Args = make([]*Node, len(n.Args))
	for i, a := range n.Args {
		m.Args[i] = f(a)
	}
	return &m
}

// Walk calls f on n and then on every node below it, depth first.
func Walk(n *Node, f func(*Node)) {
	f(n)
	for _, a := range n.Args {
		Walk(a, f)
	}
}

// precedence of a node when printed, Go's own levels, so String() is valid Go.
func (n *Node) precedence() int {
	switch n.Kind {
	case Or:
		return 1
	case And:
		return 2
	case Cmp:
		return 3
	case Add, Sub:
		return 4
	case Mul, Div:
		return 5
	case Neg, Not:
		return 6
	case Const:
		if n.Val.Sign() < 0 {
			return 6
		}
	}
	return 7
}

// String prints n as a Go expression in the formula language. The text is
// canonical: equal trees print equally, and parsing it gives the tree back.
func (n *Node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *Node) write(b *strings.Builder) {
	switch n.Kind {
	case Const:
		b.WriteString(RatString(n.Val))
	case Named, Param:
		b.WriteString(n.Name)
	case X:
		b.WriteString(Var)
	case Add, Sub, Mul, Div, Cmp, And, Or:
		op := map[Kind]string{Add: "+", Sub: "-", Mul: "*", Div: "/", And: "&&", Or: "||"}[n.Kind]
		if n.Kind == Cmp {
			op = n.Name
		}
		p := n.precedence()
		n.Args[0].writeParen(b, p, false)
		b.WriteString(" " + op + " ")
		n.Args[1].writeParen(b, p, true)
	case Neg, Not:
		b.WriteString(map[Kind]string{Neg: "-", Not: "!"}[n.Kind])
		n.Args[0].writeParen(b, n.precedence(), true)
	case Call, Select:
		name := n.Name
		if n.Kind == Select {
			name = "select"
		}
		b.WriteString(name + "(")
		for i, a := range n.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			a.write(b)
		}
		b.WriteString(")")
	default:
		panic(fmt.Sprintf("formula: unknown node kind %d", n.Kind))
	}
}

// writeParen writes n, parenthesized when its precedence is below the parent's
// (or equal on the right of a left-associative operator).
func (n *Node) writeParen(b *strings.Builder, parent int, right bool) {
	p := n.precedence()
	if p < parent || (right && p == parent && p < 6) {
		b.WriteString("(")
		n.write(b)
		b.WriteString(")")
		return
	}
	n.write(b)
}

// RatString prints an exact rational as a decimal literal when it has a finite
// decimal expansion, else as a quotient of integers.
func RatString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	// A finite decimal expansion exists iff the denominator has only factors 2 and 5.
	d := new(big.Int).Set(r.Denom())
	two, five := big.NewInt(2), big.NewInt(5)
	digits := 0
	for _, f := range []*big.Int{two, five} {
		n := 0
		for new(big.Int).Mod(d, f).Sign() == 0 {
			d.Div(d, f)
			n++
		}
		digits = max(digits, n)
	}
	if d.Cmp(big.NewInt(1)) == 0 {
		s := r.FloatString(digits)
		return s
	}
	return "(" + r.Num().String() + " / " + r.Denom().String() + ")"
}
