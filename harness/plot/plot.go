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

// Series is one named set of points.
type Series struct {
	Name string
	XYs  plotter.XYs
}

// Axes describes a chart's axes: labels, and whether each is logarithmic
// (points with a non-positive coordinate on a log axis are dropped, since
// they have no place there).
type Axes struct {
	Title, X, Y string
	LogX, LogY  bool
	Points      bool // draw markers only (a scatter), not lines
}

// Chart draws series into an SVG (or PNG, by the extension) file at path:
// lines with markers for measurements such as throughput against n, or a
// scatter for errors against x.
func Chart(path string, ax Axes, series []Series, width, height vg.Length) error {
	p := plot.New()
	p.Title.Text = ax.Title
	p.X.Label.Text = ax.X
	p.Y.Label.Text = ax.Y
	p.Add(plotter.NewGrid())
	if ax.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	if ax.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}
	drawn := 0
	for i, s := range series {
		var pts plotter.XYs
		for _, pt := range s.XYs {
			if pt.X != pt.X || pt.Y != pt.Y || ax.LogX && pt.X <= 0 || ax.LogY && pt.Y <= 0 {
				continue
			}
			pts = append(pts, pt)
		}
		if len(pts) == 0 {
			continue
		}
		drawn++
		c := palette[i%len(palette)]
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %w", s.Name, err)
		}
		sc.GlyphStyle.Color = c
		sc.GlyphStyle.Shape = shapes[i%len(shapes)]
		sc.GlyphStyle.Radius = vg.Points(2.5)
		if ax.Points {
			sc.GlyphStyle.Radius = vg.Points(1.2)
			p.Add(sc)
			p.Legend.Add(s.Name, sc)
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %w", s.Name, err)
		}
		line.Color = c
		line.Width = vg.Points(1.2)
		p.Add(line, sc)
		p.Legend.Add(s.Name, line, sc)
	}
	if drawn == 0 {
		return fmt.Errorf("plot %s: no points to draw", path)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	if ax.LogX {
		// Throughput lines run across the whole width; the legend gets an
		// empty stretch of axis to the right of the data instead.
		p.Legend.Left = false
		p.X.Max *= 256
	}
	p.Legend.TextStyle.XAlign = draw.XLeft
	if err := p.Save(width, height, path); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}
