package formula

import "math/big"

// Simplify applies algebraic identities bottom-up until none applies: exact
// rational folding, the neutral and absorbing elements, sign propagation and
// constants moved to the left of products. The rules are exact over the reals;
// like PyTorch's autograd they treat 0*u as 0 even where u is infinite, because
// infinities are handled as limits (see package kernel), not propagated.
func Simplify(n *Node) *Node {
	for i := 0; i < 64; i++ {
		m := simplifyOnce(n)
		if Equal(m, n) {
			return m
		}
		n = m
	}
	return n
}

func simplifyOnce(n *Node) *Node {
	if len(n.Args) == 0 {
		return n
	}
	return rewriteLocal(mapArgs(n, simplifyOnce))
}

func rat(n *Node) (*big.Rat, bool) {
	if n != nil && n.Kind == Const {
		return n.Val, true
	}
	return nil, false
}

// IsPow2 reports whether r is ±2^k, so that dividing or multiplying by it is
// exact in binary.
func IsPow2(r *big.Rat) bool {
	a, b := new(big.Int).Abs(r.Num()), r.Denom()
	one := big.NewInt(1)
	return (a.Cmp(one) == 0 || a.BitLen() == int(a.TrailingZeroBits())+1) &&
		(b.Cmp(one) == 0 || b.BitLen() == int(b.TrailingZeroBits())+1)
}

func rewriteLocal(n *Node) *Node {
	var a, b *Node
	if len(n.Args) > 0 {
		a = n.Args[0]
	}
	if len(n.Args) > 1 {
		b = n.Args[1]
	}
	ra, aConst := rat(a)
	rb, bConst := rat(b)
	switch n.Kind {
	case Neg:
		switch {
		case aConst:
			return Num(new(big.Rat).Neg(ra))
		case a.Kind == Neg:
			return a.Args[0]
		case a.Kind == Sub:
			return Bin(Sub, a.Args[1], a.Args[0])
		}
	case Add:
		switch {
		case aConst && bConst:
			return Num(new(big.Rat).Add(ra, rb))
		case a.IsConst(0):
			return b
		case b.IsConst(0):
			return a
		case b.Kind == Neg:
			return Bin(Sub, a, b.Args[0])
		case a.Kind == Neg:
			return Bin(Sub, b, a.Args[0])
		case bConst && rb.Sign() < 0:
			return Bin(Sub, a, Num(new(big.Rat).Neg(rb)))
		case Equal(a, b) && !hasSelect(a):
			return Bin(Mul, Int(2), a)
		case a.Kind == Mul && b.Kind == Mul && a.Args[0].Kind == Const && b.Args[0].Kind == Const && Equal(a.Args[1], b.Args[1]):
			return Bin(Mul, Num(new(big.Rat).Add(a.Args[0].Val, b.Args[0].Val)), a.Args[1])
		case bConst && !aConst:
			// Constants first: 1 + u is the shape the stability rules look for.
			return Bin(Add, b, a)
		}
	case Sub:
		switch {
		case aConst && bConst:
			return Num(new(big.Rat).Sub(ra, rb))
		case b.IsConst(0):
			return a
		case a.IsConst(0):
			return Negate(b)
		case b.Kind == Neg:
			return Bin(Add, a, b.Args[0])
		case bConst && rb.Sign() < 0:
			return Bin(Add, Num(new(big.Rat).Neg(rb)), a)
		case Equal(a, b) && !hasSelect(a):
			return Int(0)
		case a.Kind == Neg:
			return Negate(Bin(Add, a.Args[0], b))
		}
	case Mul:
		switch {
		case aConst && bConst:
			return Num(new(big.Rat).Mul(ra, rb))
		case a.IsConst(0) || b.IsConst(0):
			return Int(0)
		case a.IsConst(1):
			return b
		case b.IsConst(1):
			return a
		case a.IsConst(-1):
			return Negate(b)
		case b.IsConst(-1):
			return Negate(a)
		case a.Kind == Neg && b.Kind == Neg:
			return Bin(Mul, a.Args[0], b.Args[0])
		case a.Kind == Neg:
			return Negate(Bin(Mul, a.Args[0], b))
		case b.Kind == Neg:
			return Negate(Bin(Mul, a, b.Args[0]))
		case aConst && ra.Sign() < 0:
			return Negate(Bin(Mul, Num(new(big.Rat).Neg(ra)), b))
		case bConst:
			return Bin(Mul, b, a)
		case aConst && b.Kind == Mul && b.Args[0].Kind == Const:
			return Bin(Mul, Num(new(big.Rat).Mul(ra, b.Args[0].Val)), b.Args[1])
		case b.Kind == Div && b.Args[0].IsConst(1):
			return Bin(Div, a, b.Args[1])
		case a.Kind == Div && a.Args[0].IsConst(1):
			return Bin(Div, b, a.Args[1])
		case aConst && b.Kind == Div && b.Args[0].Kind == Const:
			return Bin(Div, Num(new(big.Rat).Mul(ra, b.Args[0].Val)), b.Args[1])
		}
	case Div:
		switch {
		case aConst && bConst && rb.Sign() != 0:
			return Num(new(big.Rat).Quo(ra, rb))
		case a.IsConst(0):
			return Int(0)
		case b.IsConst(1):
			return a
		case b.IsConst(-1):
			return Negate(a)
		case a.Kind == Neg:
			return Negate(Bin(Div, a.Args[0], b))
		case b.Kind == Neg:
			return Negate(Bin(Div, a, b.Args[0]))
		case bConst && rb.Sign() != 0 && IsPow2(rb):
			return Bin(Mul, Num(new(big.Rat).Inv(rb)), a)
		case Equal(a, b) && !hasSelect(a):
			return Int(1)
		case a.Kind == Mul && Equal(a.Args[1], b) && !hasSelect(b):
			return a.Args[0]
		case a.Kind == Mul && Equal(a.Args[0], b) && !hasSelect(b):
			return a.Args[1]
		case a.Kind == Div:
			return Bin(Div, a.Args[0], Bin(Mul, a.Args[1], b))
		case a.Kind == Mul && b.Kind == Mul && !hasSelect(a):
			for _, q := range a.Args {
				if p, ok := factorOut(a, q); ok {
					if r, ok := factorOut(b, q); ok {
						return Bin(Div, p, r)
					}
				}
			}
		}
	case Select:
		if v, ok := condValue(a); ok {
			if v {
				return b
			}
			return n.Args[2]
		}
		if Equal(b, n.Args[2]) {
			return b
		}
	case Cmp:
		if aConst && bConst {
			c := ra.Cmp(rb)
			v := map[string]bool{">": c > 0, ">=": c >= 0, "<": c < 0, "<=": c <= 0, "==": c == 0, "!=": c != 0}[n.Name]
			return boolNode(v)
		}
	}
	return n
}

// hasSelect guards the cancellation rules u-u = 0 and u/u = 1: they hold for
// continuous u, and keeping them away from piecewise terms keeps the kink values.
func hasSelect(n *Node) bool {
	found := false
	Walk(n, func(m *Node) { found = found || m.Kind == Select })
	return found
}

// True conditions fold to the comparison 0 == 0, false ones to 0 != 0, so a
// condition stays a condition node.
func boolNode(v bool) *Node {
	if v {
		return Compare("==", Int(0), Int(0))
	}
	return Compare("!=", Int(0), Int(0))
}

func condValue(c *Node) (value, known bool) {
	if c.Kind == Cmp && c.Args[0].IsConst(0) && c.Args[1].IsConst(0) {
		return c.Name == "==", true
	}
	return false, false
}
