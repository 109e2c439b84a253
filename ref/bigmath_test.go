package ref

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"
)

// ---- helpers ----

func bf(v float64) *big.Float { return big.NewFloat(v) }

// pow2 returns sign·2^e exactly.
func pow2(sign float64, e int) *big.Float {
	return new(big.Float).SetMantExp(big.NewFloat(sign), e)
}

// parse reads a decimal literal at prec bits.
func parse(t *testing.T, s string, prec uint) *big.Float {
	t.Helper()
	v, _, err := big.ParseFloat(s, 10, prec, big.ToNearestEven)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

// agreeBits returns -log2(|got-want|/|want|): the number of leading bits in which
// got matches want. Equal values (including equal infinities and zeros) agree
// in infinitely many bits; a zero want and nonzero got in none.
func agreeBits(got, want *big.Float) float64 {
	if got.Cmp(want) == 0 && got.Signbit() == want.Signbit() {
		return math.Inf(1)
	}
	if want.Sign() == 0 || want.IsInf() || got.IsInf() {
		return math.Inf(-1)
	}
	d := new(big.Float).SetPrec(64).Sub(got, want)
	d.Quo(d, want)
	m := new(big.Float)
	e := d.MantExp(m)
	mf, _ := m.Float64()
	return -(math.Log2(math.Abs(mf)) + float64(e))
}

// show formats x for failure messages. Decimal formatting of a big.Float
// takes time proportional to its exponent, so values such as erfc(30000) ≈
// 2^-1.3e9 are shown as a float64 mantissa times a power of two instead.
func show(x *big.Float) string {
	if x == nil {
		return "nil"
	}
	if x.Sign() == 0 || x.IsInf() {
		return x.String()
	}
	m := new(big.Float)
	e := x.MantExp(m)
	if e > -3000 && e < 3000 {
		return x.Text('g', 45)
	}
	mf, _ := m.Float64()
	return fmt.Sprintf("%.17g×2^%d", mf, e)
}

// ordered maps float64s to integers that are consecutive for adjacent floats.
func ordered(v float64) int64 {
	b := math.Float64bits(v)
	if b>>63 == 1 {
		return -int64(b &^ (1 << 63))
	}
	return int64(b)
}

func ulpDist(a, b float64) uint64 {
	if a == b {
		return 0
	}
	d := ordered(a) - ordered(b)
	if d < 0 {
		d = -d
	}
	return uint64(d)
}

func isNormal(v float64) bool {
	return !math.IsInf(v, 0) && !math.IsNaN(v) && math.Abs(v) >= 0x1p-1022
}

// fn adapts every function to one signature; ok is false for NaN results.
type fn struct {
	name string
	f    func(x *big.Float, prec uint) (*big.Float, bool)
	std  func(float64) float64
	// ulps is how far the math package may be from the correctly rounded
	// result. math.Sinh (its polynomial for small |x|) and math.Erfc (a product
	// of two exp calls for x > 0.84) reach 2 ulps: e.g. math.Erfc(5.633748049552047)
	// = 1.6214859064084074e-15 where the correctly rounded value (confirmed
	// independently with mpmath) is 1.6214859064084078e-15.
	ulps uint64
}

func total(f func(*big.Float, uint) *big.Float) func(*big.Float, uint) (*big.Float, bool) {
	return func(x *big.Float, prec uint) (*big.Float, bool) { return f(x, prec), true }
}

var fns = []fn{
	{"Exp", total(Exp), math.Exp, 1},
	{"Expm1", total(Expm1), math.Expm1, 1},
	{"Log", Log, math.Log, 1},
	{"Log1p", Log1p, math.Log1p, 1},
	{"Sqrt", Sqrt, math.Sqrt, 1},
	{"Tanh", total(Tanh), math.Tanh, 1},
	{"Cosh", total(Cosh), math.Cosh, 1},
	{"Sinh", total(Sinh), math.Sinh, 2},
	{"Erf", total(Erf), math.Erf, 1},
	{"Erfc", total(Erfc), math.Erfc, 2},
}

func fnByName(name string) fn {
	for _, f := range fns {
		if f.name == name {
			return f
		}
	}
	panic(name)
}

// Random arguments. logUniform returns ±2^U(lo,hi)·(1+U(0,1)), which covers
// every binade in the range about equally.
func logUniform(r *rand.Rand, lo, hi float64, signed bool) float64 {
	v := math.Exp2(lo+(hi-lo)*r.Float64()) * (1 + r.Float64())
	if signed && r.IntN(2) == 0 {
		v = -v
	}
	return v
}

func seedOf(name string) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range []byte(name) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// points returns deterministic test arguments for the named function, chosen
// to cover its interesting ranges at float64 scale.
func points(name string, n int) []float64 {
	r := rand.New(rand.NewPCG(1, seedOf(name)))
	var ps []float64
	add := func(g func() float64) {
		for range n {
			ps = append(ps, g())
		}
	}
	switch name {
	case "Exp":
		add(func() float64 { return uniform(r, -745, 709.7) })
		add(func() float64 { return logUniform(r, -70, 9, true) })
		ps = append(ps, 0, 1, -1, 0.5, 709.78, -708.39, 1e-300, -1e-300)
	case "Expm1":
		add(func() float64 { return uniform(r, -60, 709.7) })
		add(func() float64 { return logUniform(r, -1070, 3, true) })
		ps = append(ps, 1e-310, -1e-310, 0.5, -0.5, 1, -1)
	case "Log":
		// Normal inputs only: math.Log on amd64 (assembly) does not normalize
		// subnormal arguments and returns about -709.09 for all of them.
		add(func() float64 { return logUniform(r, -1022, 1023, false) })
		add(func() float64 { return 1 + logUniform(r, -52, -1, true) })
		ps = append(ps, 1, 2, 0.5, math.SqrtPi, 0x1p-1022, math.MaxFloat64, math.E)
	case "Log1p":
		add(func() float64 { return logUniform(r, -1070, 0, true) * 0.49 })
		add(func() float64 { return logUniform(r, -2, 1022, false) })
		add(func() float64 { return -1 + logUniform(r, -52, -2, false) })
		ps = append(ps, -0.5, 0.5, 1, 1e-310, -1e-310, math.MaxFloat64)
	case "Sqrt":
		add(func() float64 { return logUniform(r, -1073, 1023, false) })
		ps = append(ps, 2, 4, 0.5, 5e-324)
	case "Tanh":
		add(func() float64 { return logUniform(r, -40, 5, true) })
		add(func() float64 { return uniform(r, -3, 3) })
		ps = append(ps, 1e-310, 0.625, -0.625, 19, 22)
	case "Cosh", "Sinh":
		add(func() float64 { return uniform(r, -710, 710) })
		add(func() float64 { return logUniform(r, -40, 6, true) })
		ps = append(ps, 1e-310, 0.5, 1, 710.4, -710.4)
	case "Erf":
		add(func() float64 { return logUniform(r, -40, 3, true) })
		add(func() float64 { return uniform(r, -7, 7) })
		ps = append(ps, 1e-310, 0.84375, 1.25, 2.857, 6, -6)
	case "Erfc":
		add(func() float64 { return uniform(r, -7, 27) })
		add(func() float64 { return logUniform(r, -40, 4.7, true) })
		ps = append(ps, 0.84375, 1.25, 2.857, 6, 10, 26.5, -6)
	}
	return ps
}

// ---- agreement with the math package ----

// TestAgainstMath checks every function against Go's math package, whose
// implementations are accurate to below one ulp: a correctly rounded oracle can
// then differ from them by at most one ulp.
func TestAgainstMath(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 200
	}
	for _, f := range fns {
		t.Run(f.name, func(t *testing.T) {
			fails := 0
			for _, x := range points(f.name, n) {
				want := f.std(x)
				if !isNormal(want) {
					continue
				}
				v, ok := f.f(bf(x), 53)
				if !ok {
					t.Errorf("%s(%g): not ok, math gives %g", f.name, x, want)
					continue
				}
				got, _ := v.Float64()
				if d := ulpDist(got, want); d > f.ulps {
					if fails++; fails <= 10 {
						t.Errorf("%s(%v) = %v, math: %v (%d ulp)", f.name, x, got, want, d)
					}
				}
			}
		})
	}
}

// ---- self-consistency across precisions ----

// bigPoints extends the float64 points with arguments float64 cannot hold:
// 300-bit mantissas (to catch inputs silently rounded to working precision)
// and exponents far outside float64's range.
func bigPoints(name string, n int) []*big.Float {
	r := rand.New(rand.NewPCG(2, seedOf(name)))
	var ps []*big.Float
	for _, v := range points(name, n) {
		x := bf(v)
		if r.IntN(2) == 0 {
			// Append 250 random bits below the float64 mantissa.
			tail := new(big.Float).SetPrec(300).SetUint64(r.Uint64())
			tail.SetMantExp(tail, x.MantExp(nil)-53-64)
			x = new(big.Float).SetPrec(300).Add(x, tail)
		}
		ps = append(ps, x)
	}
	more := func(vs ...*big.Float) { ps = append(ps, vs...) }
	switch name {
	case "Exp", "Expm1", "Cosh", "Sinh":
		more(bf(1e6), bf(-1e6), bf(-123456.789), bf(1.4e9), bf(-1.4e9), pow2(1, -3000), pow2(-1, -3000))
	case "Log":
		more(pow2(1, 100000), pow2(1, -100000), pow2(1, 1<<30), pow2(1, -(1<<30)),
			new(big.Float).SetPrec(400).Add(bf(1), pow2(1, -300)))
	case "Log1p":
		more(pow2(1, 100000), pow2(1, -3000), pow2(-1, -3000), bf(1e300))
	case "Tanh":
		more(pow2(1, -3000), pow2(-1, -3000), bf(100), bf(-139))
	case "Erf":
		more(pow2(1, -3000), bf(8), bf(-9.5), bf(12))
	case "Erfc":
		more(bf(30), bf(50), bf(100), bf(1000), bf(1e4), bf(30000), pow2(1, -3000), bf(-8))
	}
	return ps
}

func TestPrecisionConsistency(t *testing.T) {
	n := 60
	if testing.Short() {
		n = 15
	}
	for _, f := range fns {
		t.Run(f.name, func(t *testing.T) {
			for _, x := range bigPoints(f.name, n) {
				lo, ok1 := f.f(x, 200)
				hi, ok2 := f.f(x, 400)
				if ok1 != ok2 || !ok1 {
					t.Errorf("%s(%s): ok %v at 200 bits, %v at 400", f.name, show(x), ok1, ok2)
					continue
				}
				if b := agreeBits(lo, hi); b < 195 {
					t.Errorf("%s(%s): 200 and 400 bits agree to %.1f bits only\n 200: %s\n 400: %s",
						f.name, show(x), b, show(lo), show(hi))
				}
			}
		})
	}
}

// TestHighPrecision exercises precisions beyond any cached constant so far.
func TestHighPrecision(t *testing.T) {
	for _, f := range fns {
		for _, v := range []float64{0.3, 3.7, -2.2} {
			lo, ok1 := f.f(bf(v), 1000)
			hi, ok2 := f.f(bf(v), 1100)
			if !ok1 || !ok2 {
				continue // Log, Sqrt of a negative
			}
			if b := agreeBits(lo, hi); b < 995 {
				t.Errorf("%s(%g): 1000 and 1100 bits agree to %.1f bits only", f.name, v, b)
			}
		}
	}
}

// ---- identities at 300 bits ----

func TestIdentities(t *testing.T) {
	const prec = 300
	r := rand.New(rand.NewPCG(3, 3))
	check := func(what string, x float64, got, want *big.Float, bits float64) {
		t.Helper()
		if b := agreeBits(got, want); b < bits {
			t.Errorf("%s at x=%.17g: agree to %.1f bits, want %g\n got:  %s\n want: %s", what, x, b, bits, show(got), show(want))
		}
	}
	n := 100
	if testing.Short() {
		n = 25
	}
	for range n {
		// erf + erfc = 1, checked as an absolute error (erfc may be tiny).
		x := uniform(r, -6, 6)
		s := new(big.Float).SetPrec(2*prec).Add(Erf(bf(x), prec), Erfc(bf(x), prec))
		s.Sub(s, bf(1))
		if s.Sign() != 0 && s.MantExp(nil) > -prec+4 {
			t.Errorf("erf+erfc-1 at %g = %s", x, show(s))
		}
		// erfc(-x) = 2 - erfc(x): the two use different branches.
		x = uniform(r, 0, 4)
		d := new(big.Float).SetPrec(2*prec).Sub(bf(2), Erfc(bf(x), prec))
		check("erfc(-x) = 2-erfc(x)", -x, Erfc(bf(-x), prec), d, prec-4)

		// exp(log(x)) = x; log's absolute error |log x|·2^-300 becomes exp's relative error.
		x = logUniform(r, -1000, 1000, false)
		l, _ := Log(bf(x), prec)
		check("exp(log(x))", x, Exp(l, prec), bf(x), prec-16)

		// expm1(x) = exp(x)-1 and the hyperbolics from exp at a higher precision.
		x = logUniform(r, -8, 5, true)
		e := Exp(bf(x), 2*prec)
		em := new(big.Float).SetPrec(2*prec).Sub(e, bf(1))
		check("expm1 = exp-1", x, Expm1(bf(x), prec), em, prec-4)
		ch := new(big.Float).SetPrec(2*prec).Quo(bf(1), e)
		sh := new(big.Float).SetPrec(2*prec).Sub(e, ch)
		ch.Add(ch, e)
		check("cosh = (e^x+e^-x)/2", x, Cosh(bf(x), prec), ch.SetMantExp(ch, -1), prec-4)
		check("sinh = (e^x-e^-x)/2", x, Sinh(bf(x), prec), sh.SetMantExp(sh, -1), prec-4)
		e2 := Exp(bf(2*x), 2*prec)
		num := new(big.Float).SetPrec(2*prec).Sub(e2, bf(1))
		den := new(big.Float).SetPrec(2*prec).Add(e2, bf(1))
		check("tanh = (e^2x-1)/(e^2x+1)", x, Tanh(bf(x), prec), num.Quo(num, den), prec-4)

		// log1p(x) = log(1+x) with 1+x exact.
		x = logUniform(r, -40, 10, false)
		if r.IntN(2) == 0 {
			x = -x / (1 + x)
		}
		onePlus := new(big.Float).SetPrec(2*prec).Add(bf(1), bf(x))
		l1, _ := Log1p(bf(x), prec)
		l2, _ := Log(onePlus, 2*prec)
		check("log1p(x) = log(1+x)", x, l1, l2, prec-4)

		// sqrt(x)² = x.
		x = logUniform(r, -1000, 1000, false)
		sq, _ := Sqrt(bf(x), prec)
		check("sqrt(x)^2", x, new(big.Float).SetPrec(2*prec).Mul(sq, sq), bf(x), prec-2)
	}
}

// ---- small arguments against their Taylor series ----

// TestTinyArguments compares functions of small x with a few terms of their
// Taylor series, summed exactly enough at 1000 bits: this is where a formula
// with a hidden 1-1 cancellation would lose everything.
func TestTinyArguments(t *testing.T) {
	const prec = 200
	type series func(x *big.Float) *big.Float
	p := func(x *big.Float, k int) *big.Float { // x^k at 1000 bits
		z := new(big.Float).SetPrec(1000).SetInt64(1)
		for range k {
			z.Mul(z, x)
		}
		return z
	}
	sum := func(x *big.Float, coef ...float64) *big.Float { // Σ coef[i]·x^(i+1)
		z := new(big.Float).SetPrec(1000)
		for i, c := range coef {
			if c != 0 {
				term := new(big.Float).SetPrec(1000).Quo(p(x, i+1), bf(1/c))
				z.Add(z, term)
			}
		}
		return z
	}
	twoOverSqrtPi := new(big.Float).SetPrec(1000).Sqrt(Pi(1100))
	twoOverSqrtPi.Quo(bf(2), twoOverSqrtPi)
	cases := []struct {
		name string
		f    func(*big.Float, uint) *big.Float
		s    series
	}{
		{"Expm1", Expm1, func(x *big.Float) *big.Float { return sum(x, 1, 1./2, 1./6, 1./24, 1./120, 1./720, 1./5040, 1./40320) }},
		{"Log1p", func(x *big.Float, prec uint) *big.Float { v, _ := Log1p(x, prec); return v },
			func(x *big.Float) *big.Float { return sum(x, 1, -1./2, 1./3, -1./4, 1./5, -1./6, 1./7, -1./8) }},
		{"Tanh", Tanh, func(x *big.Float) *big.Float { return sum(x, 1, 0, -1./3, 0, 2./15, 0, -17./315) }},
		{"Sinh", Sinh, func(x *big.Float) *big.Float { return sum(x, 1, 0, 1./6, 0, 1./120, 0, 1./5040) }},
		{"Erf", Erf, func(x *big.Float) *big.Float {
			s := sum(x, 1, 0, -1./3, 0, 1./10, 0, -1./42)
			return s.Mul(s, twoOverSqrtPi)
		}},
	}
	for _, c := range cases {
		for _, e := range []int{-30, -45, -60, -100, -1100, -100000} {
			for _, sign := range []float64{1, -1} {
				x := pow2(sign*1.6180339887, e)
				got := c.f(x, prec)
				want := c.s(x)
				// The first omitted term is below x^8 ≤ 2^-240 relative.
				if b := agreeBits(got, want); b < prec-1 {
					t.Errorf("%s(%s): agrees with its series to %.1f bits", c.name, show(x), b)
				}
			}
		}
	}
	// Log of values just above and below 1, where x-1 is exact.
	for _, e := range []int{-30, -100, -300} {
		for _, sign := range []float64{1, -1} {
			d := pow2(sign*1.25, e)
			x := new(big.Float).SetPrec(400).Add(bf(1), d)
			got, _ := Log(x, prec)
			want := sum(d, 1, -1./2, 1./3, -1./4, 1./5, -1./6, 1./7, -1./8)
			if b := agreeBits(got, want); b < prec-1 {
				t.Errorf("Log(1+%s): agrees with its series to %.1f bits", show(d), b)
			}
		}
	}
}

// ---- hard values ----

func TestConstants(t *testing.T) {
	cases := []struct {
		name string
		f    func(uint) *big.Float
		want string
	}{
		{"Pi", Pi, "3.14159265358979323846264338327950288419716939937510"},
		{"E", E, "2.71828182845904523536028747135266249775724709369995"},
		{"Ln2", Ln2, "0.69314718055994530941723212145817656807550013436025"},
	}
	for _, c := range cases {
		for _, prec := range []uint{24, 53, 64, 113, 166, 200, 1000, 3000} {
			got := c.f(prec)
			if got.Prec() != prec {
				t.Errorf("%s(%d) has precision %d", c.name, prec, got.Prec())
			}
			want := parse(t, c.want, 400)
			// The literal is good to about 1e-50 ≈ 2^-166; the result to 2^-(prec-1).
			need := math.Min(float64(prec)-1, 162)
			if b := agreeBits(got, want); b < need {
				t.Errorf("%s(%d) = %s agrees with %s to %.1f bits", c.name, prec, show(got), c.want, b)
			}
		}
		// Lower precisions must be the higher one rounded.
		hi := c.f(3000)
		for _, prec := range []uint{53, 64, 100, 300, 2000} {
			if lo := c.f(prec); lo.Cmp(new(big.Float).SetPrec(prec).Set(hi)) != 0 {
				t.Errorf("%s(%d) is not %s(3000) rounded", c.name, prec, c.name)
			}
		}
	}
}

// erfcAsymptotic returns erfc(x) for a positive integer x >= 10 from
//
//	erfc(x) = e^{-x²}/(x√π) · Σ_n (-1)^n (2n-1)!!/(2x²)^n,
//
// an enveloping series (its error is below the first omitted term), summed
// while the terms still shrink and are above 2^-prec. e^{-x²} comes from
// (1/e)^{x²} by repeated squaring, independently of Exp.
func erfcAsymptotic(x int64, prec uint) *big.Float {
	wp := prec + 64
	n2 := x * x
	inv := new(big.Float).SetPrec(wp).Quo(bf(1), E(wp))
	pw := new(big.Float).SetPrec(wp).SetInt64(1)
	for b := 62; b >= 0; b-- {
		pw.Mul(pw, pw)
		if n2>>uint(b)&1 == 1 {
			pw.Mul(pw, inv)
		}
	}
	sum := new(big.Float).SetPrec(wp).SetInt64(1)
	term := new(big.Float).SetPrec(wp).SetInt64(1)
	twoX2 := new(big.Float).SetPrec(wp).SetInt64(2 * n2)
	for n := int64(1); ; n++ {
		next := new(big.Float).SetPrec(wp).Mul(term, new(big.Float).SetInt64(-(2*n - 1)))
		next.Quo(next, twoX2)
		if new(big.Float).Abs(next).Cmp(new(big.Float).Abs(term)) >= 0 || next.Sign() == 0 || next.MantExp(nil) < -int(prec)-8 {
			break
		}
		term = next
		sum.Add(sum, term)
	}
	d := new(big.Float).SetPrec(wp).Sqrt(Pi(wp))
	d.Mul(d, new(big.Float).SetInt64(x))
	sum.Mul(sum, pw)
	return sum.Quo(sum, d)
}

func TestErfcLarge(t *testing.T) {
	// Where the asymptotic series is good to prec bits.
	for _, x := range []int64{27, 50, 60, 70, 80, 90, 100, 1000, 30000, 38000} {
		for _, prec := range []uint{53, 200} {
			want := erfcAsymptotic(x, prec+10)
			got := Erfc(bf(float64(x)), prec)
			if got.Sign() <= 0 {
				t.Errorf("Erfc(%d) = %s, want %s", x, show(got), show(want))
				continue
			}
			if b := agreeBits(got, want); b < float64(prec)-1 {
				t.Errorf("Erfc(%d) at %d bits = %s, asymptotic %s: %.1f bits", x, prec, show(got), show(want), b)
			}
		}
	}
	// At x = 10 the asymptotic series is only good to about 140 bits.
	if b := agreeBits(Erfc(bf(10), 200), erfcAsymptotic(10, 130)); b < 125 {
		t.Errorf("Erfc(10) agrees with the asymptotic series to %.1f bits", b)
	}
	// Published values.
	for _, c := range []struct {
		x    float64
		want string
	}{
		{10, "2.088487583762544757000786294957788611560818e-45"},
		{27, "5.2370489237892556850160676828e-319"},
	} {
		if b := agreeBits(Erfc(bf(c.x), 200), parse(t, c.want, 200)); b < 80 {
			t.Errorf("Erfc(%g) agrees with %s to %.1f bits", c.x, c.want, b)
		}
	}
	// Erfc(38700) = e^{-1.498e9}·… is below 2^MinExp.
	if v := Erfc(bf(38700), 100); v.Sign() != 0 || v.Signbit() {
		t.Errorf("Erfc(38700) = %s, want +0", show(v))
	}
}

// ---- special and extreme inputs ----

func TestSpecialValues(t *testing.T) {
	inf, ninf := new(big.Float).SetInf(false), new(big.Float).SetInf(true)
	zero, nzero := new(big.Float), new(big.Float).Neg(new(big.Float))
	huge, nhuge := pow2(1, 3000), pow2(-1, 3000)
	tiny, ntiny := pow2(1, -1100), pow2(-1, -1100)
	const prec = 113
	cases := []struct {
		name string
		x    *big.Float
		want *big.Float // nil: not ok (NaN)
	}{
		{"Exp", huge, inf}, {"Exp", nhuge, zero}, {"Exp", inf, inf}, {"Exp", ninf, zero},
		{"Exp", zero, bf(1)}, {"Exp", nzero, bf(1)}, {"Exp", tiny, bf(1)}, {"Exp", ntiny, bf(1)},
		{"Exp", bf(1.5e9), inf}, {"Exp", bf(-1.5e9), zero}, {"Exp", pow2(1, 40), inf},

		{"Expm1", huge, inf}, {"Expm1", nhuge, bf(-1)}, {"Expm1", inf, inf}, {"Expm1", ninf, bf(-1)},
		{"Expm1", zero, zero}, {"Expm1", nzero, nzero}, {"Expm1", tiny, tiny}, {"Expm1", ntiny, ntiny},
		{"Expm1", bf(-1000), bf(-1)},

		{"Log", zero, ninf}, {"Log", nzero, ninf}, {"Log", inf, inf}, {"Log", bf(1), zero},
		{"Log", bf(-1), nil}, {"Log", ninf, nil}, {"Log", ntiny, nil},

		{"Log1p", bf(-1), ninf}, {"Log1p", bf(-2), nil}, {"Log1p", ninf, nil}, {"Log1p", inf, inf},
		{"Log1p", zero, zero}, {"Log1p", nzero, nzero}, {"Log1p", tiny, tiny}, {"Log1p", ntiny, ntiny},
		{"Log1p", nhuge, nil},

		{"Sqrt", bf(-1), nil}, {"Sqrt", ninf, nil}, {"Sqrt", nzero, nzero}, {"Sqrt", zero, zero},
		{"Sqrt", inf, inf}, {"Sqrt", bf(4), bf(2)}, {"Sqrt", huge, pow2(1, 1500)}, {"Sqrt", tiny, pow2(1, -550)},

		{"Tanh", huge, bf(1)}, {"Tanh", nhuge, bf(-1)}, {"Tanh", inf, bf(1)}, {"Tanh", ninf, bf(-1)},
		{"Tanh", zero, zero}, {"Tanh", nzero, nzero}, {"Tanh", tiny, tiny}, {"Tanh", ntiny, ntiny},
		{"Tanh", bf(200), bf(1)},

		{"Cosh", inf, inf}, {"Cosh", ninf, inf}, {"Cosh", huge, inf}, {"Cosh", nhuge, inf},
		{"Cosh", zero, bf(1)}, {"Cosh", nzero, bf(1)}, {"Cosh", tiny, bf(1)},

		{"Sinh", inf, inf}, {"Sinh", ninf, ninf}, {"Sinh", huge, inf}, {"Sinh", nhuge, ninf},
		{"Sinh", zero, zero}, {"Sinh", nzero, nzero}, {"Sinh", tiny, tiny}, {"Sinh", ntiny, ntiny},

		{"Erf", huge, bf(1)}, {"Erf", nhuge, bf(-1)}, {"Erf", inf, bf(1)}, {"Erf", ninf, bf(-1)},
		{"Erf", zero, zero}, {"Erf", nzero, nzero}, {"Erf", bf(30), bf(1)}, {"Erf", bf(-30), bf(-1)},

		{"Erfc", inf, zero}, {"Erfc", ninf, bf(2)}, {"Erfc", huge, zero}, {"Erfc", nhuge, bf(2)},
		{"Erfc", pow2(1, 100), zero}, {"Erfc", zero, bf(1)}, {"Erfc", nzero, bf(1)},
		{"Erfc", tiny, bf(1)}, {"Erfc", ntiny, bf(1)}, {"Erfc", bf(-30), bf(2)},
	}
	for _, c := range cases {
		got, ok := fnByName(c.name).f(c.x, prec)
		switch {
		case c.want == nil:
			if ok || got != nil {
				t.Errorf("%s(%s) = %s, %v; want nil, false (NaN)", c.name, show(c.x), show(got), ok)
			}
		case !ok:
			t.Errorf("%s(%s): not ok, want %s", c.name, show(c.x), show(c.want))
		case got.Cmp(c.want) != 0 || got.Signbit() != c.want.Signbit():
			t.Errorf("%s(%s) = %s, want %s", c.name, show(c.x), show(got), show(c.want))
		}
	}

	// Results that depend on the constants.
	ln2 := Ln2(400)
	for _, c := range []struct {
		name string
		x    *big.Float
		want *big.Float
	}{
		{"Log", huge, new(big.Float).Mul(ln2, bf(3000))},
		{"Log", tiny, new(big.Float).Mul(ln2, bf(-1100))},
		{"Log1p", huge, new(big.Float).Mul(ln2, bf(3000))},
		{"Log", pow2(1, 1<<30), new(big.Float).Mul(ln2, bf(1<<30))},
		{"Erf", tiny, new(big.Float).Quo(pow2(1, -1099), new(big.Float).SetPrec(400).Sqrt(Pi(400)))},
		{"Exp", bf(1), E(400)},
	} {
		got, _ := fnByName(c.name).f(c.x, prec)
		if b := agreeBits(got, c.want); b < prec-1 {
			t.Errorf("%s(%s) = %s, want %s (%.1f bits)", c.name, show(c.x), show(got), show(c.want), b)
		}
	}

	// Near the ends of big.Float's exponent range the results stay finite and
	// nonzero as long as they are representable.
	if v := Exp(bf(1.48e9), 64); v.IsInf() || v.MantExp(nil) < 2100000000 {
		t.Errorf("Exp(1.48e9) = %s", show(v))
	}
	if v := Exp(bf(-1.48e9), 64); v.Sign() == 0 {
		t.Errorf("Exp(-1.48e9) = 0")
	}
	if v := Erfc(bf(38000), 64); v.Sign() == 0 {
		t.Errorf("Erfc(38000) = 0, want about 2^-2.08e9")
	}
}

// TestNoPanicNoAliasing runs every function on awkward inputs at several
// precisions: none may panic, modify its argument, or return a result of the
// wrong precision.
func TestNoPanicNoAliasing(t *testing.T) {
	long := new(big.Float).SetPrec(5000).SetInt64(1)
	long.Quo(long, bf(3))
	longNearOne := new(big.Float).SetPrec(5000).Add(bf(1), pow2(1, -4000))
	var xs []*big.Float
	for _, v := range []float64{0, 1, 0.5, 0.7071067811865476, 2, 3.5, 6, 26.5, 27.3, 709.8, 710.5, 745.2,
		1e9, 1.4885e9, 1.49e9, 2147483648, 4294967296, 8589934592, 1e300, math.MaxFloat64, 5e-324, 1e-310} {
		xs = append(xs, bf(v), bf(-v))
	}
	for _, e := range []int{-100000, -3000, -1100, 31, 32, 33, 3000, 100000, 1 << 30} {
		xs = append(xs, pow2(1, e), pow2(-1, e))
	}
	xs = append(xs, new(big.Float).SetInf(false), new(big.Float).SetInf(true), long, longNearOne,
		new(big.Float).Neg(long), new(big.Float).SetPrec(100).Sub(bf(-1), pow2(1, -60)), new(big.Float).SetPrec(300).Add(bf(-1), pow2(1, -200)))
	for _, f := range fns {
		for _, x := range xs {
			for _, prec := range []uint{0, 24, 53, 200} {
				before := new(big.Float).Copy(x)
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s(%s, %d) panicked: %v", f.name, show(x), prec, r)
						}
					}()
					v, ok := f.f(x, prec)
					if ok {
						want := fixPrec(prec)
						if v == nil || v.Prec() != want {
							t.Errorf("%s(%s, %d): result %s with wrong precision", f.name, show(x), prec, show(v))
						}
						if v == x {
							t.Errorf("%s(%s): returned its argument", f.name, show(x))
						}
					}
				}()
				if x.Cmp(before) != 0 || x.Prec() != before.Prec() || x.Signbit() != before.Signbit() {
					t.Errorf("%s modified its argument %s", f.name, show(before))
				}
			}
		}
	}
}

// TestConcurrent evaluates from several goroutines at fresh precisions, so that
// the constant caches are filled concurrently, and compares with sequential
// results. Run with -race to check the caches' locking.
// TestAddSub checks that add and sub round exactly like big.Float's Add and
// Sub (value, sign and direction) around the gap where they switch to a
// stand-in, also for an x with more bits than z that lies on a midpoint of
// z's precision, where only the dropped operand decides the rounding.
func TestAddSub(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	randFloat := func(prec uint, exp int) *big.Float {
		m := new(big.Int)
		for m.BitLen() < int(prec) {
			m.Lsh(m, 64).Or(m, new(big.Int).SetUint64(r.Uint64()|1<<63))
		}
		m.Rsh(m, uint(m.BitLen())-prec) // prec bits, the top one set
		x := newFloat(prec).SetInt(m)
		if r.IntN(2) == 0 {
			x.Neg(x)
		}
		return x.SetMantExp(x, exp-int(prec))
	}
	for range 20000 {
		zp := []uint{24, 53, 64, 100}[r.IntN(4)]
		xp := uint(2 + r.IntN(int(zp)+70))
		x := randFloat(xp, 0)
		if xp > zp+1 && r.IntN(3) == 0 {
			// Make x a midpoint of zp bits: bit zp+1 set, the rest clear.
			m := new(big.Float)
			e := x.MantExp(m)
			m.SetMantExp(m, int(zp)+1)
			i, _ := m.Int(nil)
			i.Abs(i).SetBit(i, 0, 1)
			x = newFloat(xp).SetInt(i)
			x.SetMantExp(x, e-int(zp)-1)
		}
		y := randFloat(uint(1+r.IntN(100)), -r.IntN(int(zp+xp)+12))
		for _, op := range []struct {
			name      string
			ours, big func(z, x, y *big.Float) *big.Float
		}{
			{"add", add, (*big.Float).Add},
			{"sub", sub, (*big.Float).Sub},
		} {
			for _, xy := range [][2]*big.Float{{x, y}, {y, x}} {
				got := op.ours(newFloat(zp), xy[0], xy[1])
				want := op.big(newFloat(zp), xy[0], xy[1])
				if got.Cmp(want) != 0 || got.Signbit() != want.Signbit() || got.Acc() != want.Acc() {
					t.Fatalf("%s(%s, %s) at %d bits = %s (%v), want %s (%v)", op.name,
						xy[0].Text('p', 0), xy[1].Text('p', 0), zp, got.Text('p', 0), got.Acc(), want.Text('p', 0), want.Acc())
				}
			}
		}
	}
	// Operands 2^30 bits apart would take big.Float 2^30 bits of alignment.
	if got := add(newFloat(64), bigOne, pow2(1, -1<<30)); got.Cmp(bigOne) != 0 || got.Acc() != big.Below {
		t.Errorf("1 + 2^-2^30 = %s (%v), want 1 (Below)", show(got), got.Acc())
	}
	if got := sub(newFloat(64), bigOne, pow2(1, -1<<30)); got.Cmp(bigOne) != 0 || got.Acc() != big.Above {
		t.Errorf("1 - 2^-2^30 = %s (%v), want 1 (Above)", show(got), got.Acc())
	}
}

func TestConcurrent(t *testing.T) {
	precs := []uint{71, 89, 131, 257, 509}
	xs := []float64{-3.3, -0.4, 0.2, 1.9, 5.5, 12}
	var wg sync.WaitGroup
	results := make([][]string, 4)
	for g := range results {
		wg.Go(func() {
			for _, prec := range precs {
				for _, x := range xs {
					for _, f := range fns {
						v, ok := f.f(bf(x), prec)
						if ok {
							results[g] = append(results[g], v.Text('p', 0))
						}
					}
				}
			}
		})
	}
	wg.Wait()
	for g := 1; g < len(results); g++ {
		if fmt.Sprint(results[g]) != fmt.Sprint(results[0]) {
			t.Fatalf("goroutine %d got different results", g)
		}
	}
}

// ---- benchmarks ----

func BenchmarkExp(b *testing.B) {
	for _, prec := range []uint{128, 256} {
		for _, x := range []float64{0.3, -20.5, 700} {
			b.Run(fmt.Sprintf("prec=%d/x=%g", prec, x), func(b *testing.B) {
				v := bf(x)
				for b.Loop() {
					Exp(v, prec)
				}
			})
		}
	}
}

func BenchmarkErfc(b *testing.B) {
	for _, prec := range []uint{128, 256} {
		for _, x := range []float64{-1.5, 0.5, 2, 4, 6, 10, 27} {
			b.Run(fmt.Sprintf("prec=%d/x=%g", prec, x), func(b *testing.B) {
				v := bf(x)
				for b.Loop() {
					Erfc(v, prec)
				}
			})
		}
	}
}

func BenchmarkOthers(b *testing.B) {
	for _, f := range fns {
		if f.name == "Exp" || f.name == "Erfc" {
			continue
		}
		for _, prec := range []uint{128, 256} {
			b.Run(fmt.Sprintf("%s/prec=%d/x=1.7", f.name, prec), func(b *testing.B) {
				v := bf(1.7)
				for b.Loop() {
					f.f(v, prec)
				}
			})
		}
	}
}
