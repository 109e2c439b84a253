package rt

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// This file becomes support_test.go of the generated package: the golden-table
// checks every implementation of every kernel runs. In package rt it is compiled
// and unit tested against a fake registry.

// goldenCase is one row of a golden table: an input, an upstream gradient and
// the correctly rounded forward and backward results, all as float64 (float32
// rows hold float32 values).
type goldenCase struct{ x, dy, fx, dx float64 }

// goldenGroup is the rows of one type under one parameter setting.
type goldenGroup struct {
	bits32 bool
	params []float64
	rows   []goldenCase
}

// readGolden parses testdata/NAME.golden as written by actgen's gen/golden.
func readGolden(path string) ([]*goldenGroup, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var groups []*goldenGroup
	var params []float64
	cur := map[bool]*goldenGroup{}
	s := bufio.NewScanner(f)
	for line := 1; s.Scan(); line++ {
		fields := strings.Fields(s.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		bad := func(err error) error { return fmt.Errorf("%s:%d: %v", filepath.Base(path), line, err) }
		switch fields[0] {
		case "params":
			params = params[:0:0]
			for _, h := range fields[1:] {
				b, err := strconv.ParseUint(h, 16, 64)
				if err != nil {
					return nil, bad(err)
				}
				params = append(params, math.Float64frombits(b))
			}
			cur = map[bool]*goldenGroup{}
		case "f32", "f64":
			is32 := fields[0] == "f32"
			if len(fields) != 5 {
				return nil, bad(fmt.Errorf("want 5 fields, have %d", len(fields)))
			}
			var v [4]float64
			for i, h := range fields[1:] {
				b, err := strconv.ParseUint(h, 16, 64)
				if err != nil {
					return nil, bad(err)
				}
				if is32 {
					v[i] = float64(math.Float32frombits(uint32(b)))
				} else {
					v[i] = math.Float64frombits(b)
				}
			}
			g := cur[is32]
			if g == nil {
				g = &goldenGroup{bits32: is32, params: params}
				cur[is32] = g
				groups = append(groups, g)
			}
			g.rows = append(g.rows, goldenCase{v[0], v[1], v[2], v[3]})
		default:
			return nil, bad(fmt.Errorf("unknown record %q", fields[0]))
		}
	}
	return groups, s.Err()
}

// ulps32 is the distance between a and b counted in float32 steps; ±0 are
// equal, NaN is infinitely far from everything but NaN.
func ulps32(a, b float32) uint64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxUint64
	}
	return dist(ordered32(a), ordered32(b))
}

// ulps64 is ulps32 for float64.
func ulps64(a, b float64) uint64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxUint64
	}
	return dist(ordered64(a), ordered64(b))
}

func ordered32(f float32) int64 {
	b := int64(math.Float32bits(f) &^ (1 << 31))
	if math.Signbit(float64(f)) {
		return -b
	}
	return b
}

func ordered64(f float64) int64 {
	b := int64(math.Float64bits(f) &^ (1 << 63))
	if math.Signbit(f) {
		return -b
	}
	return b
}

func dist(a, b int64) uint64 {
	if a > b {
		return uint64(a) - uint64(b)
	}
	return uint64(b) - uint64(a)
}

// goldenKernel is what checkGolden needs of a registry entry.
type goldenKernel struct {
	name                       string
	budget32, budget32Backward uint64
	budget64, budget64Backward uint64
	forward32                  func(dst, x, p []float32)
	backward32                 func(dx, x, dy, p []float32)
	forward64                  func(dst, x, p []float64)
	backward64                 func(dx, x, dy, p []float64)
}

// checkGolden runs one implementation over the golden table and fails the test
// for rows beyond the ULP budget.
func checkGolden(t *testing.T, k goldenKernel, groups []*goldenGroup) {
	t.Helper()
	failures, summary := goldenErrors(k, groups)
	for i, f := range failures {
		if i == 20 {
			t.Errorf("%d more rows beyond budget", len(failures)-20)
			break
		}
		t.Error(f)
	}
	for _, s := range summary {
		t.Log(s)
	}
}

// goldenErrors runs one implementation over the golden table, one slice call per
// group so that the slice kernels are what is tested. It returns a message for
// every row beyond the ULP budget and a summary line per kind with the worst row.
func goldenErrors(k goldenKernel, groups []*goldenGroup) (failures, summary []string) {
	type worst struct {
		set          bool
		ulps         uint64
		x, got, want float64
	}
	var w [4]worst // f32, f32 backward, f64, f64 backward
	budget := [4]uint64{k.budget32, k.budget32Backward, k.budget64, k.budget64Backward}
	names := [4]string{"float32", "float32 backward", "float64", "float64 backward"}
	check := func(i int, x, got, want float64, d uint64) {
		if !w[i].set || d > w[i].ulps {
			w[i] = worst{true, d, x, got, want}
		}
		if d > budget[i] {
			failures = append(failures, fmt.Sprintf("%s %s(%v) = %v, want %v: %s ULPs, budget %d", names[i], k.name, x, got, want, ulpText(d), budget[i]))
		}
	}
	for _, g := range groups {
		n := len(g.rows)
		if g.bits32 && k.forward32 == nil || !g.bits32 && k.forward64 == nil {
			continue // this implementation does not exist for the type
		}
		if g.bits32 {
			x, dy := make([]float32, n), make([]float32, n)
			for i, r := range g.rows {
				x[i], dy[i] = float32(r.x), float32(r.dy)
			}
			p := make([]float32, len(g.params))
			for i, v := range g.params {
				p[i] = float32(v)
			}
			fx, dx := make([]float32, n), make([]float32, n)
			k.forward32(fx, x, p)
			k.backward32(dx, x, dy, p)
			for i, r := range g.rows {
				check(0, r.x, float64(fx[i]), r.fx, ulps32(fx[i], float32(r.fx)))
				check(1, r.x, float64(dx[i]), r.dx, ulps32(dx[i], float32(r.dx)))
			}
			continue
		}
		x, dy := make([]float64, n), make([]float64, n)
		for i, r := range g.rows {
			x[i], dy[i] = r.x, r.dy
		}
		fx, dx := make([]float64, n), make([]float64, n)
		k.forward64(fx, x, g.params)
		k.backward64(dx, x, dy, g.params)
		for i, r := range g.rows {
			check(2, r.x, fx[i], r.fx, ulps64(fx[i], r.fx))
			check(3, r.x, dx[i], r.dx, ulps64(dx[i], r.dx))
		}
	}
	for i, v := range w {
		if v.set {
			summary = append(summary, fmt.Sprintf("%s max error %s ULPs at x=%v (got %v, want %v)", names[i], ulpText(v.ulps), v.x, v.got, v.want))
		}
	}
	return failures, summary
}

func ulpText(d uint64) string {
	if d == math.MaxUint64 {
		return "NaN-mismatch"
	}
	return strconv.FormatUint(d, 10)
}
