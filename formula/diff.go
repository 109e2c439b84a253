package formula

import "fmt"

// Diff returns d n / dx, simplified. At a kink the derivative is the one of the
// branch select picks, which is how PyTorch's autograd defines it when the spec
// writes the condition as PyTorch does (relu'(0) = 0 because 0 > 0 is false).
// max(a, b)' is a' where a > b and b' otherwise, min likewise with a < b, and
// abs'(0) = 0 (sign(0)), all as in PyTorch.
func Diff(n *Node) (*Node, error) {
	d, err := diff(n)
	if err != nil {
		return nil, err
	}
	return Simplify(d), nil
}

func diff(n *Node) (*Node, error) {
	switch n.Kind {
	case Const, Named, Param:
		return Int(0), nil
	case X:
		return Int(1), nil
	}
	if !n.HasX() {
		return Int(0), nil
	}
	ds := make([]*Node, len(n.Args))
	for i, a := range n.Args {
		if n.Kind == Select && i == 0 {
			continue // the condition selects; it has no derivative of its own
		}
		d, err := diff(a)
		if err != nil {
			return nil, err
		}
		ds[i] = d
	}
	var a, b, da, db *Node
	if len(n.Args) > 0 {
		a, da = n.Args[0], ds[0]
	}
	if len(n.Args) > 1 {
		b, db = n.Args[1], ds[1]
	}
	switch n.Kind {
	case Add:
		return Bin(Add, da, db), nil
	case Sub:
		return Bin(Sub, da, db), nil
	case Neg:
		return Negate(da), nil
	case Mul:
		return Bin(Add, Bin(Mul, da, b), Bin(Mul, a, db)), nil
	case Div:
		if !b.HasX() {
			return Bin(Div, da, b), nil
		}
		// (a/b)' = a'/b - a b'/b², kept as two terms so neither squares a large b
		// sooner than needed.
		return Bin(Sub, Bin(Div, da, b), Bin(Div, Bin(Mul, a, db), Bin(Mul, b, b))), nil
	case Select:
		return Sel(n.Args[0], ds[1], ds[2]), nil
	case Call:
		return diffCall(n, a, b, da, db)
	}
	return nil, fmt.Errorf("cannot differentiate %s", n)
}

// diffCall applies the chain rule to a primitive call. The derivative of each
// primitive is written in the form that stays finite where the primitive does:
// tanh' = 1/cosh², not 1 - tanh², which cancels to 0 for |u| > 19.
func diffCall(n, u, v, du, dv *Node) (*Node, error) {
	chain := func(outer *Node) *Node { return Bin(Mul, outer, du) }
	twoOverSqrtPi := Bin(Div, Int(2), Fn("sqrt", Constant("pi")))
	switch n.Name {
	case "exp", "expm1":
		return chain(Fn("exp", u)), nil
	case "log":
		return Bin(Div, du, u), nil
	case "log1p":
		return Bin(Div, du, Bin(Add, Int(1), u)), nil
	case "sqrt":
		return Bin(Div, du, Bin(Mul, Int(2), Fn("sqrt", u))), nil
	case "tanh":
		return Bin(Div, du, Bin(Mul, Fn("cosh", u), Fn("cosh", u))), nil
	case "cosh":
		return chain(Fn("sinh", u)), nil
	case "sinh":
		return chain(Fn("cosh", u)), nil
	case "logistic":
		return chain(Bin(Mul, Fn("logistic", u), Fn("logistic", Negate(u)))), nil
	case "erf":
		return chain(Bin(Mul, twoOverSqrtPi, Fn("exp", Negate(Bin(Mul, u, u))))), nil
	case "erfc":
		return chain(Negate(Bin(Mul, twoOverSqrtPi, Fn("exp", Negate(Bin(Mul, u, u)))))), nil
	case "abs":
		return Sel(Compare(">", u, Int(0)), du, Sel(Compare("<", u, Int(0)), Negate(du), Int(0))), nil
	case "max":
		return Sel(Compare(">", u, v), du, dv), nil
	case "min":
		return Sel(Compare("<", u, v), du, dv), nil
	}
	return nil, fmt.Errorf("no derivative rule for primitive %s", n.Name)
}
