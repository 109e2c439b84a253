package accuracy

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestStoreRoundTrip(t *testing.T) {
	ks, reg := kernels(t)
	relu := ks[0]
	for _, k := range ks {
		if k.Entry.Name == "relu" {
			relu = k
		}
	}
	// relu is exact everywhere: a sweep without any error must still save.
	e, err := sweep32(relu, reg["relu"], false, nil, 0x3f80, 0x3f81)
	if err != nil {
		t.Fatal(err)
	}
	fwd, bwd := StoreKey("relu", false), StoreKey("relu", true)
	path := filepath.Join(t.TempDir(), "accuracy.json")
	s, err := LoadStore(path, map[string]string{fwd: "h1", bwd: "h2", "relu": "h3"})
	if err != nil {
		t.Fatal(err)
	}
	s.PutExhaustive(fwd, e)
	s.PutExhaustive(bwd, e)
	s.Samples64 = 7
	s.PutFloat64("relu", []Result{{Impl: "go", Type: "float64", MaxULP: 0}})
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	again, err := LoadStore(path, map[string]string{fwd: "h1", bwd: "h2", "relu": "h3"})
	if err != nil {
		t.Fatal(err)
	}
	got := again.Exhaustive[fwd]
	if len(got.Sweeps) != len(e.Sweeps) || got.Sweeps[0].Points != e.Sweeps[0].Points || got.Sweeps[0].Hist[0] != chunk {
		t.Errorf("round trip: %+v, want %+v", got, e)
	}
	if again.Samples64 != 7 || len(again.Float64["relu"]) != 1 {
		t.Errorf("float64 results lost: %d inputs, %v", again.Samples64, again.Float64)
	}
	// New backward code drops that sweep and keeps the forward one.
	other, err := LoadStore(path, map[string]string{fwd: "h1", bwd: "changed", "relu": "h3"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := other.Exhaustive[bwd]; ok {
		t.Error("a sweep of other code was kept")
	}
	if _, ok := other.Exhaustive[fwd]; !ok {
		t.Error("a sweep of unchanged code was dropped")
	}
}

// TestKernelHashes changes the assembly of one function and direction in a
// copy of out/act and checks that exactly its hashes change, gelu's apart
// from gelu_tanh's, whose symbols share a prefix.
func TestKernelHashes(t *testing.T) {
	ks, _ := kernels(t)
	dir := t.TempDir()
	entries, err := os.ReadDir("../../out/act")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join("../../out/act", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before, err := KernelHashes(ks, dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for key, h := range before {
		if k, dup := seen[h]; dup {
			t.Errorf("%s and %s have the same hash %s", k, key, h)
		}
		seen[h] = key
	}
	if len(before) != 3*len(ks) {
		t.Errorf("%d hashes for %d kernels, want 3 each", len(before), len(ks))
	}
	// insert adds line after the line of file that starts with at, and
	// reports the keys whose hashes that moves.
	insert := func(file, at, line string) string {
		t.Helper()
		path := filepath.Join(dir, file)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(src, []byte("\n"+at))
		if i < 0 {
			t.Fatalf("no %q in %s", at, file)
		}
		j := i + 1 + bytes.IndexByte(src[i+1:], '\n') + 1
		changed := append(append(append([]byte{}, src[:j]...), line...), src[j:]...)
		if err := os.WriteFile(path, changed, 0o644); err != nil {
			t.Fatal(err)
		}
		after, err := KernelHashes(ks, dir)
		if err != nil {
			t.Fatal(err)
		}
		var moved []string
		for key := range before {
			if before[key] != after[key] {
				moved = append(moved, key)
			}
		}
		slices.Sort(moved)
		before = after
		return strings.Join(moved, " ")
	}
	for _, c := range []struct{ file, at, line, want string }{
		{"kernels_amd64.s", "TEXT ·geluF32Avx2U8(", "\tVZEROUPPER\n", "gelu gelu/forward"},
		// the portable gradient leaves the forward sweep alone; the
		// portable forward kernel may serve the gradient too
		{"gelu.go", "func geluDerivPlain(", "\t_ = x\n", "gelu gelu/backward"},
		{"gelu.go", "func geluPlain(", "\t_ = x\n", "gelu gelu/backward gelu/forward"},
	} {
		if got := insert(c.file, c.at, c.line); got != c.want {
			t.Errorf("changing %s at %s changed the hashes of %q, want %s", c.file, c.at, got, c.want)
		}
	}
}

// TestAsmTexts checks that a function's text names its constants by value:
// renumbering the pool changes no text, changing a value changes the text of
// the function that loads it and no other, and the pool is in no text.
func TestAsmTexts(t *testing.T) {
	const src = "TEXT ·a(SB), NOSPLIT, $0-8\n\tVMOVUPS actc0<>+0(SB), Y0\n\tRET\n" +
		"TEXT ·b(SB), NOSPLIT, $0-8\n\tVADDPS actc1<>+0(SB), Y0, Y0\n\tRET\n\n" +
		"DATA actc0<>+0(SB)/8, $0x0000000000000001\nDATA actc0<>+8(SB)/8, $0x0000000000000001\n" +
		"GLOBL actc0<>(SB), RODATA|NOPTR, $16\n" +
		"DATA actc1<>+0(SB)/8, $0x0000000000000002\nDATA actc1<>+8(SB)/8, $0x0000000000000002\n" +
		"GLOBL actc1<>(SB), RODATA|NOPTR, $16\n"
	texts := func(s string) map[string]string {
		out := map[string]string{}
		for _, f := range asmTexts([]byte(s)) {
			if bytes.Contains(f.body, []byte("DATA")) || bytes.Contains(f.body, []byte("GLOBL")) {
				t.Errorf("%s's text holds the pool:\n%s", f.name, f.body)
			}
			out[f.name] = string(f.body)
		}
		return out
	}
	base := texts(src)
	if len(base) != 2 {
		t.Fatalf("%d texts, want 2", len(base))
	}
	renumbered := strings.NewReplacer("actc0<>", "actc7<>", "actc1<>", "actc0<>").Replace(src)
	if got := texts(renumbered); !maps.Equal(got, base) {
		t.Errorf("renumbering the pool changed the texts:\n%v\nwant\n%v", got, base)
	}
	changed := texts(strings.ReplaceAll(src, "$0x0000000000000002", "$0x0000000000000003"))
	if changed["a"] != base["a"] || changed["b"] == base["b"] {
		t.Errorf("changing b's constant: a changed %v (want false), b changed %v (want true)",
			changed["a"] != base["a"], changed["b"] != base["b"])
	}
}
