package spec

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestActivations(t *testing.T) {
	s, err := Load("activations.yaml")
	if err != nil {
		t.Fatalf("the real spec does not load:\n%v", err)
	}
	want := []string{"sigmoid", "relu", "leaky_relu", "elu", "tanh", "softplus", "silu", "mish", "gelu", "gelu_tanh"}
	if len(s.Entries) < 10 {
		t.Fatalf("got %d entries, want at least 10", len(s.Entries))
	}
	for _, name := range want {
		e := s.Lookup(name)
		if e == nil {
			t.Errorf("entry %s missing", name)
			continue
		}
		if e.Expr == nil || e.Doc == "" || e.Formula == "" {
			t.Errorf("entry %s: incomplete: %+v", name, e)
		}
		budget := DefaultBudget
		variant := budget
		switch name {
		case "gelu":
			budget.F64 = 5
			variant.F32, variant.F64 = 6, 5
		}
		if e.ULP != budget || e.VariantULP != variant {
			t.Errorf("entry %s: ULP %+v, VariantULP %+v; want %+v, %+v", name, e.ULP, e.VariantULP, budget, variant)
		}
		if e.Pos.File != "activations.yaml" || e.Pos.Line < 1 || e.Pos.Col < 1 {
			t.Errorf("entry %s: bad position %v", name, e.Pos)
		}
	}
	params := map[string][]Param{
		"sigmoid":    nil,
		"leaky_relu": {{Name: "alpha", Default: 0.01}},
		"softplus":   {{Name: "beta", Default: 1}, {Name: "threshold", Default: 20}},
		"elu":        {{Name: "alpha", Default: 1}},
	}
	for name, ps := range params {
		e := s.Lookup(name)
		if e == nil {
			continue
		}
		if len(e.Params) != len(ps) {
			t.Errorf("%s: params %+v, want %+v", name, e.Params, ps)
			continue
		}
		for i, p := range ps {
			if got := e.Params[i]; got.Name != p.Name || got.Default != p.Default {
				t.Errorf("%s: param %d is %s=%v, want %s=%v", name, i, got.Name, got.Default, p.Name, p.Default)
			}
		}
	}
	if s.Lookup("no_such_entry") != nil {
		t.Error("Lookup of an absent name is not nil")
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v, want an error wrapping os.ErrNotExist", err)
	}
	var el ErrorList
	if errors.As(err, &el) {
		t.Fatal("a read error is not a spec error")
	}
}

// TestErrorCorpus checks that each file in testdata/errors fails with exactly
// the errors its leading "# want: <regexp>" lines describe. Each regexp must
// match a whole "file:line:col: message" line, so positions are checked too.
func TestErrorCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("only %d corpus files", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wants := wantLines(t, src)
			if len(wants) == 0 {
				t.Fatal("no # want: lines")
			}
			s, err := Parse(name, src)
			if err == nil {
				t.Fatal("no error")
			}
			if s != nil {
				t.Error("a *Spec came back with the errors")
			}
			var el ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("error is a %T, not an ErrorList: %v", err, err)
			}
			if got := strings.Split(err.Error(), "\n"); len(got) != len(el) {
				t.Errorf("Error() has %d lines for %d errors", len(got), len(el))
			}
			matched := make([]bool, len(el))
			for _, w := range wants {
				found := false
				for i, e := range el {
					if !matched[i] && w.MatchString(e.Error()) {
						matched[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("no error matches %s", w)
				}
			}
			for i, e := range el {
				if !matched[i] {
					t.Errorf("unexpected error: %s", e)
				}
			}
			for i := 1; i < len(el); i++ {
				if el[i].Pos.less(el[i-1].Pos) {
					t.Errorf("errors not sorted: %v before %v", el[i-1].Pos, el[i].Pos)
				}
			}
		})
	}
}

// wantLines returns the expectations of a corpus file, each anchored to match
// a whole error line.
func wantLines(t *testing.T, src []byte) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimRight(line, "\r")
		if !strings.HasPrefix(line, "#") {
			break
		}
		if re, ok := strings.CutPrefix(line, "# want: "); ok {
			out = append(out, regexp.MustCompile("^(?:"+re+")$"))
		}
	}
	return out
}

func TestOKCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/ok/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if _, err := Load(path); err != nil {
			t.Errorf("%s:\n%v", path, err)
		}
	}
}

// findIdent returns the position of the nth (from 0) identifier called name
// in e, in source order.
func findIdent(e ast.Expr, name string, nth int) token.Pos {
	var found []token.Pos
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name {
			found = append(found, id.Pos())
		}
		return true
	})
	if nth >= len(found) {
		return token.NoPos
	}
	return found[nth]
}

func TestExprPos(t *testing.T) {
	s, err := Load("testdata/ok/styles.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		entry string
		deriv bool
		ident string
		nth   int
		want  string // line:col
	}{
		{"plain", false, "select", 0, "5:12"},
		{"plain", false, "alpha", 0, "5:29"},
		{"single", false, "x", 0, "10:13"},
		{"single", false, "plain", 0, "10:17"},
		{"single", false, "e", 0, "10:31"},
		{"double", false, "x", 0, "14:13"},
		// exp begins with the escape \x65, which maps to its backslash.
		{"double", false, "exp", 0, "14:18"},
		{"double", false, "x", 1, "14:26"},
		// After an escaped line break.
		{"double", false, "pi", 0, "15:5"},
		{"literal", false, "exp", 0, "21:12"},
		{"folded", false, "tanh", 0, "28:9"},
		{"folded", false, "softplus", 0, "29:5"},
		{"softplus", false, "threshold", 0, "34:30"},
		{"plain_lines", false, "sigmoid", 0, "39:5"},
		{"plain_lines", true, "sigmoid", 0, "40:15"},
		{"plain_lines", true, "sigmoid", 1, "41:9"},
		{"plain_lines", true, "sigmoid", 2, "41:27"},
		{"sigmoid", true, "sigmoid", 1, "46:33"},
		{"flow", false, "abs", 0, "52:78"},
		{"flow", false, "x", 0, "52:69"},
		{"flow", false, "x", 1, "52:82"},
		{"tagged", false, "x", 0, "57:7"},
		{"tagged", false, "e", 0, "57:11"},
	}
	for _, tt := range tests {
		e := s.Lookup(tt.entry)
		if e == nil {
			t.Fatalf("no entry %s", tt.entry)
		}
		expr := e.Expr
		if tt.deriv {
			expr = e.DerivExpr
		}
		p := findIdent(expr, tt.ident, tt.nth)
		if !p.IsValid() {
			t.Errorf("%s: no identifier %s #%d", tt.entry, tt.ident, tt.nth)
			continue
		}
		got := e.ExprPos(p, tt.deriv)
		if s := fmt.Sprintf("%d:%d", got.Line, got.Col); s != tt.want || got.File != "testdata/ok/styles.yaml" {
			t.Errorf("%s: %s #%d (deriv %v) at %v, want %s", tt.entry, tt.ident, tt.nth, tt.deriv, got, tt.want)
		}
	}

	plain := s.Lookup("plain")
	if got := plain.ExprPos(token.NoPos, false); got.Line != 5 || got.Col != 12 {
		t.Errorf("NoPos maps to %v, want the formula's start 5:12", got)
	}
	if got := plain.ExprPos(token.Pos(1<<20), false); got.Line != 5 || got.Col != 12+len(plain.Formula) {
		t.Errorf("a position past the end maps to %v, want the formula's end", got)
	}
	if got := plain.ExprPos(1, true); got != plain.Pos {
		t.Errorf("ExprPos of an absent derivative is %v, want the entry's %v", got, plain.Pos)
	}
	if plain.ULP != (Budget{F32: 2, F32Backward: 4, F64: 16, F64Backward: 8}) {
		t.Errorf("partial ulp gives %+v", plain.ULP)
	}
	if d := s.Lookup("double"); d.Formula != "x\t* exp(-x) + pi" {
		t.Errorf("double-quoted formula is %q", d.Formula)
	}
	if d := s.Lookup("folded"); d.Doc != "Folded block, one line once folded." {
		t.Errorf("folded doc is %q", d.Doc)
	}
	if d := s.Lookup("literal"); strings.ContainsAny(d.Formula, "\r\n") {
		t.Errorf("literal formula %q still has line breaks", d.Formula)
	}
}

// TestSelectIdent checks that the keyword workaround gives select back its
// name in the parsed expression.
func TestSelectIdent(t *testing.T) {
	s, err := Parse("t.yaml", []byte("- name: relu\n  doc: ReLU.\n  formula: select(x > 0, x, 0)\n"))
	if err != nil {
		t.Fatal(err)
	}
	call, ok := s.Entries[0].Expr.(*ast.CallExpr)
	if !ok {
		t.Fatalf("expression is a %T", s.Entries[0].Expr)
	}
	if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "select" {
		t.Errorf("callee is %#v, want the identifier select", call.Fun)
	}
}

func TestErrorFormat(t *testing.T) {
	el := ErrorList{
		{Pos: Pos{File: "a.yaml", Line: 1, Col: 2}, Msg: "first"},
		{Pos: Pos{Line: 3, Col: 4}, Msg: "second"},
	}
	if got, want := el.Error(), "a.yaml:1:2: first\n3:4: second"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"x", "alpha", "pi", "e", "sigmoid", "softplus"}
	for name, want := range map[string]string{
		"sigmod":  "sigmoid",
		"alpah":   "alpha",
		"y":       "x",
		"softplu": "softplus",
		"zzzzzz":  "",
	} {
		if got := suggest(name, cands); got != want {
			t.Errorf("suggest(%q) = %q, want %q", name, got, want)
		}
	}
}

// FuzzParse checks that no input makes Parse panic, and that what it returns
// is consistent: a spec or errors, never both, and positions inside the file.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"activations.yaml", "testdata/errors/*.yaml", "testdata/ok/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range files {
			src, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("f.yaml", src)
		lines := 2
		for _, brk := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
			lines += strings.Count(string(src), brk)
		}
		checkPos := func(p Pos) {
			if p.File != "f.yaml" || p.Line < 1 || p.Col < 1 || p.Line > lines || p.Col > len(src)+1 {
				t.Errorf("bad position %+v", p)
			}
		}
		if err != nil {
			if s != nil {
				t.Error("both a spec and an error")
			}
			var el ErrorList
			if !errors.As(err, &el) || len(el) == 0 {
				t.Fatalf("error %v is not a non-empty ErrorList", err)
			}
			for _, e := range el {
				checkPos(e.Pos)
			}
			return
		}
		if s == nil || len(s.Entries) == 0 {
			t.Fatal("no error and no entries")
		}
		for _, e := range s.Entries {
			if e.Expr == nil {
				t.Fatalf("entry %s has no expression", e.Name)
			}
			for _, deriv := range []bool{false, true} {
				x := e.Expr
				if deriv {
					x = e.DerivExpr
				}
				if x == nil {
					continue
				}
				ast.Inspect(x, func(n ast.Node) bool {
					if n != nil {
						checkPos(e.ExprPos(n.Pos(), deriv))
					}
					return true
				})
			}
		}
	})
}

func TestBudgetOf(t *testing.T) {
	b := Budget{F32: 1, F32Backward: 2, F64: 3, F64Backward: 4}
	if got := [4]int{b.Of(true, false), b.Of(true, true), b.Of(false, false), b.Of(false, true)}; got != [4]int{1, 2, 3, 4} {
		t.Errorf("Of = %v, want [1 2 3 4]", got)
	}
}
