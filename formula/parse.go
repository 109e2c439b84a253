package formula

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
)

// selectAlias stands in for the keyword select while go/parser reads a formula.
// It has the same length, so every position the parser reports is still the
// position in the formula text, and spec names (lower case) cannot collide with it.
const selectAlias = "Select"

// ParseExpr parses a formula with go/parser. Formulas are Go expressions except
// that select(cond, a, b) is a function, while Go reserves select as a keyword;
// the keyword is renamed before parsing. Positions in the result and in errors
// are offsets+1 into src, as go/parser.ParseExpr gives them.
func ParseExpr(src string) (ast.Expr, error) {
	b := []byte(src)
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(b))
	s.Init(file, b, nil, 0)
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SELECT {
			copy(b[file.Offset(pos):], selectAlias)
		}
	}
	e, err := parser.ParseExpr(string(b))
	if err != nil {
		return nil, err
	}
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == selectAlias {
			id.Name = "select"
		}
		return true
	})
	return e, nil
}
