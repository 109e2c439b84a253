// Command gen is actgen's generator: it reads spec/activations.yaml and writes
// the Go package out/act (kernels, API, registry, tests and golden tables).
//
//	go run ./gen -spec spec/activations.yaml -out out
//
// It checks the whole spec before writing anything; a bad spec prints one
// file:line:col error per problem and exits with status 1, leaving out/ as it was.
package main

//go:generate go run . -spec ../spec/activations.yaml -dispatch ../spec/dispatch.tsv -out ../out

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/actgen/actgen/asm"
	"github.com/actgen/actgen/gen/gobackend"
	"github.com/actgen/actgen/gen/golden"
	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/spec"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		spec.Fprint(os.Stderr, "gen", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	specPath := fs.String("spec", "spec/activations.yaml", "the activation spec")
	outDir := fs.String("out", "out", "the generated module's directory; package act is written to OUT/act")
	dispatchPath := fs.String("dispatch", "spec/dispatch.tsv", "the dispatch table (written by make tune); a missing file means defaults")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files, err := Generate(*specPath, *dispatchPath)
	if err != nil {
		return err
	}
	return writeAtomically(filepath.Join(*outDir, "act"), files)
}

// Generate returns the files of package act for the spec at specPath, keyed by
// their path relative to the package directory.
func Generate(specPath, dispatchPath string) (map[string][]byte, error) {
	s, err := spec.Load(specPath)
	if err != nil {
		return nil, err
	}
	ks, err := kernel.Build(s)
	if err != nil {
		return nil, err
	}
	table := gobackend.Table{}
	if data, err := os.ReadFile(dispatchPath); err == nil {
		if table, err = gobackend.ParseTable(dispatchPath, data); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("dispatch table: %w", err)
	}
	vec, err := asm.Generate(ks, "act", gobackend.LowerName)
	if err != nil {
		return nil, fmt.Errorf("assembly: %w", err)
	}
	for _, k := range ks {
		if why, ok := vec.Skipped[k.Entry.Name]; ok {
			fmt.Fprintf(os.Stderr, "gen: %s: portable kernels only: %s\n", k.Entry.Name, why)
		}
	}
	files, err := gobackend.Files(ks, vec, table)
	if err != nil {
		return nil, err
	}
	// Tables are independent; each also spreads its rows over the CPUs.
	tables := make([][]byte, len(ks))
	errs := make([]error, len(ks))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.NumCPU()/2))
	for i, k := range ks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			tables[i], errs[i] = golden.Table(k)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("golden tables: %w", err)
	}
	for i, k := range ks {
		files[filepath.Join("testdata", k.Entry.Name+".golden")] = tables[i]
	}
	return files, nil
}

// writeAtomically replaces dir by a directory holding exactly files: it writes a
// sibling directory first and swaps it in with renames, so a failure leaves the
// old package whole and stale files of removed activations disappear.
func writeAtomically(dir string, files map[string][]byte) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".act-new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := tmp + "-old"
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, old); err != nil {
			return err
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(old); statErr == nil {
			os.Rename(old, dir)
		}
		return err
	}
	return nil
}
