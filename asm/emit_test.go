package asm

import (
	"math"
	"strings"
	"testing"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/reg"
)

// checkOf builds a one-function file with body and runs check on it.
func checkOf(t *testing.T, body func(ctx *build.Context)) error {
	t.Helper()
	ctx := build.NewContext()
	ctx.Function("f")
	ctx.SignatureExpr("func()")
	body(ctx)
	f, err := ctx.Result()
	if err != nil {
		t.Fatal(err)
	}
	return check(f.Functions()[0])
}

// TestCheck makes sure the self-check catches what assembles but dies with
// SIGILL on an AVX2 machine, and what leaves the upper halves dirty.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		body func(ctx *build.Context)
		want string // "" for no error
	}{
		{"clean", func(ctx *build.Context) {
			ctx.VADDPS(reg.Y1, reg.Y2, reg.Y15)
			ctx.VZEROUPPER()
			ctx.RET()
		}, ""},
		{"y16", func(ctx *build.Context) {
			ctx.VADDPS(reg.Y1, reg.Y2, reg.Y16)
			ctx.VZEROUPPER()
			ctx.RET()
		}, "Y16"},
		{"no vzeroupper", func(ctx *build.Context) {
			ctx.VADDPS(reg.Y1, reg.Y2, reg.Y3)
			ctx.RET()
		}, "VZEROUPPER"},
	} {
		err := checkOf(t, tc.body)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one mentioning %s", tc.name, err, tc.want)
		}
	}
}

// TestSwapPred checks that every predicate the lowering uses survives the
// operand swap the emitter makes for a memory first operand, NaN included.
func TestSwapPred(t *testing.T) {
	eval := func(pred int, a, b float64) bool {
		un := a != a || b != b
		switch pred {
		case cmpEQ:
			return !un && a == b
		case cmpEQUQ:
			return un || a == b
		case cmpLT:
			return !un && a < b
		case cmpLE:
			return !un && a <= b
		case cmpGT:
			return !un && a > b
		case cmpGE:
			return !un && a >= b
		case cmpNEQ:
			return !un && a != b
		case cmpUNORD:
			return un
		case cmpNLTUQ:
			return un || a >= b
		case cmpNLEUQ:
			return un || a > b
		case cmpNGEUQ:
			return un || a < b
		case cmpNGTUQ:
			return un || a <= b
		}
		t.Fatalf("predicate %#x not modelled", pred)
		return false
	}
	vals := []float64{math.Inf(-1), -1, 0, 1, math.Inf(1), math.NaN()}
	for _, pred := range []int{cmpEQ, cmpEQUQ, cmpLT, cmpLE, cmpGT, cmpGE, cmpNEQ, cmpUNORD, cmpNLTUQ, cmpNLEUQ, cmpNGEUQ, cmpNGTUQ} {
		for _, a := range vals {
			for _, b := range vals {
				if eval(pred, a, b) != eval(swapPred(pred), b, a) {
					t.Errorf("predicate %#x: %v P %v is %v, swapped %v", pred, a, b, eval(pred, a, b), eval(swapPred(pred), b, a))
				}
			}
		}
	}
}
