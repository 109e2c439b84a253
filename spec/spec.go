package spec

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"io"
	"strings"
)

// Pos is a position in the spec file. Line and Col are 1-based and Col counts
// bytes, as go/token and the Go toolchain do, so "file:line:col" from this
// package and from go vet lead an editor to the same place.
type Pos struct {
	File      string
	Line, Col int
}

// String returns "file:line:col", or "line:col" when File is empty, so an
// error from a spec parsed from memory does not start with a bare colon.
func (p Pos) String() string {
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

func (p Pos) less(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Param is a parameter of an activation. Its position is that of its key, the
// place to fix a bad name and the nearest place to a bad default.
type Param struct {
	Name    string
	Default float64
	Pos     Pos
}

// Budget is the accuracy budget of an activation in ULPs against the correctly
// rounded value, for each precision and direction.
type Budget struct {
	F32, F32Backward, F64, F64Backward int
}

// Or returns b with its zero fields taken from d.
func (b Budget) Or(d Budget) Budget {
	for _, f := range []struct{ b, d *int }{{&b.F32, &d.F32}, {&b.F32Backward, &d.F32Backward}, {&b.F64, &d.F64}, {&b.F64Backward, &d.F64Backward}} {
		if *f.b == 0 {
			*f.b = *f.d
		}
	}
	return b
}

// Of returns the budget of one type (float32 when is32) and direction.
func (b Budget) Of(is32, backward bool) int {
	switch {
	case is32 && !backward:
		return b.F32
	case is32:
		return b.F32Backward
	case !backward:
		return b.F64
	}
	return b.F64Backward
}

// DefaultBudget is the budget of an entry that has no ulp key, and the value of
// each ulp field the entry leaves out.
var DefaultBudget = Budget{F32: 2, F32Backward: 4, F64: 4, F64Backward: 8}

// Entry is one activation of the spec.
type Entry struct {
	Name string
	// Pos is the position of the name's value, where later stages point when
	// a problem concerns the entry as a whole.
	Pos    Pos
	Doc    string
	Params []Param // in YAML order, which is the order the generated API takes them
	// Formula is the formula's YAML value with its line breaks turned into
	// spaces: the text has the same length, so offsets into it are still
	// offsets into the value, and go/parser cannot mistake a break for the end
	// of the expression.
	Formula string
	// Expr is Formula parsed as go/parser.ParseExpr would (token.Pos is the byte
	// offset into Formula plus 1), except that the Go keyword select is read
	// as the primitive's name. It has been validated: only the constructs and
	// names the formula language allows are left.
	Expr ast.Expr
	// Derivative and DerivExpr are the optional user-given d/dx, treated like
	// Formula and Expr; they are "" and nil when the entry has none.
	Derivative string
	DerivExpr  ast.Expr
	// ULP is the budget of what the public functions run (the dispatched
	// implementation); VariantULP, at least as large, that of the other
	// implementations in the registry, which trade accuracy for speed
	// (spec key variant_ulp; ULP where it gives none).
	ULP, VariantULP Budget

	// formulaPos and derivPos give the file position of every byte of Formula
	// and Derivative, plus one past the end for errors at the end of input.
	formulaPos, derivPos []Pos
}

// ExprPos maps p, a position in e.Expr (or in e.DerivExpr when deriv is true),
// to the spec file, so that later stages can report problems in a formula at
// the offending token. Positions outside the expression, token.NoPos included,
// are clamped to its start or end; an entry without the expression gives e.Pos.
func (e *Entry) ExprPos(p token.Pos, deriv bool) Pos {
	m := e.formulaPos
	if deriv {
		m = e.derivPos
	}
	if len(m) == 0 {
		return e.Pos
	}
	off := int(p) - 1
	off = max(0, min(off, len(m)-1))
	return m[off]
}

// Spec is a loaded and validated spec.
type Spec struct {
	File    string
	Entries []*Entry // in YAML order
}

// Lookup returns the entry called name, or nil if there is none.
func (s *Spec) Lookup(name string) *Entry {
	for _, e := range s.Entries {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Error is one problem in the spec, at the place to fix it.
type Error struct {
	Pos Pos
	Msg string
}

// Error returns "file:line:col: message", the form editors and CI logs link.
func (e *Error) Error() string {
	return e.Pos.String() + ": " + e.Msg
}

// ErrorList is every problem found in a spec, sorted by position, so that one
// run of the loader shows all that needs fixing.
type ErrorList []*Error

// Error returns one "file:line:col: message" line per problem.
func (l ErrorList) Error() string {
	if len(l) == 0 {
		return "no errors"
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Fprint writes err for a person at a terminal: a spec's ErrorList as one
// "file:line:col: message" line per problem, so editors can jump to each, and
// any other error after the command's name.
func Fprint(w io.Writer, command string, err error) {
	var el ErrorList
	if errors.As(err, &el) {
		for _, e := range el {
			fmt.Fprintln(w, e)
		}
		return
	}
	fmt.Fprintf(w, "%s: %v\n", command, err)
}
