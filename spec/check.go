package spec

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"strings"

	"github.com/actgen/actgen/formula"
)

// selectAlias replaces the Go keyword select while go/parser reads a formula,
// where select is the primitive select(cond, a, b). It has the keyword's
// length, so positions do not move; only identifiers at the offsets of a
// replaced keyword are renamed back, so a formula that really says Select is
// still reported as an unknown name.
const selectAlias = "Select"

// checkFormulas parses and validates the formula and derivative of ei.
func (l *loader) checkFormulas(ei *entryInfo) {
	if ei.formula != nil {
		text, m := ei.formula.Value, l.s.scalarPos(ei.formula)
		ei.e.Formula, ei.e.formulaPos = flatten(text), m
		if x, ok := l.parseExpr(ei.e.Formula, m, "formula"); ok {
			c := checker{l: l, ei: ei, m: m, calls: &ei.calls}
			c.num(x)
			ei.e.Expr = x
		}
	}
	if ei.derivative != nil {
		text, m := ei.derivative.Value, l.s.scalarPos(ei.derivative)
		ei.e.Derivative, ei.e.derivPos = flatten(text), m
		if x, ok := l.parseExpr(ei.e.Derivative, m, "derivative"); ok {
			// The derivative's calls are not cycle edges: f' may call f.
			c := checker{l: l, ei: ei, m: m, deriv: true}
			c.num(x)
			ei.e.DerivExpr = x
		}
	}
}

// flatten turns the line breaks of a multi-line formula into spaces, byte for
// byte so that offsets keep their meaning: Go would insert a semicolon at a
// line break after an operand, cutting the expression short.
func flatten(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}

// parseExpr parses text, a formula or derivative (what) whose bytes are at the
// file positions m, reporting a syntax error at the offending byte.
func (l *loader) parseExpr(text string, m []Pos, what string) (ast.Expr, bool) {
	at := func(off int) Pos { return m[max(0, min(off, len(m)-1))] }
	b := []byte(text)
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(b))
	var sc scanner.Scanner
	sc.Init(file, b, nil, 0)
	selects := map[int]bool{}
	ok := true
	for {
		p, tok, _ := sc.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SELECT {
			selects[file.Offset(p)] = true
		} else if tok.IsKeyword() {
			// go/parser would say something about statements or types;
			// naming the keyword is more to the point.
			l.errorf(at(file.Offset(p)), "%s uses the Go keyword %q, which is not a name the formula language knows; remove it", what, tok.String())
			ok = false
		}
	}
	if !ok {
		return nil, false
	}
	for off := range selects {
		copy(b[off:], selectAlias)
	}
	x, err := parser.ParseExprFrom(token.NewFileSet(), "", b, 0)
	if err != nil {
		off, msg := 0, err.Error()
		var el scanner.ErrorList
		if errors.As(err, &el) && len(el) > 0 {
			off, msg = el[0].Pos.Offset, el[0].Msg
		}
		// Line breaks were flattened, so the only newline go/parser can
		// see is the one it assumes at the end of input.
		if off >= len(strings.TrimRight(text, " \t")) {
			msg = strings.NewReplacer("newline", "the end of the "+what, "'EOF'", "the end of the "+what).Replace(msg)
		}
		l.errorf(at(off), "%s syntax error: %s; a %s is a Go expression such as 1 / (1 + exp(-x))", what, msg, what)
		return nil, false
	}
	ast.Inspect(x, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && selects[int(id.Pos())-1] {
			id.Name = "select"
		}
		return true
	})
	return x, true
}

// checker validates a parsed formula: what the language allows and what its
// names refer to. It reports every problem it finds and keeps going, since a
// formula may have several.
type checker struct {
	l  *loader
	ei *entryInfo
	m  []Pos
	// calls, when not nil, collects the calls to other entries.
	calls *[]call
	// deriv is set for a derivative, which may call its own entry.
	deriv bool
}

func (c *checker) at(p token.Pos) Pos {
	return c.m[max(0, min(int(p)-1, len(c.m)-1))]
}

func (c *checker) errorf(p token.Pos, format string, args ...any) {
	c.l.errorf(c.at(p), format, args...)
}

var (
	arithOps   = map[token.Token]bool{token.ADD: true, token.SUB: true, token.MUL: true, token.QUO: true}
	compareOps = map[token.Token]bool{token.LSS: true, token.LEQ: true, token.GTR: true, token.GEQ: true, token.EQL: true, token.NEQ: true}
	logicOps   = map[token.Token]bool{token.LAND: true, token.LOR: true}
)

const grammar = "formulas are made of decimal numbers, names, parentheses, + - * / and calls such as exp(x)"

// num checks e where a number is expected.
func (c *checker) num(e ast.Expr) {
	switch e := e.(type) {
	case *ast.BasicLit:
		c.literal(e)
	case *ast.Ident:
		c.value(e)
	case *ast.ParenExpr:
		c.num(e.X)
	case *ast.CallExpr:
		c.call(e)
	case *ast.UnaryExpr:
		switch e.Op {
		case token.ADD, token.SUB:
			c.num(e.X)
		case token.NOT:
			c.errorf(e.OpPos, "operator ! is only allowed in the condition of select(cond, a, b)")
			c.cond(e.X)
		default:
			c.errorf(e.OpPos, "unary operator %s is not supported; %s", e.Op, grammar)
			c.num(e.X)
		}
	case *ast.BinaryExpr:
		switch {
		case arithOps[e.Op]:
			c.num(e.X)
			c.num(e.Y)
		case compareOps[e.Op]:
			s := exprString(e)
			c.errorf(e.OpPos, "comparison %s used as a number; comparisons only form the condition of select(cond, a, b) (write select(%s, 1, 0) for a 0/1 step)", s, s)
			c.num(e.X)
			c.num(e.Y)
		case logicOps[e.Op]:
			c.errorf(e.OpPos, "operator %s is only allowed in the condition of select(cond, a, b)", e.Op)
			c.cond(e.X)
			c.cond(e.Y)
		case e.Op == token.XOR:
			c.errorf(e.OpPos, "operator ^ is Go's bitwise xor, not a power; write x * x, or exp(y * log(x)) for x to the power y")
			c.num(e.X)
			c.num(e.Y)
		default:
			c.errorf(e.OpPos, "operator %s is not supported; %s", e.Op, grammar)
			c.num(e.X)
			c.num(e.Y)
		}
	default:
		c.unsupported(e)
	}
}

// cond checks e where a condition is expected: the first argument of select.
func (c *checker) cond(e ast.Expr) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		c.cond(e.X)
		return
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			c.cond(e.X)
			return
		}
	case *ast.BinaryExpr:
		switch {
		case compareOps[e.Op]:
			c.num(e.X)
			c.num(e.Y)
			return
		case logicOps[e.Op]:
			c.cond(e.X)
			c.cond(e.Y)
			return
		}
	}
	c.errorf(e.Pos(), "the condition of select must be a comparison such as x > 0 (comparisons may be combined with &&, || and !), not the number %s", exprString(e))
	c.num(e)
}

func (c *checker) literal(e *ast.BasicLit) {
	switch e.Kind {
	case token.INT, token.FLOAT:
		v := strings.ToLower(e.Value)
		switch {
		case strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0o") || strings.HasPrefix(v, "0b"):
			c.errorf(e.Pos(), "number %s is not decimal; write it in decimal (hexadecimal, octal and binary numbers are not allowed)", e.Value)
		case e.Kind == token.INT && len(v) > 1 && v[0] == '0':
			c.errorf(e.Pos(), "number %s has a leading zero, which Go reads as octal; write it without the leading zero", e.Value)
		}
	case token.IMAG:
		c.errorf(e.Pos(), "imaginary number %s: formulas are real-valued; remove the i", e.Value)
	case token.CHAR:
		c.errorf(e.Pos(), "character literal %s: formulas hold numbers, not characters", e.Value)
	default:
		c.errorf(e.Pos(), "string literal %s: formulas hold numbers, not strings; remove the quotes", e.Value)
	}
}

func (c *checker) isParam(name string) bool {
	for _, p := range c.ei.e.Params {
		if p.Name == name {
			return true
		}
	}
	return false
}

// entry returns the entry a formula call of name refers to, or nil; the
// primitives win over entries of the same name.
func (c *checker) entry(name string) *entryInfo {
	if _, ok := formula.PrimitiveArity(name); ok {
		return nil
	}
	return c.l.byName[name]
}

// value checks a name used as a value.
func (c *checker) value(id *ast.Ident) {
	name := id.Name
	switch {
	case name == formula.Var || c.isParam(name) || formula.IsConstant(name):
	case isPrimitive(name):
		c.errorf(id.Pos(), "%s is a primitive function, not a value; call it as %s", name, primitiveUsage(name))
	case c.entry(name) != nil:
		c.errorf(id.Pos(), "%s is an entry, that is a function, not a value; call it as %s(x)", name, name)
	default:
		c.unknown(id, false)
	}
}

func isPrimitive(name string) bool {
	_, ok := formula.PrimitiveArity(name)
	return ok
}

func primitiveUsage(name string) string {
	switch n, _ := formula.PrimitiveArity(name); {
	case name == "select":
		return "select(cond, a, b)"
	case n == 1:
		return name + "(u)"
	case n == 2:
		return name + "(a, b)"
	default:
		return fmt.Sprintf("%s(%d arguments)", name, n)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func (c *checker) call(e *ast.CallExpr) {
	known := c.callee(e)
	id, _ := e.Fun.(*ast.Ident)
	for i, a := range e.Args {
		// Arguments of a call that is already wrong are checked for what they
		// look like, so that a misspelt select does not add an error for its
		// condition too.
		if (id != nil && id.Name == "select" && i == 0) || (!known && isCondition(a)) {
			c.cond(a)
		} else {
			c.num(a)
		}
	}
}

// isCondition reports whether e has the shape of a condition.
func isCondition(e ast.Expr) bool {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	switch e := e.(type) {
	case *ast.UnaryExpr:
		return e.Op == token.NOT
	case *ast.BinaryExpr:
		return compareOps[e.Op] || logicOps[e.Op]
	}
	return false
}

// callee checks what a call calls and with how many arguments, and reports
// whether the callee is a function at all.
func (c *checker) callee(e *ast.CallExpr) bool {
	id, ok := e.Fun.(*ast.Ident)
	if !ok {
		if _, sel := e.Fun.(*ast.SelectorExpr); sel {
			c.unsupported(e.Fun)
		} else {
			c.errorf(e.Fun.Pos(), "only a name can be called, not %s; write name(args)", exprString(e.Fun))
		}
		return false
	}
	if e.Ellipsis.IsValid() {
		c.errorf(e.Ellipsis, "... is not allowed in a call; pass the arguments one by one")
	}
	name, nargs := id.Name, len(e.Args)
	if arity, ok := formula.PrimitiveArity(name); ok {
		if nargs != arity {
			c.errorf(id.Pos(), "%s takes %s, not %d; call it as %s", name, plural(arity, "argument"), nargs, primitiveUsage(name))
		}
		return true
	}
	switch {
	case name == formula.Var:
		c.errorf(id.Pos(), "x is the input variable, not a function; to multiply write x * (...)")
	case c.isParam(name):
		c.errorf(id.Pos(), "%s is a param of this entry, not a function; to multiply write %s * (...)", name, name)
	case formula.IsConstant(name):
		c.errorf(id.Pos(), "%s is a constant, not a function; to multiply write %s * (...)", name, name)
	case c.entry(name) != nil:
		callee := c.entry(name)
		if n := len(callee.e.Params); nargs < 1 || nargs > 1+n {
			if n == 0 {
				c.errorf(id.Pos(), "entry %s takes 1 argument (x), not %d", name, nargs)
			} else {
				c.errorf(id.Pos(), "entry %s takes 1 to %d arguments (x, then %s; missing ones take their defaults), not %d",
					name, 1+n, paramNames(callee.e.Params, ", "), nargs)
			}
		}
		if c.calls != nil {
			*c.calls = append(*c.calls, call{callee: name, pos: c.at(id.Pos())})
		}
		return true
	default:
		c.unknown(id, true)
	}
	return false
}

func paramNames(ps []Param, sep string) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, sep)
}

// unknown reports a name that refers to nothing, suggesting the closest one
// that fits where it stands (a function for a call, a value otherwise) and
// listing what a formula may use.
func (c *checker) unknown(id *ast.Ident, called bool) {
	values := []string{formula.Var}
	for _, p := range c.ei.e.Params {
		values = append(values, p.Name)
	}
	values = append(values, "pi", "e")
	prims := formula.PrimitiveNames()
	var entries []string
	for _, ei := range c.l.entries {
		if (ei != c.ei || c.deriv) && c.l.byName[ei.e.Name] == ei {
			entries = append(entries, ei.e.Name)
		}
	}
	funcs := append(append([]string{}, prims...), entries...)
	first, second := values, funcs
	if called {
		first, second = funcs, values
	}
	hint := ""
	s := suggest(id.Name, first)
	if s == "" {
		s = suggest(id.Name, second)
	}
	if s != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	params := "none"
	if len(c.ei.e.Params) > 0 {
		params = paramNames(c.ei.e.Params, ", ")
	}
	others := "none"
	if len(entries) > 0 {
		const most = 12
		if len(entries) > most {
			entries = append(entries[:most:most], "...")
		}
		others = strings.Join(entries, " ")
	}
	what, entryWord := "name", "other entries"
	if called {
		what = "function"
	}
	if c.deriv {
		entryWord = "entries"
	}
	c.errorf(id.Pos(), "unknown %s %q%s; names are x, the entry's params (%s), pi, e, primitives (%s), and %s (%s)",
		what, id.Name, hint, params, strings.Join(prims, " "), entryWord, others)
}

// unsupported reports a Go construct the formula language does not have.
func (c *checker) unsupported(e ast.Expr) {
	pos, s := e.Pos(), exprString(e)
	var what string
	switch e := e.(type) {
	case *ast.SelectorExpr:
		c.errorf(pos, "selector %s is not supported; call primitives by their bare names, such as exp(x) rather than math.Exp(x)", s)
		return
	case *ast.IndexExpr:
		pos, what = e.Lbrack, "indexing "+s
	case *ast.IndexListExpr:
		pos, what = e.Lbrack, "indexing "+s
	case *ast.SliceExpr:
		pos, what = e.Lbrack, "slice expression "+s
	case *ast.TypeAssertExpr:
		pos, what = e.Lparen, "type assertion "+s
	case *ast.CompositeLit:
		what = "composite literal " + s
	case *ast.StarExpr:
		what = "pointer dereference " + s
	case *ast.KeyValueExpr:
		what = "key: value pair " + s
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.StructType, *ast.InterfaceType:
		what = "type " + s
	case *ast.FuncLit:
		what = "function literal"
	case *ast.Ellipsis:
		what = "..."
	default:
		what = fmt.Sprintf("%T", e)
	}
	c.errorf(pos, "%s is not allowed in a formula; %s", what, grammar)
}

// exprString renders e for messages, shortened so a message stays one line
// of reasonable length.
func exprString(e ast.Expr) string {
	s := types.ExprString(e)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// suggest returns the candidate closest to name within edit distance 2, the
// first in list order among equals, or "" if none is that close.
func suggest(name string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := editDistance(name, c, bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance returns the Levenshtein distance between a and b, or limit when
// it is at least limit; the cut-off keeps a very long name in a malformed
// spec from costing time.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}
