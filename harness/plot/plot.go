package plot

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Curve is one function to draw.
type Curve struct {
	Name string
	F    func(float64) float64
}

// samples is the number of points per curve: enough that kinks look sharp.
const samples = 801

// palette is colour-blind safe (Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{213, 94, 0, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{86, 180, 233, 255},
	color.RGBA{0, 0, 0, 255}, color.RGBA{240, 228, 66, 255}, color.RGBA{120, 120, 120, 255},
	color.RGBA{150, 60, 20, 255},
}

// Curves draws the curves over [lo, hi] into an SVG file at path. Dashed lines
// alternate with solid ones so that a function and its derivative are told apart
// in print too.
func Curves(path, title string, lo, hi float64, curves []Curve, width, height vg.Length) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x"
	p.Add(plotter.NewGrid())
	zero := plotter.NewFunction(func(float64) float64 { return 0 })
	zero.Color = color.Gray{Y: 160}
	zero.Samples = 2
	p.Add(zero)
	for i, c := range curves {
		pts := make(plotter.XYs, 0, samples)
		for j := 0; j < samples; j++ {
			x := lo + (hi-lo)*float64(j)/(samples-1)
			y := c.F(x)
			if y != y {
				continue
			}
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %w", c.Name, err)
		}
		line.Color = palette[i%len(palette)]
		line.Width = vg.Points(1.6)
		if len(curves) <= 3 && i%2 == 1 {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(line)
		p.Legend.Add(c.Name, line)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Legend.YOffs = -vg.Points(8)
	p.X.Min, p.X.Max = lo, hi
	p.Legend.TextStyle.XAlign = draw.XLeft
	if err := p.Save(width, height, path); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}
