package plot

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
