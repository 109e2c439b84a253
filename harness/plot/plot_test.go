package plot

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func TestCurves(t *testing.T) {
	dir := os.Getenv("ACTGEN_PLOT_DIR") // set it to keep the files for a look
	if dir == "" {
		dir = t.TempDir()
	}
	curves := []Curve{
		{Name: "relu(x)", F: func(x float64) float64 { return math.Max(x, 0) }},
		{Name: "relu'(x)", F: func(x float64) float64 {
			if x > 0 {
				return 1
			}
			return 0
		}},
	}
	for _, ext := range []string{"svg", "png"} {
		path := filepath.Join(dir, "relu."+ext)
		if err := Curves(path, "ReLU and its derivative", -3, 3, curves, 4*vg.Inch, 3*vg.Inch); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || len(b) < 1000 {
			t.Fatalf("%s: %d bytes, %v", path, len(b), err)
		}
		if ext == "svg" && (!strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "relu&#39;(x)") && !strings.Contains(string(b), "relu'(x)")) {
			t.Errorf("svg lacks the legend")
		}
	}
}

func TestChart(t *testing.T) {
	dir := os.Getenv("ACTGEN_PLOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	var a, b plotter.XYs
	for n := 16.0; n <= 1<<24; n *= 16 {
		a = append(a, plotter.XY{X: n, Y: 2 / (1 + 1e3/n)})
		b = append(b, plotter.XY{X: n, Y: 0.05})
	}
	b = append(b, plotter.XY{X: 0, Y: 1}) // no place on a log axis: dropped
	path := filepath.Join(dir, "throughput.svg")
	err := Chart(path, Axes{Title: "sigmoid", X: "n", Y: "elements/ns", LogX: true, LogY: true}, []Series{{"avx2-u32", a}, {"naive", b}}, 5*vg.Inch, 3*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), "avx2-u32") || !strings.Contains(string(data), "naive") {
		t.Fatalf("%s lacks the legend: %v", path, err)
	}
	if err := Chart(filepath.Join(dir, "empty.svg"), Axes{LogY: true}, []Series{{"zeros", plotter.XYs{{X: 1, Y: 0}}}}, vg.Inch, vg.Inch); err == nil {
		t.Error("a chart with nothing to draw did not fail")
	}
}
