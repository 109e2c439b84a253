package asm

import (
	"testing"

	"github.com/actgen/actgen/kernel"
	"github.com/actgen/actgen/spec"
)

// eachProgram lowers kernel name (forward or backward) to its exact and fast
// programs at both widths and calls check with each and its live values.
func eachProgram(t *testing.T, name string, backward bool, check func(w Width, fast bool, p *Prog, live []bool)) {
	t.Helper()
	eachProgramOf(t, specKernel(t, name), backward, check)
}

// eachProgramOf is eachProgram for a kernel built by the caller.
func eachProgramOf(t *testing.T, k *kernel.Kernel, backward bool, check func(w Width, fast bool, p *Prog, live []bool)) {
	t.Helper()
	for _, w := range []Width{F32, F64} {
		for _, fast := range []bool{false, true} {
			p, err := lowerKernel(k, w, backward, divide, NewPool(), true, fast)
			if err != nil {
				t.Fatal(err)
			}
			check(w, fast, p, liveValues(p, p.out))
		}
	}
}

// TestScaledLogistic checks that silu's and gelu_tanh's forward kernels
// divide x by 1+e^-u instead of multiplying it by σ(u), whose extra
// rounding cost silu a third ulp: the fast program ends in that division,
// the exact one blends it with x·e^u for the lanes below guardLo. Only
// float32 gelu_tanh takes back the rounding of 1+e^-u.
func TestScaledLogistic(t *testing.T) {
	for _, name := range []string{"silu", "gelu_tanh"} {
		// live instructions only: the exact program's ends blend in NaN
		// and zero tails after the product
		eachProgram(t, name, false, func(w Width, fast bool, p *Prog, live []bool) {
			isX := func(v value) bool { return p.insts[v].op == opX }
			divides, timesQuotient := 0, 0
			for i, in := range p.insts {
				if !live[i] {
					continue
				}
				switch {
				case in.op == opDiv && isX(in.args[0]):
					divides++
				case in.op == opMul && (isX(in.args[0]) && p.insts[in.args[1]].op == opDiv || isX(in.args[1]) && p.insts[in.args[0]].op == opDiv):
					timesQuotient++
				}
			}
			if divides != 1 || timesQuotient != 0 {
				t.Errorf("%s %s (fast %v): %d divisions of x, %d products of x and a quotient; want 1 and 0", name, w, fast, divides, timesQuotient)
			}
			// divOnePlus takes back the rounding of 1+e^-u (one VRCPPS)
			// for float32 gelu_tanh, whose u is two floats, not for silu
			if got, want := countLive(p, live, opRcp) > 0, name == "gelu_tanh" && w == F32; got != want {
				t.Errorf("%s %s (fast %v): rounding of 1+e^-u taken back: %v, want %v", name, w, fast, got, want)
			}
		})
	}
}

// TestSelectOneFactor checks that gelu_tanh′'s 1 + z + x·u′·select(u > 0,
// z, 1) is one FMA with x as a factor, x·(u′·select), so that where the
// select is 1 nothing is rounded apart from the sum (the FMA of (x·u′)·select
// rounded x·u′ first: 6 ULPs at x = -1.767, 5 then).
func TestSelectOneFactor(t *testing.T) {
	eachProgram(t, "gelu_tanh", true, func(w Width, fast bool, p *Prog, live []bool) {
		isOnePlus := func(v value) bool {
			in := p.insts[v]
			if in.op != opAdd {
				return false
			}
			for _, a := range in.args[:2] {
				if c, ok := p.constVal(a); ok && c == 1 {
					return true
				}
			}
			return false
		}
		found := 0
		for i, in := range p.insts {
			if live[i] && in.op == opFMA && isOnePlus(in.args[2]) && (p.insts[in.args[0]].op == opX || p.insts[in.args[1]].op == opX) {
				found++
			}
		}
		if found != 1 {
			t.Errorf("%s (fast %v): %d FMAs of x and 1 + z, want 1", w, fast, found)
		}
	})
}

// TestProductQuotient checks that float32 gelu_tanh′, whose e^-|u| has a
// two-float argument, takes back the roundings of z·N and of its division
// by D (one VRCPPS), and that silu′ and mish′, within budget without it,
// and the float64 kernels do not pay for it.
func TestProductQuotient(t *testing.T) {
	for _, name := range []string{"silu", "mish", "gelu_tanh"} {
		eachProgram(t, name, true, func(w Width, fast bool, p *Prog, live []bool) {
			want := 0
			if name == "gelu_tanh" && w == F32 {
				want = 1
			}
			if got := countLive(p, live, opRcp); got != want {
				t.Errorf("%s′ %s (fast %v): %d VRCPPS, want %d", name, w, fast, got, want)
			}
		})
	}
}

// countLive counts the live instructions of p with operation op.
func countLive(p *Prog, live []bool, op vop) int {
	n := 0
	for i, in := range p.insts {
		if live[i] && in.op == op {
			n++
		}
	}
	return n
}

// TestTimesQuotient checks that mish's forward x·N/(N + D) is one quotient
// of two floats with its remainder taken back (one VRCPPS, e^x's rounding
// carried: 2 ULPs over all float32 inputs, at 2.56× the time) only where the
// entry keeps the default float32 budget: a spec with ulp f32: 5 keeps the
// formula's roundings, and float64 never pays for it.
func TestTimesQuotient(t *testing.T) {
	k := specKernel(t, "mish")
	withBudget := func(f32 int) *kernel.Kernel {
		kk, entry := *k, *k.Entry
		entry.ULP.F32 = f32
		kk.Entry = &entry
		return &kk
	}
	for _, c := range []struct {
		k    *kernel.Kernel
		rcps int
	}{{withBudget(5), 0}, {withBudget(spec.DefaultBudget.F32), 1}} {
		eachProgramOf(t, c.k, false, func(w Width, fast bool, p *Prog, live []bool) {
			want := c.rcps
			if w == F64 {
				want = 0
			}
			if got := countLive(p, live, opRcp); got != want {
				t.Errorf("mish %s (fast %v, budget %d): %d VRCPPS, want %d", w, fast, c.k.Entry.ULP.F32, got, want)
			}
		})
	}
}
