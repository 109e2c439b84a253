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
//	σ(u) + p·σ(u)·σ(-u)       → N·(1 + z + p·M) / (1 + z(2 + z))   (σ = logistic; silu′, gelu_tanh′:
//	σ(u)·σ(-u)                → z / (1 + z(2 + z))                 one division, not two)
//	                          with z = exp(-abs(u)), N = select(u > 0, 1, z), M = select(u > 0, z, 1)
//	tanh(S) + p·(S′/cosh(S)²), S = softplus(x) → M/Q, polynomials in w = exp(-abs(x)) (Mish′:
//	                          with or without the threshold t ≥ 19.1       one exp and one division
//	                                                                        instead of three logistics)
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
// Last, every polynomial in x of degree 2 or more takes Horner's form with
// constant coefficients (hornerPoly): gelu_tanh's 2·(√(2/π)·(x + 0.044715·x³))
// becomes x·(c1 + x·(x·c3)).
//
// The Mish′ rule matches the derivative as Diff writes it, before the rules
// that rewrite its parts, so it runs top-down once before the rounds; see
// tanhSoftplusDerivative for its fraction. The logistic fractions match the
// logistics the rounds produce, so they run top-down once after them (the
// sum before the product inside it); see logisticFraction.
//
// Simplify, which runs between the rounds, also cancels common factors
// (p·q / (r·q) → p / r), which the derivatives of quotients need.
func Stabilize(n *Node) *Node {
	n = rewriteDown(Simplify(n), tanhSoftplusDerivative)
	for i := 0; i < 32; i++ {
		m := Simplify(stabilizeOnce(n))
		if Equal(m, n) {
			break
		}
		n = m
	}
	return Simplify(rewriteDown(rewriteDown(n, logisticFraction), hornerPoly))
}

func stabilizeOnce(n *Node) *Node {
	if len(n.Args) == 0 {
		return n
	}
	return stableRule(mapArgs(n, stabilizeOnce))
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
		case n.Name == "log1p" && isCall(u, "exp") && !IsNegAbs(u.Args[0]):
			v := u.Args[0]
			return Bin(Add, Fn("max", v, Int(0)), Fn("log1p", expNegAbs(v)))
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
		w := expNegAbs(v)
		pos := Compare(">", v, Int(0))
		a := Sel(pos, Bin(Add, Int(1), Bin(Mul, Int(2), w)), Bin(Mul, w, Bin(Add, w, Int(2))))
		b := Sel(pos, Bin(Mul, Int(2), Bin(Mul, w, w)), Int(2))
		return Bin(Div, a, Bin(Add, a, b)), true
	}
	if _, ok := thresholded(u, softplusOf); !ok {
		return nil, false
	}
	return Sel(u.Args[0], Int(1), Fn("tanh", u.Args[2])), true
}

// thresholded returns v when n is select(v > t, v, s) with of(s) = v and a
// constant t ≥ 19.1: PyTorch's softplus threshold, above which tanh(v)
// rounds to 1 in float64 (see Stabilize).
func thresholded(n *Node, of func(*Node) (*Node, bool)) (*Node, bool) {
	if n.Kind != Select {
		return nil, false
	}
	c, above, below := n.Args[0], n.Args[1], n.Args[2]
	v, ok := of(below)
	if !ok || c.Kind != Cmp || c.Name != ">" || !Equal(c.Args[0], v) || !Equal(above, v) {
		return nil, false
	}
	t, tConst := rat(c.Args[1])
	return v, tConst && t.Cmp(big.NewRat(191, 10)) >= 0
}

// rewriteDown applies rule to n or, where it does not match, to n's arguments.
func rewriteDown(n *Node, rule func(*Node) (*Node, bool)) *Node {
	if m, ok := rule(n); ok {
		return m
	}
	return mapArgs(n, func(a *Node) *Node { return rewriteDown(a, rule) })
}

// tanhSoftplusDerivative rewrites tanh(S) + p·(S′/(cosh(S)·cosh(S))), which is
// Diff's d/dx of p·tanh(S) where p′ = 1 and S is the softplus of x, bare
// (log(1 + exp(x))) or behind a threshold t ≥ 19.1 (then p must be x).
//
// With w = e^x, n = w(w + 2) and tanh(S) = n/(n + 2), S′·sech²(S) is
// 4w(w + 1)/(n + 2)², so the sum is one fraction, which multiplied through by
// a power of w = exp(-abs(x)) has no term that overflows:
//
//	x ≤ 0:  w·(A + w(B + w(4 + w)))  /  (4 + w(8 + w(8 + w(4 + w))))
//	x > 0:  (1 + w(4 + w(B + w·A)))  /  (1 + w(4 + w(8 + w(8 + 4w))))
//
// with A = 4 + 4p and B = 6 + 4p. The denominator is (n + 2)² expanded rather
// than n + 2 squared: a rounding of n + 2 would count twice (the float32
// simulation of the AVX2 evaluation: max 5.4 ULPs squared, 4.0 expanded, over
// all inputs away from the root of Mish′ at -1.19, which the root patches
// cover). Above a threshold the stated derivative is tanh(x) + x·sech²(x); it
// differs from the fraction by less than (4 + 12x)·e^(-3x) < 2^-74 for x > 19.1.
func tanhSoftplusDerivative(n *Node) (*Node, bool) {
	if n.Kind != Add {
		return nil, false
	}
	for _, ord := range [][2]*Node{{n.Args[0], n.Args[1]}, {n.Args[1], n.Args[0]}} {
		th, prod := ord[0], ord[1]
		if !isCall(th, "tanh") || prod.Kind != Mul {
			continue
		}
		s := th.Args[0]
		u, capped, ok := rawSoftplus(s)
		if !ok || u.Kind != X {
			continue
		}
		for _, pq := range [][2]*Node{{prod.Args[0], prod.Args[1]}, {prod.Args[1], prod.Args[0]}} {
			p, q := pq[0], pq[1]
			if q.Kind != Div || capped && !Equal(p, u) {
				continue
			}
			// q is S′/cosh(S)², or N/(R·cosh(S)²) with S′ = N/R (Simplify
			// merges the quotients of the bare softplus).
			ds, err := Diff(s)
			num, den := q.Args[0], q.Args[1]
			if !isSechSquared(den, s) {
				if den.Kind != Mul || !isSechSquared(den.Args[1], s) {
					continue
				}
				num = Bin(Div, num, den.Args[0])
			}
			if err != nil || !Equal(Simplify(num), ds) {
				continue
			}
			return mishDerivative(u, p), true
		}
	}
	return nil, false
}

// logisticFraction rewrites σ(u) + p·σ(u)·σ(-u) and σ(u)·σ(-u)·p (σ the
// logistic, the product's factors in any order and nesting) into one
// fraction over (1 + z)², z = e^-|u|: σ(u) = N/(1 + z) and σ(-u) = M/(1 + z)
// with N and M each 1 or z, so σ(u)·(1 + p·σ(-u)) = N·(1 + z + p·M)/(1 + z)².
// Each logistic would cost a division of its own. The denominator is
// expanded, 1 + z(2 + z), rather than 1 + z squared, whose rounding would
// count twice (in a float32 simulation of silu′, max 3.7 ULPs expanded
// against 5.6 squared, away from the root patch).
func logisticFraction(n *Node) (*Node, bool) {
	switch n.Kind {
	case Add:
		for _, ord := range [][2]*Node{{n.Args[0], n.Args[1]}, {n.Args[1], n.Args[0]}} {
			s, prod := ord[0], ord[1]
			if !isCall(s, "logistic") {
				continue
			}
			var fs []*Node
			if prod.Kind == Mul {
				factors(prod, &fs)
			}
			if p, ok := logisticPair(fs, s.Args[0]); ok {
				z, num, den := logisticParts(s.Args[0])
				m := Sel(Compare(">", s.Args[0], Int(0)), z, Int(1))
				return Bin(Div, Bin(Mul, num, Bin(Add, Bin(Add, Int(1), z), Bin(Mul, p, m))), den), true
			}
		}
	case Mul:
		var fs []*Node
		factors(n, &fs)
		for _, f := range fs {
			if !isCall(f, "logistic") {
				continue
			}
			if p, ok := logisticPair(fs, f.Args[0]); ok {
				u := f.Args[0]
				if u.Kind == Neg {
					u = u.Args[0] // z depends on |u| only: exp(-abs(x)), not exp(-abs(-x))
				}
				z, _, den := logisticParts(u)
				return Bin(Mul, p, Bin(Div, z, den)), true
			}
		}
	}
	return nil, false
}

// logisticParts returns z = exp(-abs(u)), σ(u)'s numerator N and (1 + z)²
// expanded.
func logisticParts(u *Node) (z, num, den *Node) {
	z = expNegAbs(u)
	num = Sel(Compare(">", u, Int(0)), Int(1), z)
	den = Bin(Add, Int(1), Bin(Mul, z, Bin(Add, Int(2), z)))
	return z, num, den
}

// logisticPair returns p when the factors fs of a product include σ(u) and
// σ(-u), p being the product of the others (1 when there are none).
func logisticPair(fs []*Node, u *Node) (*Node, bool) {
	neg := Simplify(Negate(u))
	pos, negi := -1, -1
	for i, f := range fs {
		switch {
		case !isCall(f, "logistic"):
		case pos < 0 && Equal(f.Args[0], u):
			pos = i
		case negi < 0 && Equal(f.Args[0], neg):
			negi = i
		}
	}
	if pos < 0 || negi < 0 {
		return nil, false
	}
	var p *Node
	for i, f := range fs {
		if i == pos || i == negi {
			continue
		}
		if p == nil {
			p = f
		} else {
			p = Bin(Mul, p, f)
		}
	}
	if p == nil {
		p = Int(1)
	}
	return p, true
}

// factors appends the factors of the product n, flattening nested products.
func factors(n *Node, fs *[]*Node) {
	if n.Kind != Mul {
		*fs = append(*fs, n)
		return
	}
	factors(n.Args[0], fs)
	factors(n.Args[1], fs)
}

// rawSoftplus returns u when n is log(1 + exp(u)), or select(u > t, u,
// log(1 + exp(u))) with t ≥ 19.1 (then capped).
func rawSoftplus(n *Node) (u *Node, capped, ok bool) {
	bare := func(m *Node) (*Node, bool) {
		if !isCall(m, "log") {
			return nil, false
		}
		if v, ok := onePlus(m.Args[0]); ok && isCall(v, "exp") {
			return v.Args[0], true
		}
		return nil, false
	}
	if u, ok := bare(n); ok {
		return u, false, true
	}
	u, ok = thresholded(n, bare)
	return u, ok, ok
}

// isSechSquared reports whether n is cosh(s)·cosh(s).
func isSechSquared(n, s *Node) bool {
	return n.Kind == Mul && isCall(n.Args[0], "cosh") && isCall(n.Args[1], "cosh") &&
		Equal(n.Args[0].Args[0], s) && Equal(n.Args[1].Args[0], s)
}

// mishDerivative is the fraction of tanhSoftplusDerivative.
func mishDerivative(u, p *Node) *Node {
	w := expNegAbs(u)
	horner := func(c ...*Node) *Node { return horner(w, c) }
	a := Bin(Add, Int(4), Bin(Mul, Int(4), p))
	b := Bin(Add, Int(6), Bin(Mul, Int(4), p))
	pos := Compare(">", u, Int(0))
	num := Sel(pos, horner(Int(1), Int(4), b, a), Bin(Mul, w, horner(a, b, Int(4), Int(1))))
	den := Sel(pos, horner(Int(1), Int(4), Int(8), Int(8), Int(4)), horner(Int(4), Int(8), Int(8), Int(4), Int(1)))
	return Bin(Div, num, den)
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
	if !IsNegAbs(e) || !Equal(e.Args[0].Args[0], m.Args[0]) {
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

// IsNegAbs reports whether n is -abs(v): the argument the log1p(exp(u)) rule
// produces, which must not be rewritten again, and one whose exp needs no
// clamp against overflow.
func IsNegAbs(n *Node) bool { return n.Kind == Neg && isCall(n.Args[0], "abs") }

// expNegAbs is exp(-abs(u)), the exp of the stable forms, which cannot overflow.
func expNegAbs(u *Node) *Node { return Fn("exp", Negate(Fn("abs", u))) }
