package accuracy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/out/act"
	"github.com/actgen/actgen/spec"
)

// store is reports/json: the results of the long accuracy runs
// (`make verify`), kept so that a default `make report` can show them without
// redoing hours of work, and only while the kernels they measured are the ones
// in out/act.
type Store struct {
	// Kernels identifies the measured code: a hash of the spec and of the
	// kernel sources in out/act (see KernelHash).
	Kernels string
	// Exhaustive holds the float32 sweeps by function and direction
	// ("sigmoid/forward").
	Exhaustive map[string]Exhaustive
	// Samples64 is the number of float64 inputs per function behind Float64.
	Samples64 int
	// Float64 holds the float64 results by function.
	Float64 map[string][]Result
}

// StoreKey is the key of a function and direction in Store.Exhaustive.
func StoreKey(fn string, backward bool) string {
	if backward {
		return fn + "/backward"
	}
	return fn + "/forward"
}

// LoadStore reads path; a missing file, or one that measured other kernels,
// gives an empty store for hash.
func LoadStore(path, hash string) (*Store, error) {
	s := &Store{Kernels: hash, Exhaustive: map[string]Exhaustive{}, Float64: map[string][]Result{}}
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
	if old.Kernels != hash {
		return s, nil
	}
	if old.Exhaustive != nil {
		s.Exhaustive = old.Exhaustive
	}
	if old.Float64 != nil {
		s.Float64, s.Samples64 = old.Float64, old.Samples64
	}
	return s, nil
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

// KernelHash hashes what the results of the kernels ks depend on: their
// formulas (as stated, as evaluated, and their derivatives) and default
// parameters, which fix the reference, and the kernel code in actDir
// (assembly, its stubs, the portable kernels and the runtime helpers). Docs
// and accuracy budgets are left out: a budget decides whether a result
// passes, not what it is. So is the generated dispatch file, whose choices
// `make tune` rewrites without changing any kernel; it also holds the
// hand-back wrappers, fixed template code that the generated tests cover.
func KernelHash(ks []*kernel.Kernel, actDir string) (string, error) {
	h := sha256.New()
	for _, k := range ks {
		fmt.Fprintf(h, "%s\n%s\n%s\n%s\n%s\n", k.Entry.Name, k.Forward, k.Derivative, k.StableForward, k.StableDerivative)
		for _, q := range k.Entry.Params {
			fmt.Fprintf(h, "%s=%v\n", q.Name, k.Defaults()[q.Name])
		}
	}
	entries, err := os.ReadDir(actDir)
	if err != nil {
		return "", err
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "avx2_") ||
			name == "dispatch.go" || name == "registry.go" {
			continue
		}
		if strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".s") {
			files = append(files, name)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(actDir, f))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", f, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

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
	hash, err := KernelHash(ks, filepath.Join(filepath.Dir(filepath.Dir(specPath)), "out", "act"))
	if err != nil {
		return nil, fmt.Errorf("hash the kernels: %w", err)
	}
	st, err := LoadStore(storePath, hash)
	if err != nil {
		return nil, err
	}
	return &Suite{Kernels: ks, Registry: registry, Store: st}, nil
}
