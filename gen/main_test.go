package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A bad spec must fail with positioned errors and leave the output directory
// exactly as it was, for every kind of error in the spec package's corpus.
func TestBadSpecWritesNothing(t *testing.T) {
	corpus, err := filepath.Glob("../spec/testdata/errors/*.yaml")
	if err != nil || len(corpus) < 20 {
		t.Fatalf("error corpus: %v files, %v", len(corpus), err)
	}
	positioned := regexp.MustCompile(`\.yaml:\d+:\d+: `)
	for _, path := range corpus {
		out := t.TempDir()
		act := filepath.Join(out, "act")
		if err := os.MkdirAll(act, 0o755); err != nil {
			t.Fatal(err)
		}
		sentinel := filepath.Join(act, "keep.go")
		if err := os.WriteFile(sentinel, []byte("package act\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := run([]string{"-spec", path, "-out", out})
		if err == nil {
			t.Errorf("%s: no error", filepath.Base(path))
			continue
		}
		if !positioned.MatchString(err.Error()) {
			t.Errorf("%s: error without file:line:col: %v", filepath.Base(path), err)
		}
		entries, _ := os.ReadDir(act)
		if len(entries) != 1 {
			t.Errorf("%s: out/act changed: %d files", filepath.Base(path), len(entries))
		}
		if b, _ := os.ReadFile(sentinel); string(b) != "package act\n" {
			t.Errorf("%s: out/act/keep.go changed", filepath.Base(path))
		}
	}
}

func TestWriteAtomicallyReplaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "act")
	if err := writeAtomically(dir, map[string][]byte{"a.go": []byte("a"), "testdata/x.golden": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomically(dir, map[string][]byte{"b.go": []byte("b")}); err != nil {
		t.Fatal(err)
	}
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimPrefix(p, dir+"/"))
		}
		return nil
	})
	if strings.Join(names, ",") != "b.go" {
		t.Errorf("after replacement: %v, want only b.go", names)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".act-new-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary directories left: %v", leftovers)
	}
}
