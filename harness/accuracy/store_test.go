package accuracy

import (
	"bytes"
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
	path := filepath.Join(dir, "kernels_amd64.s")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(src, []byte("TEXT ·geluF32Avx2U8("))
	if i < 0 {
		t.Fatal("no TEXT ·geluF32Avx2U8 in kernels_amd64.s")
	}
	j := i + bytes.IndexByte(src[i:], '\n') + 1
	changed := append(append(append([]byte{}, src[:j]...), "\tVZEROUPPER\n"...), src[j:]...)
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
	if got := strings.Join(moved, " "); got != "gelu gelu/forward" {
		t.Errorf("changing geluF32Avx2U8 changed the hashes of %q, want gelu gelu/forward", got)
	}
}
