//go:build ignore

// This file is copied into the generated package as avx2_amd64_test.go, built
// on amd64 without purego. On a CPU with AVX2 and FMA every generated variant
// must be registered and dispatched: the test fails rather than skips.

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
		for d, c := range k.Dispatch {
			if c.Impl == "go" || c.Large == "go" {
				t.Errorf("%s: direction %d dispatches to the portable kernel on an AVX2 machine", k.Name, d)
			}
		}
	}
}
