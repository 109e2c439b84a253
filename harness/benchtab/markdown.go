package benchtab

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Markdown writes a GitHub-flavoured markdown table of (dir, fn): a row per impl
// and, per n, three columns: the median time per call with its confidence
// interval ("2.55 µs ±20%"), the median elements/ns, and the change against
// base exactly as benchstat prints it ("+777.52% (p=0.002 n=6)", "~ (p=0.310
// n=6)", "base" in the base row). The fastest median of each n is bold and the
// times not significantly slower than it are italic: one bold cell and no
// italics is a clear winner, italics say the data cannot separate them. The
// base row is the yardstick (copy, or the plain Go loop) and is never marked.
//
// ns nil means every n present for (dir, fn), impls nil every impl in
// first-seen order; base "" drops the comparison columns. Cells without
// samples stay empty and impls without any are left out. See [Legend] for a
// sentence explaining the table to readers.
func Markdown(w io.Writer, s *Set, dir, fn string, ns []int, impls []string, base string) error {
	if ns == nil {
		ns = s.Ns(dir, fn, "")
	}
	if impls == nil {
		impls = s.Impls(dir, fn)
	}

	header := []string{"impl"}
	align := []string{":--"}
	for _, n := range ns {
		header = append(header, fmt.Sprintf("n=%d time", n), "elem/ns")
		align = append(align, "--:", "--:")
		if base != "" {
			header = append(header, "vs "+base)
			align = append(align, "--:")
		}
	}

	// mark[n][impl] wraps the time of the winner of n ("**") and of its
	// statistical ties ("_").
	mark := make(map[int]map[string]string)
	for _, n := range ns {
		var contenders []string
		for _, impl := range impls {
			if impl != base {
				contenders = append(contenders, impl)
			}
		}
		ch, err := Fastest(s, dir, fn, n, contenders)
		if err != nil {
			continue // only the base, or nothing, has this n
		}
		mark[n] = map[string]string{ch.Winner: "**"}
		win := Key{dir, fn, ch.Winner, n}
		for _, impl := range contenders {
			c, err := s.Compare(win, Key{dir, fn, impl, n}, UnitTime)
			if err == nil && !c.Significant && impl != ch.Winner {
				mark[n][impl] = "_"
			}
		}
	}

	var rows [][]string
	for _, impl := range impls {
		row := []string{impl}
		filled := false
		for _, n := range ns {
			k := Key{dir, fn, impl, n}
			var t, e, vs string
			if sum, err := s.Summary(k, UnitTime); err == nil {
				filled = true
				m := mark[n][impl]
				t = m + formatSeconds(sum.Median) + m + " ±" + sum.Range()
			}
			if sum, err := s.Summary(k, UnitThroughput); err == nil {
				filled = true
				e = formatSig3(sum.Median)
			}
			if impl == base && t != "" {
				vs = "base"
			} else if c, err := s.Compare(Key{dir, fn, base, n}, k, UnitTime); err == nil {
				vs = c.String()
			}
			row = append(row, t, e)
			if base != "" {
				row = append(row, vs)
			}
		}
		if filled {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("benchtab: markdown table %s/fn=%s: no samples for impls %v at n=%v", dir, fn, impls, ns)
	}

	// Padding costs nothing in the rendered page and keeps the README's source
	// readable in a terminal and in diffs.
	width := make([]int, len(header))
	for _, r := range append([][]string{header, align}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(escapeCell(c)))
		}
	}
	var b strings.Builder
	line := func(cells []string, fill string) {
		for i, c := range cells {
			c = escapeCell(c)
			pad := strings.Repeat(fill, width[i]-utf8.RuneCountInString(c))
			if fill == "-" && strings.HasSuffix(c, ":") {
				c = c[:len(c)-1] + pad + ":"
			} else if i > 0 && fill == " " {
				c = pad + c // numbers read best right-aligned
			} else {
				c += pad
			}
			b.WriteString("| " + c + " ")
		}
		b.WriteString("|\n")
	}
	line(header, " ")
	line(align, "-")
	for _, r := range rows {
		line(r, " ")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("benchtab: markdown table %s/fn=%s: %w", dir, fn, err)
	}
	return nil
}

// Legend returns a sentence explaining tables written by [Markdown] with base.
func Legend(base string) string {
	s := fmt.Sprintf("Times are medians per call ± the %.0f%% confidence interval; "+
		"elem/ns is the median throughput. **Bold**: the fastest at that n; _italic_: not "+
		"significantly slower than the bold one (Mann-Whitney U test, α = %.2f).", Confidence*100, Alpha)
	if base != "" {
		s += fmt.Sprintf(" vs %s: change of the median time against %s, as benchstat prints it; "+
			"~ means no significant difference.", base, base)
	}
	return s
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// roundSig rounds v to 3 significant digits; the noise of these benchmarks is
// ±10% or more, so further digits are only clutter.
func roundSig(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return r
}

// formatSig3 formats v with 3 significant digits and no exponent: 12.0, 1.61,
// 0.0429, 12300.
func formatSig3(v float64) string {
	v = roundSig(v)
	switch a := math.Abs(v); {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// formatSeconds formats a time in seconds with an SI prefix chosen per value
// (not per row as benchstat does): each cell is read on its own.
func formatSeconds(v float64) string {
	units := []struct {
		scale float64
		name  string
	}{{1, "s"}, {1e-3, "ms"}, {1e-6, "µs"}, {1e-9, "ns"}}
	v = roundSig(v)
	for i, u := range units {
		if v >= u.scale || i == len(units)-1 {
			return formatSig3(v/u.scale) + " " + u.name
		}
	}
	panic("unreachable")
}
