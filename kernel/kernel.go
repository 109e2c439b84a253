package kernel

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"unicode"

	"github.com/actgen/actgen/formula"
	"github.com/actgen/actgen/ref"
	"github.com/actgen/actgen/spec"
)

// Kernel is one activation ready for the backends: its formulas with other
// entries inlined, the derivative, the numerically stable forms the backends
// lower, and the values at ±Inf.
type Kernel struct {
	Entry  *spec.Entry
	GoName string // CamelCase with initialisms: leaky_relu → LeakyReLU

	// Forward and Derivative are the mathematics as the spec states it; the
	// reference evaluates them.
	Forward, Derivative *formula.Node
	// StableForward and StableDerivative are equal expressions rewritten for
	// floating point (formula.Stabilize); the backends lower them.
	StableForward, StableDerivative *formula.Node

	// Limits at -Inf and +Inf of f and f' for the default parameters, in float64
	// (the backends fall back to them where intermediate overflow gives NaN).
	// They are computed by the reference, so they are exact limits, rounded.
	ForwardLimits, DerivativeLimits [2]float64
	// LimitsParamFree says, for f and f', whether the limits are the same for
	// other parameter values, so the backends may use them whatever the caller
	// passes.
	LimitsParamFree [2]bool

	// DerivativePatches replace the float64 evaluation of f' near its roots.
	DerivativePatches []Patch
}

// Params returns the parameter names in API order.
func (k *Kernel) Params() []string {
	names := make([]string, len(k.Entry.Params))
	for i, p := range k.Entry.Params {
		names[i] = p.Name
	}
	return names
}

// Defaults returns the default parameter values.
func (k *Kernel) Defaults() map[string]float64 {
	m := make(map[string]float64, len(k.Entry.Params))
	for _, p := range k.Entry.Params {
		m[p.Name] = p.Default
	}
	return m
}

// Function returns the forward or backward function for the reference.
func (k *Kernel) Function(backward bool) ref.Function {
	if backward {
		return ref.Function{Exact: k.Derivative, Fallback: k.StableDerivative}
	}
	return ref.Function{Exact: k.Forward, Fallback: k.StableForward}
}

// Build turns every spec entry into a Kernel. Entries calling other entries are
// inlined: the callee's x becomes the call's first argument and its parameters
// the remaining arguments or, where absent, their defaults.
func Build(s *spec.Spec) ([]*Kernel, error) {
	b := builder{spec: s, bodies: map[string]*formula.Node{}, busy: map[string]bool{}}
	var ks []*Kernel
	var errs spec.ErrorList
	for _, e := range s.Entries {
		k, err := b.kernel(e)
		if err != nil {
			if el, ok := err.(spec.ErrorList); ok {
				errs = append(errs, el...)
				continue
			}
			return nil, err
		}
		ks = append(ks, k)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return ks, nil
}

type builder struct {
	spec   *spec.Spec
	bodies map[string]*formula.Node
	busy   map[string]bool
}

func (b *builder) posErr(e *spec.Entry, deriv bool, err error) error {
	pos := e.Pos
	if pe, ok := err.(*formula.PosError); ok {
		pos = e.ExprPos(pe.Pos, deriv)
	}
	return spec.ErrorList{{Pos: pos, Msg: err.Error()}}
}

// body converts (once) the formula of the entry name.
func (b *builder) body(e *spec.Entry) (*formula.Node, error) {
	if n, ok := b.bodies[e.Name]; ok {
		return n, nil
	}
	if b.busy[e.Name] {
		return nil, fmt.Errorf("%s calls itself through other entries", e.Name)
	}
	b.busy[e.Name] = true
	defer delete(b.busy, e.Name)
	n, err := formula.Convert(e.Expr, b.env(e))
	if err != nil {
		return nil, b.posErr(e, false, err)
	}
	n = formula.Simplify(n)
	b.bodies[e.Name] = n
	return n, nil
}

func (b *builder) env(e *spec.Entry) formula.Env {
	params := make([]string, len(e.Params))
	for i, p := range e.Params {
		params[i] = p.Name
	}
	return formula.Env{Params: params, Call: func(name string, args []*formula.Node) (*formula.Node, error) {
		callee := b.spec.Lookup(name)
		if callee == nil {
			return nil, fmt.Errorf("unknown function %q", name)
		}
		if len(args) < 1 || len(args) > 1+len(callee.Params) {
			return nil, fmt.Errorf("%s takes 1 to %d arguments, not %d", name, 1+len(callee.Params), len(args))
		}
		body, err := b.body(callee)
		if err != nil {
			return nil, err
		}
		bind := map[string]*formula.Node{}
		for i, p := range callee.Params {
			if i+1 < len(args) {
				bind[p.Name] = args[i+1]
			} else {
				bind[p.Name] = formula.Num(new(big.Rat).SetFloat64(p.Default))
			}
		}
		return formula.Subst(body, args[0], bind), nil
	}}
}

func (b *builder) kernel(e *spec.Entry) (*Kernel, error) {
	f, err := b.body(e)
	if err != nil {
		return nil, err
	}
	var d *formula.Node
	if e.DerivExpr != nil {
		if d, err = formula.Convert(e.DerivExpr, b.env(e)); err != nil {
			return nil, b.posErr(e, true, err)
		}
		d = formula.Simplify(d)
	} else if d, err = formula.Diff(f); err != nil {
		return nil, spec.ErrorList{{Pos: e.Pos, Msg: fmt.Sprintf("cannot differentiate %s: %v; give a derivative", e.Name, err)}}
	}
	k := &Kernel{
		Entry:            e,
		GoName:           GoName(e.Name),
		Forward:          f,
		Derivative:       d,
		StableForward:    formula.Stabilize(f),
		StableDerivative: formula.Stabilize(d),
	}
	for j, lim := range []*[2]float64{&k.ForwardLimits, &k.DerivativeLimits} {
		other, err := k.limits(j == 1, 1.5)
		if err != nil {
			return nil, err
		}
		if *lim, err = k.limits(j == 1, 1); err != nil {
			return nil, err
		}
		k.LimitsParamFree[j] = *lim == other
	}
	if k.DerivativePatches, err = k.derivativePatches(); err != nil {
		return nil, err
	}
	return k, nil
}

// limits returns f (or f') at -Inf and +Inf with every parameter's default
// scaled by scale.
func (k *Kernel) limits(backward bool, scale float64) ([2]float64, error) {
	params := k.Defaults()
	for p := range params {
		params[p] *= scale
	}
	var lim [2]float64
	for i, x := range []float64{math.Inf(-1), math.Inf(1)} {
		v, err := k.Function(backward).Round(ref.Float64, x, params)
		if err != nil {
			return lim, fmt.Errorf("%s: limit at %v: %w", k.Entry.Name, x, err)
		}
		lim[i] = v
	}
	return lim, nil
}

// initialisms are the spellings Go code uses for names of activations.
var initialisms = map[string]string{
	"relu": "ReLU", "elu": "ELU", "gelu": "GELU", "selu": "SELU", "celu": "CELU",
	"silu": "SiLU", "prelu": "PReLU", "rrelu": "RReLU", "glu": "GLU", "swiglu": "SwiGLU",
}

// GoName converts a snake_case spec name to the exported Go name.
func GoName(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		word := strings.TrimRightFunc(part, unicode.IsDigit)
		digits := part[len(word):]
		if s, ok := initialisms[word]; ok {
			b.WriteString(s)
		} else if word != "" {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
		b.WriteString(digits)
	}
	return b.String()
}
