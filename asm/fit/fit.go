package fit

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"sync"
)

// Defaults for the zero values of the optional Problem fields.
const (
	DefaultPrec    = 256  // working precision in bits
	DefaultTol     = 1e-3 // levelling tolerance of the reference errors
	DefaultMaxIter = 60   // exchange iterations before giving up
)

// Errors reported by Remez, wrapped with context; test them with errors.Is.
var (
	// ErrProblem reports a malformed or unsupported Problem.
	ErrProblem = errors.New("invalid problem")
	// ErrSingular reports a reference system that cannot be solved, which
	// means the weighted basis is not a Haar system on the reference.
	ErrSingular = errors.New("singular reference system")
	// ErrNoConvergence reports that the reference errors did not level
	// within Problem.MaxIter iterations.
	ErrNoConvergence = errors.New("no convergence")
)

// Problem describes a fit of p(t) = Σ_k c_k · t^Powers[k] to F on [Lo, Hi].
type Problem struct {
	// F is the target function. It is called, from one goroutine at a
	// time, with a fresh copy of a point t (which it may keep or modify)
	// and a precision in bits, and must return F(t) accurate to about that
	// many bits, or nil where F is undefined. Remez calls on different
	// Problems may run concurrently if their F functions allow it.
	F func(t *big.Float, prec uint) *big.Float

	// Lo and Hi bound the (closed, finite) interval of the fit; Lo < Hi.
	Lo, Hi float64

	// Powers are the exponents of the basis, strictly increasing and
	// nonnegative, e.g. {0,1,2,3,4,5} or odd {1,3,5,7}. Gapped powers are
	// rejected on an interval with 0 in its interior, where they do not
	// form a Haar system.
	Powers []int

	// Relative selects minimizing the maximum relative error |p-F|/|F|
	// instead of the absolute error |p-F|. F must not vanish on [Lo, Hi]
	// except at t = 0 with a zero of order exactly Powers[0] ≥ 1, where
	// the relative error has a finite limit (odd F with odd powers, or
	// log1p with powers from 1). Such a point t = 0 is evaluated at a
	// displacement of (Hi-Lo)·2^-60 toward the interior.
	Relative bool

	// Prec is the working precision in bits; 0 means DefaultPrec (256).
	// It must be at least 64.
	Prec uint

	// Tol is the stopping criterion: iteration ends when the weighted
	// errors at the new reference satisfy (max-min)/max < Tol.
	// 0 means DefaultTol (1e-3).
	Tol float64

	// MaxIter bounds the number of exchange iterations; 0 means
	// DefaultMaxIter (60).
	MaxIter int
}

// Result is a converged minimax fit.
type Result struct {
	// Coeffs holds one coefficient per Powers entry, at the working
	// precision.
	Coeffs []*big.Float

	// MaxErr is the maximum magnitude of the weighted error (relative or
	// absolute, as the Problem asked) of the polynomial with the exact
	// coefficients Coeffs, found by a dense check (see MaxError); MaxErrAt
	// is where it is attained.
	MaxErr, MaxErrAt float64

	// Level is |E|, the levelled error of the last reference system; the
	// true minimax error lies between Level and MaxErr.
	Level float64

	// Ref is the final reference: len(Powers)+1 increasing points where
	// the weighted error alternates in sign, and RefErr holds the signed
	// weighted error of Coeffs at those points (equal in magnitude to
	// within Problem.Tol).
	Ref, RefErr []float64

	// Iterations counts the reference systems solved.
	Iterations int

	// Evals counts the evaluations of F, including the dense check.
	Evals int

	ft *fitter // for MaxErrRounded; shares the cache of F values
}

// Float64s returns the coefficients rounded to nearest float64.
func (r Result) Float64s() []float64 {
	out := make([]float64, len(r.Coeffs))
	for i, c := range r.Coeffs {
		out[i], _ = c.Float64()
	}
	return out
}

// Float32s returns the coefficients rounded to nearest float32, as float64
// values (exactly representable as float32).
func (r Result) Float32s() []float64 {
	out := make([]float64, len(r.Coeffs))
	for i, c := range r.Coeffs {
		f, _ := c.Float32()
		out[i] = float64(f)
	}
	return out
}

// MaxErrRounded is MaxError for the Problem of r, typically for
// r.Float64s() or r.Float32s(): the maximum weighted error of the
// polynomial with the given coefficients, evaluated exactly, and where it is
// attained. It reuses the target values cached by the fit, so it is cheaper
// than MaxError, and it is safe for concurrent use. It returns NaN, NaN if
// len(coeffs) does not match or r is not the result of a successful Remez.
func (r Result) MaxErrRounded(coeffs []float64) (maxErr, at float64) {
	if r.ft == nil || len(coeffs) != len(r.ft.pw) {
		return math.NaN(), math.NaN()
	}
	r.ft.mu.Lock()
	defer r.ft.mu.Unlock()
	m, a, err := r.ft.denseMax(r.ft.bigCoeffs(coeffs))
	if err != nil {
		return math.NaN(), math.NaN()
	}
	return m, a
}

// MaxError returns the maximum weighted error (relative or absolute, as p
// asks) of the polynomial Σ coeffs[k]·t^Powers[k] on [Lo, Hi] and a point
// where it is attained. The coefficients are taken exactly and the
// polynomial and F are evaluated in big.Float at p.Prec bits, so the result
// is the error of the coefficients alone, without the rounding errors of a
// float evaluation. The error is sampled on 4001 equally spaced points and
// 1001 Chebyshev points (clustered at the ends), and the largest sample of
// every run of equal sign is refined to the local maximum by Brent's method.
// MaxError returns NaN, NaN if p is invalid, len(coeffs) != len(p.Powers),
// a coefficient is not finite, or F fails on the interval.
func MaxError(p Problem, coeffs []float64) (maxErr float64, at float64) {
	ft, err := newFitter(p)
	if err != nil || len(coeffs) != len(ft.pw) {
		return math.NaN(), math.NaN()
	}
	for _, c := range coeffs {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return math.NaN(), math.NaN()
		}
	}
	m, a, err := ft.denseMax(ft.bigCoeffs(coeffs))
	if err != nil {
		return math.NaN(), math.NaN()
	}
	return m, a
}

// Remez computes the minimax fit described by p with the Remez exchange
// algorithm. It returns an error wrapping ErrProblem for a malformed
// problem, ErrSingular if a reference system cannot be solved, and
// ErrNoConvergence if the errors do not level within p.MaxIter iterations.
func Remez(p Problem) (Result, error) {
	ft, err := newFitter(p)
	if err != nil {
		return Result{}, fmt.Errorf("fit.Remez: %w", err)
	}
	res, err := ft.remez()
	if err != nil {
		return Result{}, fmt.Errorf("fit.Remez on [%g, %g] with powers %v (relative=%v): %w",
			ft.lo, ft.hi, ft.pw, ft.rel, err)
	}
	return res, nil
}

// fitter is a validated Problem with its cache of target values.
type fitter struct {
	f       func(*big.Float, uint) *big.Float
	lo, hi  float64
	pw      []int
	rel     bool
	prec    uint
	tol     float64
	maxIter int
	nudge   float64 // abscissa standing in for t = 0 where a relative F vanishes; 0 if none
	scale   float64 // error magnitude below which the fit counts as exact
	cache   map[float64]*point
	evals   int
	mu      sync.Mutex // guards cache and evals for MaxErrRounded
}

// point is a sample position with its target value.
type point struct {
	x *big.Float // abscissa at which p and F are evaluated: t, or nudge for t = 0
	f *big.Float // F(x)
}

func newFitter(p Problem) (*fitter, error) {
	ft := &fitter{
		f: p.F, lo: p.Lo, hi: p.Hi, rel: p.Relative,
		prec: p.Prec, tol: p.Tol, maxIter: p.MaxIter,
		cache: make(map[float64]*point),
	}
	switch {
	case p.F == nil:
		return nil, fmt.Errorf("%w: F is nil", ErrProblem)
	case math.IsNaN(p.Lo) || math.IsNaN(p.Hi) || math.IsInf(p.Lo, 0) || math.IsInf(p.Hi, 0):
		return nil, fmt.Errorf("%w: interval [%g, %g] is not finite", ErrProblem, p.Lo, p.Hi)
	case p.Lo >= p.Hi:
		return nil, fmt.Errorf("%w: Lo = %g is not below Hi = %g", ErrProblem, p.Lo, p.Hi)
	case len(p.Powers) == 0:
		return nil, fmt.Errorf("%w: no powers", ErrProblem)
	case p.Prec != 0 && p.Prec < 64:
		return nil, fmt.Errorf("%w: precision %d is below 64 bits", ErrProblem, p.Prec)
	case p.Tol < 0 || p.Tol >= 1 || math.IsNaN(p.Tol):
		return nil, fmt.Errorf("%w: tolerance %g is not in [0, 1)", ErrProblem, p.Tol)
	case p.MaxIter < 0:
		return nil, fmt.Errorf("%w: MaxIter %d is negative", ErrProblem, p.MaxIter)
	}
	for i, k := range p.Powers {
		if k < 0 {
			return nil, fmt.Errorf("%w: negative power %d", ErrProblem, k)
		}
		if i > 0 && k <= p.Powers[i-1] {
			return nil, fmt.Errorf("%w: powers %v are not strictly increasing", ErrProblem, p.Powers)
		}
	}
	ft.pw = append([]int(nil), p.Powers...)
	if ft.prec == 0 {
		ft.prec = DefaultPrec
	}
	if ft.tol == 0 {
		ft.tol = DefaultTol
	}
	if ft.maxIter == 0 {
		ft.maxIter = DefaultMaxIter
	}
	n := len(ft.pw)
	p0 := ft.pw[0]
	straddles := ft.lo < 0 && 0 < ft.hi
	if straddles && ft.pw[n-1]-p0 != n-1 {
		return nil, fmt.Errorf("%w: gapped powers %v are not a Haar system on [%g, %g], which contains 0; "+
			"fit on [0, %g] instead", ErrProblem, ft.pw, ft.lo, ft.hi, math.Max(-ft.lo, ft.hi))
	}
	if straddles && !ft.rel && p0 > 0 {
		return nil, fmt.Errorf("%w: absolute fit with powers %v, which all vanish at 0 inside [%g, %g]",
			ErrProblem, ft.pw, ft.lo, ft.hi)
	}
	if p0 > 0 && ft.lo <= 0 && 0 <= ft.hi {
		if err := ft.checkZero(); err != nil {
			return nil, err
		}
	}
	ft.scale = math.Ldexp(1, -int(ft.prec)+32)
	if !ft.rel {
		// Absolute errors are measured against the size of F.
		var fmax float64
		for _, t := range chebPoints(ft.lo, ft.hi, 16) {
			pt, err := ft.at(t)
			if err != nil {
				return nil, err
			}
			v, _ := pt.f.Float64()
			fmax = math.Max(fmax, math.Abs(v))
		}
		ft.scale *= math.Max(fmax, math.SmallestNonzeroFloat64)
	}
	return ft, nil
}

// checkZero validates the behaviour of F at t = 0 when the basis vanishes
// there (Powers[0] > 0) and 0 is in the interval, and sets up the nudge of a
// relative fit.
func (ft *fitter) checkZero() error {
	p0 := ft.pw[0]
	f0, err := ft.eval(new(big.Float).SetPrec(ft.prec))
	if err != nil {
		return err
	}
	if f0.Sign() != 0 {
		return fmt.Errorf("%w: every basis power in %v vanishes at t = 0 but F(0) = %.6g",
			ErrProblem, ft.pw, f0)
	}
	if !ft.rel {
		return nil // the error vanishes at 0; the exchange never picks that point
	}
	d := math.Ldexp(ft.hi-ft.lo, -60)
	if ft.hi <= 0 {
		d = -d
	}
	// F(t)/t^p0 must tend to a finite nonzero limit: compare it at d and 2d.
	var r [2]*big.Float
	for i, x := range []float64{d, 2 * d} {
		xb := new(big.Float).SetPrec(ft.prec).SetFloat64(x)
		v, err := ft.eval(xb)
		if err != nil {
			return err
		}
		for range p0 {
			v.Quo(v, xb)
		}
		r[i] = v
	}
	if r[0].Sign() == 0 || r[1].Sign() == 0 {
		return fmt.Errorf("%w: relative fit, but F vanishes near 0 to an order above Powers[0] = %d", ErrProblem, p0)
	}
	q, _ := new(big.Float).Quo(r[1], r[0]).Float64()
	if math.Abs(q-1) > 0.01 {
		return fmt.Errorf("%w: relative fit, but F does not vanish at 0 to order Powers[0] = %d "+
			"(F(2δ)/F(δ) = 2^%.2f)", ErrProblem, p0, math.Log2(q)+float64(p0))
	}
	ft.nudge = d
	return nil
}

// eval calls F at x (on a copy, so F cannot disturb x).
func (ft *fitter) eval(x *big.Float) (*big.Float, error) {
	v := ft.f(new(big.Float).Copy(x), ft.prec)
	ft.evals++
	if v == nil || v.IsInf() {
		return nil, fmt.Errorf("%w: F(%.17g) is not finite", ErrProblem, x)
	}
	return v, nil
}

// at returns the (cached) sample at t.
func (ft *fitter) at(t float64) (*point, error) {
	if pt, ok := ft.cache[t]; ok {
		return pt, nil
	}
	xt := t
	if t == 0 && ft.nudge != 0 {
		xt = ft.nudge
	}
	x := new(big.Float).SetPrec(ft.prec).SetFloat64(xt)
	f, err := ft.eval(x)
	if err != nil {
		return nil, err
	}
	if ft.rel && f.Sign() == 0 {
		return nil, fmt.Errorf("%w: relative fit, but F(%.17g) = 0", ErrProblem, xt)
	}
	pt := &point{x: x, f: f}
	ft.cache[t] = pt
	return pt, nil
}

// checkSigns evaluates F at the increasing points ts and, for a relative
// fit, reports a change of sign of F between consecutive points other than
// at an admissible zero at t = 0.
func (ft *fitter) checkSigns(ts []float64) error {
	prev := 0
	for i, t := range ts {
		pt, err := ft.at(t)
		if err != nil {
			return err
		}
		s := pt.f.Sign()
		if ft.rel && i > 0 && s != prev && !(ts[i-1] <= 0 && 0 <= t && ft.nudge != 0) {
			return fmt.Errorf("%w: relative fit, but F changes sign between %.17g and %.17g",
				ErrProblem, ts[i-1], t)
		}
		prev = s
	}
	return nil
}

// poly evaluates Σ c[k]·x^pw[k] by Horner's rule over the power gaps.
func (ft *fitter) poly(c []*big.Float, x *big.Float) *big.Float {
	m := len(c)
	acc := new(big.Float).SetPrec(ft.prec).Set(c[m-1])
	for k := m - 2; k >= 0; k-- {
		for range ft.pw[k+1] - ft.pw[k] {
			acc.Mul(acc, x)
		}
		acc.Add(acc, c[k])
	}
	for range ft.pw[0] {
		acc.Mul(acc, x)
	}
	return acc
}

// errAt returns the weighted error of c at pt: p-F, or p/F-1 if relative.
func (ft *fitter) errAt(c []*big.Float, pt *point) float64 {
	v := ft.poly(c, pt.x)
	v.Sub(v, pt.f)
	if ft.rel {
		v.Quo(v, pt.f)
	}
	e, _ := v.Float64()
	return e
}

func (ft *fitter) bigCoeffs(cs []float64) []*big.Float {
	out := make([]*big.Float, len(cs))
	for i, c := range cs {
		out[i] = new(big.Float).SetPrec(ft.prec).SetFloat64(c)
	}
	return out
}

// chebPoints returns the n+1 Chebyshev extrema lo + (hi-lo)·sin²(jπ/2n),
// j = 0..n, increasing and with exact endpoints.
func chebPoints(lo, hi float64, n int) []float64 {
	out := make([]float64, 0, n+1)
	for j := 0; j <= n; j++ {
		s := math.Sin(float64(j) * math.Pi / float64(2*n))
		t := lo + (hi-lo)*s*s
		switch {
		case j == 0:
			t = lo
		case j == n:
			t = hi
		}
		t = math.Min(math.Max(t, lo), hi)
		if len(out) > 0 && t <= out[len(out)-1] {
			continue
		}
		out = append(out, t)
	}
	return out
}

// merge returns the sorted union of point sets, without duplicates.
func merge(sets ...[]float64) []float64 {
	var all []float64
	for _, s := range sets {
		all = append(all, s...)
	}
	sort.Float64s(all)
	out := all[:0]
	for i, t := range all {
		if i == 0 || t != out[len(out)-1] {
			out = append(out, t)
		}
	}
	return out
}

// initialRef returns the starting reference: the len(Powers)+1 Chebyshev
// extrema, or, for an absolute fit whose basis vanishes at an endpoint 0,
// the Chebyshev extrema of one degree more without that endpoint.
func (ft *fitter) initialRef() []float64 {
	m := len(ft.pw)
	if !ft.rel && ft.pw[0] > 0 && (ft.lo == 0 || ft.hi == 0) {
		nodes := chebPoints(ft.lo, ft.hi, m+1)
		if ft.lo == 0 {
			return nodes[1:]
		}
		return nodes[:m+1]
	}
	return chebPoints(ft.lo, ft.hi, m)
}

// solve solves the reference system
//
//	w(x_i)·(Σ_k c_k x_i^pw[k] - F(x_i)) = -(-1)^i E,  i = 0..m,
//
// for the coefficients c and the levelled error E.
func (ft *fitter) solve(ref []float64) ([]*big.Float, *big.Float, error) {
	m := len(ft.pw)
	if len(ref) != m+1 {
		return nil, nil, fmt.Errorf("reference has %d points, need %d", len(ref), m+1)
	}
	a := make([][]*big.Float, m+1)
	b := make([]*big.Float, m+1)
	for i, t := range ref {
		pt, err := ft.at(t)
		if err != nil {
			return nil, nil, err
		}
		row := make([]*big.Float, m+1)
		xp := new(big.Float).SetPrec(ft.prec).SetInt64(1)
		deg := 0
		for k, pk := range ft.pw {
			for ; deg < pk; deg++ {
				xp.Mul(xp, pt.x)
			}
			row[k] = new(big.Float).SetPrec(ft.prec).Set(xp)
			if ft.rel {
				row[k].Quo(row[k], pt.f)
			}
		}
		row[m] = new(big.Float).SetPrec(ft.prec).SetInt64(int64(1 - 2*(i%2)))
		a[i] = row
		if ft.rel {
			b[i] = new(big.Float).SetPrec(ft.prec).SetInt64(1)
		} else {
			b[i] = new(big.Float).SetPrec(ft.prec).Set(pt.f)
		}
	}
	x, err := gauss(a, b, ft.prec)
	if err != nil {
		return nil, nil, fmt.Errorf("reference %v: %w", ref, err)
	}
	return x[:m], x[m], nil
}

// gauss solves a·x = b by Gaussian elimination with partial pivoting,
// overwriting a and b. A pivot that is zero, or below 2^-(prec/2) of the
// largest original entry of its column, counts as singular.
func gauss(a [][]*big.Float, b []*big.Float, prec uint) ([]*big.Float, error) {
	n := len(b)
	colMax := make([]*big.Float, n)
	for j := range n {
		colMax[j] = new(big.Float)
		for i := range n {
			if cmpAbs(a[i][j], colMax[j]) > 0 {
				colMax[j].Abs(a[i][j])
			}
		}
	}
	t := new(big.Float).SetPrec(prec)
	thresh := new(big.Float)
	for col := range n {
		piv := col
		for r := col + 1; r < n; r++ {
			if cmpAbs(a[r][col], a[piv][col]) > 0 {
				piv = r
			}
		}
		thresh.SetMantExp(colMax[col], -int(prec/2))
		if a[piv][col].Sign() == 0 || cmpAbs(a[piv][col], thresh) < 0 {
			return nil, fmt.Errorf("%w: no usable pivot in column %d of %d", ErrSingular, col, n)
		}
		a[col], a[piv] = a[piv], a[col]
		b[col], b[piv] = b[piv], b[col]
		for r := col + 1; r < n; r++ {
			if a[r][col].Sign() == 0 {
				continue
			}
			f := new(big.Float).SetPrec(prec).Quo(a[r][col], a[col][col])
			for j := col + 1; j < n; j++ {
				t.Mul(f, a[col][j])
				a[r][j].Sub(a[r][j], t)
			}
			t.Mul(f, b[col])
			b[r].Sub(b[r], t)
			a[r][col].SetInt64(0)
		}
	}
	x := make([]*big.Float, n)
	for i := n - 1; i >= 0; i-- {
		s := new(big.Float).SetPrec(prec).Set(b[i])
		for j := i + 1; j < n; j++ {
			t.Mul(a[i][j], x[j])
			s.Sub(s, t)
		}
		x[i] = s.Quo(s, a[i][i])
	}
	return x, nil
}

// cmpAbs compares |x| and |y|.
func cmpAbs(x, y *big.Float) int {
	var ax, ay big.Float
	return ax.Abs(x).Cmp(ay.Abs(y))
}

// sample is a position with the weighted error there.
type sample struct{ t, e float64 }

// extrema returns, for the error of c sampled at the increasing points ts,
// one local extremum per maximal run of samples of equal sign (zeros are
// skipped), refined by Brent's method; consecutive entries therefore
// alternate in sign. It also returns the largest sampled |e|.
func (ft *fitter) extrema(c []*big.Float, ts []float64) ([]sample, float64, error) {
	es := make([]float64, len(ts))
	var emax float64
	for i, t := range ts {
		pt, err := ft.at(t)
		if err != nil {
			return nil, 0, err
		}
		es[i] = ft.errAt(c, pt)
		emax = math.Max(emax, math.Abs(es[i]))
	}
	var best []int
	for i, e := range es {
		switch {
		case e == 0 || math.IsNaN(e):
		case len(best) == 0 || (e > 0) != (es[best[len(best)-1]] > 0):
			best = append(best, i)
		case math.Abs(e) > math.Abs(es[best[len(best)-1]]):
			best[len(best)-1] = i
		}
	}
	out := make([]sample, len(best))
	for k, j := range best {
		s, err := ft.refine(c, ts, es, j)
		if err != nil {
			return nil, 0, err
		}
		out[k] = s
		emax = math.Max(emax, math.Abs(s.e))
	}
	for k := 1; k < len(out); k++ {
		if out[k].t <= out[k-1].t || (out[k].e > 0) == (out[k-1].e > 0) {
			// Refinement crossed over (it should not); use the samples.
			for k, j := range best {
				out[k] = sample{ts[j], es[j]}
			}
			break
		}
	}
	return out, emax, nil
}

// refine moves the sample j, the largest of its sign run, to the local
// maximum of s·e (s the sign of es[j]) between its neighbours.
func (ft *fitter) refine(c []*big.Float, ts, es []float64, j int) (sample, error) {
	s := math.Copysign(1, es[j])
	var gerr error
	g := func(t float64) float64 {
		pt, err := ft.at(t)
		if err != nil {
			if gerr == nil {
				gerr = err
			}
			return math.Inf(-1)
		}
		return s * ft.errAt(c, pt)
	}
	best := sample{ts[j], es[j]}
	n := len(ts)
	var a, b, x0, g0 float64
	switch {
	case n < 2:
		return best, nil
	case j == 0 || j == n-1:
		// At an end, the maximum is at the end unless s·e still grows
		// inward.
		nb := 1
		if j == n-1 {
			nb = n - 2
		}
		x0 = ts[j] + (ts[nb]-ts[j])*1e-3
		g0 = g(x0)
		if gerr != nil {
			return sample{}, gerr
		}
		if g0 <= s*es[j] {
			return best, nil
		}
		a, b = math.Min(ts[j], ts[nb]), math.Max(ts[j], ts[nb])
	default:
		a, b, x0, g0 = ts[j-1], ts[j+1], ts[j], s*es[j]
	}
	x, gx := brentMax(g, a, b, x0, g0, 1e-5*(b-a))
	if gerr != nil {
		return sample{}, gerr
	}
	if gx > s*best.e {
		best = sample{x, s * gx}
	}
	return best, nil
}

// brentMax maximizes g on [a, b] from the point x (with gx = g(x)) by
// Brent's method, golden-section steps safeguarding successive parabolic
// interpolation, until the bracket of the best point is within about atol.
func brentMax(g func(float64) float64, a, b, x, gx, atol float64) (float64, float64) {
	const golden = 0.3819660112501051 // (3-√5)/2
	// Minimize f = -g.
	fx := -gx
	w, v, fw, fv := x, x, fx, fx
	var d, step float64 // the last step and the one before
	for range 100 {
		mid := 0.5 * (a + b)
		tol1 := atol + 4e-16*math.Abs(x)
		tol2 := 2 * tol1
		if math.Abs(x-mid) <= tol2-0.5*(b-a) {
			break
		}
		parabolic := false
		if math.Abs(step) > tol1 {
			// Vertex of the parabola through (v,fv), (w,fw), (x,fx).
			r := (x - w) * (fx - fv)
			q := (x - v) * (fx - fw)
			num := (x-v)*q - (x-w)*r
			q = 2 * (q - r)
			if q > 0 {
				num = -num
			} else {
				q = -q
			}
			prev := step
			step = d
			// Accept it if it is inside the bracket and shorter than half
			// the step before last.
			if math.Abs(num) < math.Abs(0.5*q*prev) && num > q*(a-x) && num < q*(b-x) {
				d = num / q
				if u := x + d; u-a < tol2 || b-u < tol2 {
					d = math.Copysign(tol1, mid-x)
				}
				parabolic = true
			}
		}
		if !parabolic {
			if x >= mid {
				step = a - x
			} else {
				step = b - x
			}
			d = golden * step
		}
		u := x + d
		if math.Abs(d) < tol1 {
			u = x + math.Copysign(tol1, d)
		}
		fu := -g(u)
		if fu <= fx {
			if u >= x {
				a = x
			} else {
				b = x
			}
			v, fv, w, fw, x, fx = w, fw, x, fx, u, fu
		} else {
			if u < x {
				a = u
			} else {
				b = u
			}
			switch {
			case fu <= fw || w == x:
				v, fv, w, fw = w, fw, u, fu
			case fu <= fv || v == x || v == w:
				v, fv = u, fu
			}
		}
	}
	return x, -fx
}

// trim reduces an alternating list of extrema to n entries, keeping the
// alternation and the largest |e|: it drops the smallest end, or the
// smallest interior entry together with its smaller neighbour.
func trim(ext []sample, n int) []sample {
	ext = append([]sample(nil), ext...)
	for len(ext) > n {
		last := len(ext) - 1
		imin := 0
		for i := range ext {
			if math.Abs(ext[i].e) < math.Abs(ext[imin].e) {
				imin = i
			}
		}
		switch {
		case imin == 0 || imin == last:
			ext = append(ext[:imin], ext[imin+1:]...)
		case len(ext)-n >= 2:
			lo := imin - 1
			if math.Abs(ext[imin+1].e) < math.Abs(ext[imin-1].e) {
				lo = imin
			}
			ext = append(ext[:lo], ext[lo+2:]...)
		case math.Abs(ext[0].e) <= math.Abs(ext[last].e):
			ext = ext[1:]
		default:
			ext = ext[:last]
		}
	}
	return ext
}

// remez runs the exchange iteration.
func (ft *fitter) remez() (Result, error) {
	m := len(ft.pw)
	grid := chebPoints(ft.lo, ft.hi, max(512, 48*(m+1)))
	if err := ft.checkSigns(grid); err != nil {
		return Result{}, err
	}
	ref := ft.initialRef()
	var dev, level float64
	for it := 1; it <= ft.maxIter; it++ {
		c, e, err := ft.solve(ref)
		if err != nil {
			return Result{}, fmt.Errorf("iteration %d: %w", it, err)
		}
		level, _ = new(big.Float).Abs(e).Float64()
		ext, emax, err := ft.extrema(c, merge(grid, ref))
		if err != nil {
			return Result{}, fmt.Errorf("iteration %d: %w", it, err)
		}
		var refErr []float64
		switch {
		case emax <= ft.scale:
			// F is in the span of the basis: the error is rounding noise.
			refErr = make([]float64, len(ref))
			for i, t := range ref {
				pt, _ := ft.at(t)
				refErr[i] = ft.errAt(c, pt)
			}
			dev = 0
		case len(ext) < m+1:
			return Result{}, fmt.Errorf("iteration %d: %w: the error alternates in sign only %d times, need %d "+
				"(is the weighted basis a Haar system on the interval?)", it, ErrSingular, len(ext), m+1)
		default:
			ext = trim(ext, m+1)
			emin, emx := math.Inf(1), 0.0
			ref = make([]float64, len(ext))
			refErr = make([]float64, len(ext))
			for i, s := range ext {
				ref[i], refErr[i] = s.t, s.e
				emin = math.Min(emin, math.Abs(s.e))
				emx = math.Max(emx, math.Abs(s.e))
			}
			dev = (emx - emin) / emx
		}
		if dev < ft.tol {
			res := Result{Coeffs: c, Level: level, Ref: ref, RefErr: refErr, Iterations: it, ft: ft}
			res.MaxErr, res.MaxErrAt, err = ft.denseMax(c)
			if err != nil {
				return Result{}, fmt.Errorf("dense check: %w", err)
			}
			res.Evals = ft.evals
			return res, nil
		}
	}
	return Result{}, fmt.Errorf("%w after %d iterations: the reference errors still differ by %.3g "+
		"relative to their maximum (want < %g); last levelled error %.4g",
		ErrNoConvergence, ft.maxIter, dev, ft.tol, level)
}

// denseMax returns the maximum weighted error of c and where it is
// attained, from the dense grid described at MaxError.
func (ft *fitter) denseMax(c []*big.Float) (float64, float64, error) {
	ts := merge(uniformPoints(ft.lo, ft.hi, 4000), chebPoints(ft.lo, ft.hi, 1000))
	if err := ft.checkSigns(ts); err != nil {
		return 0, 0, err
	}
	ext, _, err := ft.extrema(c, ts)
	if err != nil {
		return 0, 0, err
	}
	emax, at := 0.0, ft.lo
	for _, s := range ext {
		if math.Abs(s.e) > emax {
			emax, at = math.Abs(s.e), s.t
		}
	}
	return emax, at, nil
}

// uniformPoints returns n+1 equally spaced points from lo to hi.
func uniformPoints(lo, hi float64, n int) []float64 {
	out := make([]float64, n+1)
	for j := range out {
		out[j] = math.Min(lo+(hi-lo)*float64(j)/float64(n), hi)
	}
	out[n] = hi
	return out
}
