//go:build ignore

// This file is copied into the generated package as avx2_amd64_test.go, built
// on amd64 without purego. On a CPU with AVX2 and FMA every generated variant
// must be registered and the dispatch must name registered kernels, assembly
// for at least one direction: the test fails rather than skips.

package act

import (
	"slices"
	"testing"
)

func TestAVX2Variants(t *testing.T) {
	if !hasAVX2FMA {
		t.Log("this CPU lacks AVX2 or FMA: the portable kernels run")
		return
	}
	if forcedPortable {
		t.Logf("%s=1: the portable kernels run", "ACTGEN_PUREGO")
		return
	}
	for _, k := range Kernels() {
		var have []string
		for _, im := range k.Impls {
			have = append(have, im.Name)
		}
		for _, v := range avx2Variants[k.Name] {
			if !slices.Contains(have, v) {
				t.Errorf("%s: variant %s is generated but not registered (have %v)", k.Name, v, have)
			}
		}
		if len(avx2Variants[k.Name]) == 0 {
			continue
		}
		// The dispatch table may choose the portable kernel (make tune does
		// where no variant keeps the accuracy budget), but not everywhere:
		// that would mean init never installed the assembly.
		assembly := 0
		for d, c := range k.Dispatch {
			for _, name := range []string{c.Impl, c.Large} {
				if !slices.Contains(have, name) {
					t.Errorf("%s: direction %d dispatches to %s, which is not registered (have %v)", k.Name, d, name, have)
				}
				if name != "go" {
					assembly++
				}
			}
		}
		if assembly == 0 {
			t.Errorf("%s: every direction dispatches to the portable kernel on an AVX2 machine", k.Name)
		}
	}
}
