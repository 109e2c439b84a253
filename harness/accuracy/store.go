package accuracy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/actgen/actgen/gen/gobackend"
	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/out/act"
	"github.com/actgen/actgen/spec"
)

// Store is reports/accuracy.json: the results of the long accuracy runs
// (`make verify`), kept so that a default `make report` can show them without
// redoing hours of work, and only while the code they measured is the code in
// out/act. Each result carries the hash of its own function's code, so that
// changing one kernel invalidates its results and no others.
type Store struct {
	// Kernels maps the key of each result (a StoreKey for a sweep, the
	// function's name for float64) to the hash of the code it measured (see
	// KernelHashes).
	Kernels map[string]string
	// Exhaustive holds the float32 sweeps by function and direction
	// ("sigmoid/forward").
	Exhaustive map[string]Exhaustive
	// Samples64 is the number of float64 inputs per function behind Float64.
	Samples64 int
	// Float64 holds the float64 results by function.
	Float64 map[string][]Result

	current map[string]string // the hashes of the code in out/act now
}

// StoreKey is the key of a function and direction in Store.Exhaustive.
func StoreKey(fn string, backward bool) string {
	if backward {
		return fn + "/backward"
	}
	return fn + "/forward"
}

// LoadStore reads path, keeping the results whose code hash is the one
// current (from KernelHashes) gives for their key; a missing file gives an
// empty store.
func LoadStore(path string, current map[string]string) (*Store, error) {
	s := &Store{Kernels: map[string]string{}, Exhaustive: map[string]Exhaustive{}, Float64: map[string][]Result{}, current: current}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	var old Store
	if err := json.Unmarshal(data, &old); err != nil {
		return nil, fmt.Errorf("%s: %w (delete it to start afresh)", path, err)
	}
	valid := func(key string) bool {
		h, ok := current[key]
		return ok && old.Kernels[key] == h
	}
	for key, e := range old.Exhaustive {
		if valid(key) {
			s.Exhaustive[key], s.Kernels[key] = e, current[key]
		}
	}
	for fn, rs := range old.Float64 {
		if valid(fn) {
			s.Float64[fn], s.Kernels[fn] = rs, current[fn]
		}
	}
	if len(s.Float64) > 0 {
		s.Samples64 = old.Samples64
	}
	return s, nil
}

// PutExhaustive records the sweep of key (a StoreKey) for the current code.
func (s *Store) PutExhaustive(key string, e Exhaustive) {
	s.Exhaustive[key], s.Kernels[key] = e, s.current[key]
}

// PutFloat64 records fn's float64 results for the current code.
func (s *Store) PutFloat64(fn string, rs []Result) {
	s.Float64[fn], s.Kernels[fn] = rs, s.current[fn]
}

// Save writes the store atomically, so an interrupted run keeps what it had.
func (s *Store) Save(path string) error {
	data, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// KernelHashes hashes, for each kernel in ks and direction, what its results
// depend on, keyed like Store: by StoreKey for the float32 sweep of one
// direction, by the function's name for its float64 results (both
// directions). A direction's hash covers the function's formulas (as stated
// and as evaluated; the backward one's derivatives too) and default
// parameters, which fix the reference; its portable kernels and the runtime
// helpers (rt.go); and, from the files shared by all functions, the assembly
// of the direction's variants, their stubs and the wrappers that compute the
// lanes they hand back. The forward hash leaves out the portable file's
// gradient code (declarations named …Backward… or …Deriv…), so a new
// derivative does not send the forward sweep round again. Docs and
// accuracy budgets are left out, as a budget decides whether a result passes,
// not what it is; so is the dispatch table, which `make tune` rewrites
// without changing any kernel.
func KernelHashes(ks []*kernel.Kernel, actDir string) (map[string]string, error) {
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(actDir, name)) }
	rt, err := read("rt.go")
	if err != nil {
		return nil, err
	}
	asm, err := read("kernels_amd64.s")
	if err != nil {
		return nil, err
	}
	var shared []goFunc
	for _, name := range []string{"kernels_amd64.go", "avx2_amd64.go"} {
		fs, err := goFuncs(filepath.Join(actDir, name))
		if err != nil {
			return nil, err
		}
		shared = append(shared, fs...)
	}
	texts := asmTexts(asm)
	out := map[string]string{}
	for _, k := range ks {
		portable, err := goDecls(filepath.Join(actDir, k.Entry.Name+".go"))
		if err != nil {
			return nil, err
		}
		both := sha256.New()
		for _, backward := range []bool{false, true} {
			h := sha256.New()
			fmt.Fprintf(h, "%s\n%s\n%s\n", k.Entry.Name, k.Forward, k.StableForward)
			if backward {
				fmt.Fprintf(h, "%s\n%s\n", k.Derivative, k.StableDerivative)
			}
			for _, q := range k.Entry.Params {
				fmt.Fprintf(h, "%s=%v\n", q.Name, k.Defaults()[q.Name])
			}
			fmt.Fprintf(h, "%d\n", len(rt))
			h.Write(rt)
			for _, d := range portable {
				if backward || !strings.Contains(d.name, "Backward") && !strings.Contains(d.name, "Deriv") {
					fmt.Fprintf(h, "decl %s %d\n", d.name, len(d.body))
					h.Write(d.body)
				}
			}
			// The direction's symbols are stem[Backward]F32... and
			// stem[Backward]F64...; requiring the F keeps gelu's apart from
			// geluTanh's.
			prefix := gobackend.LowerName(k)
			if backward {
				prefix += "Backward"
			}
			prefix += "F"
			for _, t := range texts {
				if strings.HasPrefix(t.name, prefix) {
					fmt.Fprintf(h, "TEXT %s %d\n", t.name, len(t.body))
					h.Write(t.body)
				}
			}
			for _, f := range shared {
				if strings.HasPrefix(f.name, prefix) {
					fmt.Fprintf(h, "func %s %d\n", f.name, len(f.body))
					h.Write(f.body)
				}
			}
			sum := hex.EncodeToString(h.Sum(nil))[:16]
			out[StoreKey(k.Entry.Name, backward)] = sum
			both.Write([]byte(sum))
		}
		out[k.Entry.Name] = hex.EncodeToString(both.Sum(nil))[:16]
	}
	return out, nil
}

// goFunc is a top-level function of a Go file, with its doc comment.
type goFunc struct {
	name string
	body []byte
}

// goFuncs returns the top-level functions of a Go file.
func goFuncs(path string) ([]goFunc, error) {
	ds, err := goDecls(path)
	var out []goFunc
	for _, d := range ds {
		if d.fn {
			out = append(out, d.goFunc)
		}
	}
	return out, err
}

// goDecl is a top-level declaration of a Go file, named by its first name,
// with its doc comment.
type goDecl struct {
	goFunc
	fn bool // a function (without receiver), not a var, const, type or import
}

// goDecls returns the top-level declarations of a Go file but methods, in
// file order.
func goDecls(path string) ([]goDecl, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	text := func(start, end token.Pos, doc *ast.CommentGroup) []byte {
		if doc != nil {
			start = doc.Pos()
		}
		return src[fset.Position(start).Offset:fset.Position(end).Offset]
	}
	var out []goDecl
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				out = append(out, goDecl{goFunc{d.Name.Name, text(d.Pos(), d.End(), d.Doc)}, true})
			}
		case *ast.GenDecl:
			name := d.Tok.String()
			if len(d.Specs) > 0 {
				switch sp := d.Specs[0].(type) {
				case *ast.ValueSpec:
					name = sp.Names[0].Name
				case *ast.TypeSpec:
					name = sp.Name.Name
				}
			}
			out = append(out, goDecl{goFunc{name, text(d.Pos(), d.End(), d.Doc)}, false})
		}
	}
	return out, nil
}

// asmTexts splits Go assembly into its TEXT blocks, each running to the next
// TEXT or DATA line (avo writes the constant pool after the last function),
// and writes each reference to a pool symbol (actc12<>) as that symbol's
// data: a block then reads as what it computes, so renumbering the pool,
// which a new constant anywhere does, leaves every hash alone, and changing a
// constant's value changes the hash of each function that loads it.
func asmTexts(src []byte) []goFunc {
	lines := bytes.SplitAfter(src, []byte("\n"))
	data := map[string][]byte{}
	for _, line := range lines {
		// DATA actc0<>+8(SB)/8, $0x0000000300000002
		if rest, ok := bytes.CutPrefix(line, []byte("DATA ")); ok {
			name, at, _ := bytes.Cut(rest, []byte("+"))
			data[string(name)] = append(append(data[string(name)], bytes.TrimSpace(at)...), ';')
		}
	}
	var out []goFunc
	in := false
	for _, line := range lines {
		if rest, ok := bytes.CutPrefix(line, []byte("TEXT ·")); ok {
			name, _, _ := bytes.Cut(rest, []byte("("))
			out = append(out, goFunc{name: string(name)})
			in = true
		}
		if bytes.HasPrefix(line, []byte("DATA ")) || bytes.HasPrefix(line, []byte("GLOBL ")) {
			in = false
		}
		if in {
			line = poolRef.ReplaceAllFunc(line, func(ref []byte) []byte {
				if d, ok := data[string(ref)]; ok {
					return append(append([]byte("{"), d...), '}')
				}
				return ref
			})
			out[len(out)-1].body = append(out[len(out)-1].body, line...)
		}
	}
	return out
}

// poolRef matches a file-local assembly symbol such as actc12<>.
var poolRef = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*<>`)

// Suite is what the harness commands measure: the spec's kernels, the
// generated registry entry of each, and the stored long-run results.
type Suite struct {
	Kernels  []*kernel.Kernel
	Registry map[string]act.Kernel // by spec name
	Store    *Store
}

// Open loads the spec at specPath, checks that out/act (beside spec/) was
// generated from it, and reads the store at storePath for the kernels'
// current code.
func Open(specPath, storePath string) (*Suite, error) {
	s, err := spec.Load(specPath)
	if err != nil {
		return nil, err
	}
	ks, err := kernel.Build(s)
	if err != nil {
		return nil, err
	}
	registry := map[string]act.Kernel{}
	for _, k := range act.Kernels() {
		registry[k.Name] = k
	}
	for _, k := range ks {
		if reg, ok := registry[k.Entry.Name]; !ok || reg.Formula != k.Forward.String() {
			return nil, fmt.Errorf("out/act does not match %s for %s: run make generate", specPath, k.Entry.Name)
		}
	}
	hashes, err := KernelHashes(ks, filepath.Join(filepath.Dir(filepath.Dir(specPath)), "out", "act"))
	if err != nil {
		return nil, fmt.Errorf("hash the kernels: %w", err)
	}
	st, err := LoadStore(storePath, hashes)
	if err != nil {
		return nil, err
	}
	return &Suite{Kernels: ks, Registry: registry, Store: st}, nil
}
