package formula

import "math/big"

// Stabilize rewrites n into an equal expression that a floating-point backend can
// evaluate without catastrophic cancellation or spurious overflow. Each rule is an
// identity over the reals; together with Simplify it runs to a fixed point.
//
//	1 + erf(u)              → erfc(-u)            (1+erf cancels to 0 for u < -5)
//	1 - erf(u)              → erfc(u)
//	exp(u) - 1              → expm1(u)            (cancels near u = 0)
//	log(1 + u)              → log1p(u)
//	log1p(exp(u))           → max(u, 0) + log1p(exp(-abs(u)))   (exp overflows for u > 709)
//	1 + tanh(u)             → 2·logistic(2u)      (cancels to 0 for u < -10)
//	1 - tanh(u)             → 2·logistic(-2u)
//	exp(u) / (1 + exp(u))   → logistic(u)        (inf/inf for u > 709)
//	p / (1 + exp(u))        → p·logistic(-u)     (logistic is evaluated on the side that cannot overflow)
//	p·exp(u) / (1+exp(u))²  → p·logistic(u)·logistic(-u)   (the logistic derivative)
//	p / (cosh(u)·cosh(u))   → 4p·logistic(2u)·logistic(-2u)  (tanh'; cosh² overflows for |u| > 355)
//	tanh(softplus(u))       → a / (a + b), with w = exp(-abs(u)),  (Mish: one exp and one division
//	                          a = select(u > 0, 1 + 2w, w·(w + 2)),  instead of exp, log1p and tanh)
//	                          b = select(u > 0, 2w², 2)
//	tanh(select(u > t, u, softplus(u))) → select(u > t, 1, tanh(softplus(u)))   for t ≥ 19.1
//
// softplus(u) stands for the stable form max(u, 0) + log1p(exp(-abs(u))) of
// the log1p(exp(u)) rule. tanh(softplus(u)) is n/(n + 2) with n = e^u·(e^u + 2);
// a/(a + b) is that fraction multiplied through by e^(-2u) where u > 0, so no
// term overflows and all of them are positive. The last rule is the one that
// is not an identity over the reals: PyTorch's softplus returns u itself
// above its threshold t, and tanh(u) for u > 19.07 is 1 - 2e^(-2u) within
// 2^-55, which rounds to 1 in float64 and float32, so the rewritten formula
// gives the correctly rounded value of the stated one.
//
// Simplify, which runs between the rounds, also cancels common factors
// (p·q / (r·q) → p / r), which the derivatives of quotients need.
func Stabilize(n *Node) *Node {
	n = Simplify(n)
	for i := 0; i < 32; i++ {
		m := Simplify(stabilizeOnce(n))
		if Equal(m, n) {
			return m
		}
		n = m
	}
	return n
}

func stabilizeOnce(n *Node) *Node {
	if len(n.Args) == 0 {
		return n
	}
	m := *n
	m.Args = make([]*Node, len(n.Args))
	for i, a := range n.Args {
		m.Args[i] = stabilizeOnce(a)
	}
	return stableRule(&m)
}

func isCall(n *Node, name string) bool { return n.Kind == Call && n.Name == name }

// onePlus reports u when n is 1 + u.
func onePlus(n *Node) (*Node, bool) {
	if n.Kind == Add && n.Args[0].IsConst(1) {
		return n.Args[1], true
	}
	return nil, false
}

func stableRule(n *Node) *Node {
	switch n.Kind {
	case Add:
		if u, ok := onePlus(n); ok {
			switch {
			case isCall(u, "erf"):
				return Fn("erfc", Negate(u.Args[0]))
			case isCall(u, "tanh"):
				return Bin(Mul, Int(2), Fn("logistic", Bin(Mul, Int(2), u.Args[0])))
			}
		}
	case Sub:
		a, b := n.Args[0], n.Args[1]
		switch {
		case a.IsConst(1) && isCall(b, "erf"):
			return Fn("erfc", b.Args[0])
		case a.IsConst(1) && isCall(b, "tanh"):
			return Bin(Mul, Int(2), Fn("logistic", Negate(Bin(Mul, Int(2), b.Args[0]))))
		case isCall(a, "exp") && b.IsConst(1):
			return Fn("expm1", a.Args[0])
		}
	case Call:
		u := n.Args[0]
		if n.Name == "tanh" {
			if m, ok := tanhSoftplus(u); ok {
				return m
			}
		}
		switch {
		case n.Name == "log":
			if v, ok := onePlus(u); ok {
				return Fn("log1p", v)
			}
		case n.Name == "log1p" && isCall(u, "exp") && !isNegAbs(u.Args[0]):
			v := u.Args[0]
			return Bin(Add, Fn("max", v, Int(0)), Fn("log1p", Fn("exp", Negate(Fn("abs", v)))))
		}
	case Div:
		return stableQuotient(n)
	}
	return n
}

func stableQuotient(n *Node) *Node {
	a, b := n.Args[0], n.Args[1]
	if v, ok := onePlus(b); ok && isCall(v, "exp") {
		if Equal(a, v) {
			return Fn("logistic", v.Args[0])
		}
		return Bin(Mul, a, Fn("logistic", Negate(v.Args[0])))
	}
	if b.Kind == Mul && Equal(b.Args[0], b.Args[1]) && isCall(b.Args[0], "cosh") {
		u2 := Bin(Mul, Int(2), b.Args[0].Args[0])
		return Bin(Mul, Bin(Mul, Int(4), a), Bin(Mul, Fn("logistic", u2), Fn("logistic", Negate(u2))))
	}
	if b.Kind == Mul && Equal(b.Args[0], b.Args[1]) {
		if v, ok := onePlus(b.Args[0]); ok && isCall(v, "exp") {
			if p, ok := factorOut(a, v); ok {
				u := v.Args[0]
				return Bin(Mul, p, Bin(Mul, Fn("logistic", u), Fn("logistic", Negate(u))))
			}
		}
	}
	return n
}

// tanhSoftplus rewrites tanh(u) where u is a softplus, bare or behind its
// threshold (see Stabilize).
func tanhSoftplus(u *Node) (*Node, bool) {
	if v, ok := softplusOf(u); ok {
		w := Fn("exp", Negate(Fn("abs", v)))
		pos := Compare(">", v, Int(0))
		a := Sel(pos, Bin(Add, Int(1), Bin(Mul, Int(2), w)), Bin(Mul, w, Bin(Add, w, Int(2))))
		b := Sel(pos, Bin(Mul, Int(2), Bin(Mul, w, w)), Int(2))
		return Bin(Div, a, Bin(Add, a, b)), true
	}
	if u.Kind != Select {
		return nil, false
	}
	c, above, below := u.Args[0], u.Args[1], u.Args[2]
	if c.Kind != Cmp || c.Name != ">" {
		return nil, false
	}
	t, tConst := rat(c.Args[1])
	v, ok := softplusOf(below)
	if !tConst || t.Cmp(big.NewRat(191, 10)) < 0 || !ok || !Equal(c.Args[0], v) || !Equal(above, v) {
		return nil, false
	}
	return Sel(c, Int(1), Fn("tanh", below)), true
}

// softplusOf returns u when n is max(u, 0) + log1p(exp(-abs(u))).
func softplusOf(n *Node) (*Node, bool) {
	if n.Kind != Add {
		return nil, false
	}
	m, l := n.Args[0], n.Args[1]
	if !isCall(m, "max") || !m.Args[1].IsConst(0) || !isCall(l, "log1p") || !isCall(l.Args[0], "exp") {
		return nil, false
	}
	e := l.Args[0].Args[0]
	if !isNegAbs(e) || !Equal(e.Args[0].Args[0], m.Args[0]) {
		return nil, false
	}
	return m.Args[0], true
}

// factorOut returns p when n is f, p·f or f·p (p = 1 when n is f).
func factorOut(n, f *Node) (*Node, bool) {
	switch {
	case Equal(n, f):
		return Int(1), true
	case n.Kind == Mul && Equal(n.Args[0], f):
		return n.Args[1], true
	case n.Kind == Mul && Equal(n.Args[1], f):
		return n.Args[0], true
	}
	return nil, false
}

// isNegAbs reports whether n is -abs(v), the argument the log1p(exp(u)) rule
// produces, which must not be rewritten again.
func isNegAbs(n *Node) bool { return n.Kind == Neg && isCall(n.Args[0], "abs") }
