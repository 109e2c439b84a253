package peers

import "math"

// Peer is one alternative implementation of an activation at the spec's
// default parameters. Forward and Backward take float32 slices as out/act's
// functions do: x, dy and the destination have one length. The naive and
// math32 peers also work in place; the vek32 peers may panic when the
// destination overlaps x or dy, because vek32 refuses overlapping slices.
type Peer struct {
	Name string // "naive", "math32" or "vek32"
	// Forward writes f(x) to dst.
	Forward func(dst, x []float32)
	// Backward writes dy·f'(x) to dx; nil where the library gives no
	// reasonable composition.
	Backward func(dx, x, dy []float32)
	// ForwardPasses and BackwardPasses count the sweeps over memory one call
	// makes, so a report can explain why a chain of fast calls is slow.
	ForwardPasses, BackwardPasses int
}

// The spec's default parameters (spec/activations.yaml). The peers bake them
// in as constants, as a user's code would; the tests check them against
// act.Kernels() so that a changed default cannot go unnoticed.
const (
	leakyReLUAlpha    = 0.01
	eluAlpha          = 1.0
	softplusBeta      = 1.0
	softplusThreshold = 20.0
)

const (
	geluTanhC = 0.7978845608028654 // sqrt(2/pi)
	geluTanhK = 0.044715
	invSqrt2  = 1 / math.Sqrt2
	invSqrt2P = 0.3989422804014327 // 1/sqrt(2*pi)
)

// For returns the peers of the spec function fn in the order naive, math32,
// vek32, leaving out the ones that do not exist, and nil for an unknown name.
// The vek32 peer keeps scratch slices sized by the longest input seen, so a
// returned Peer must not be used by two goroutines at once; call For again for
// an independent set.
func For(fn string) []Peer {
	var ps []Peer
	if p, ok := naivePeers[fn]; ok {
		ps = append(ps, p)
	}
	if p, ok := math32Peers[fn]; ok {
		ps = append(ps, p)
	}
	if mk, ok := vek32Peers[fn]; ok {
		ps = append(ps, mk())
	}
	return ps
}
