package spec

import (
	"bytes"
	"sort"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// source is the spec file's text with the index needed to turn byte offsets and
// yaml.v3 node positions into Pos values.
type source struct {
	file string
	src  []byte
	// lines holds the byte offset at which each line starts. Lines end where
	// yaml.v3 ends them (CR LF, CR, LF, NEL, LS, PS), so that its line numbers
	// and ours agree.
	lines []int
}

func newSource(file string, src []byte) *source {
	s := &source{file: file, src: src, lines: []int{0}}
	if bytes.HasPrefix(src, []byte("\uFEFF")) {
		// yaml.v3 does not count the byte order mark in columns; neither do we.
		s.lines[0] = 3
	}
	for i := 0; i < len(src); {
		if n := breakLen(src, i); n > 0 {
			i += n
			s.lines = append(s.lines, i)
			continue
		}
		i++
	}
	return s
}

// breakLen returns the length of the YAML line break at b[i], or 0.
func breakLen(b []byte, i int) int {
	if i < 0 || i >= len(b) {
		return 0
	}
	switch b[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(b) && b[i+1] == '\n' {
			return 2
		}
		return 1
	case 0xC2: // NEL
		if i+1 < len(b) && b[i+1] == 0x85 {
			return 2
		}
	case 0xE2: // LS, PS
		if i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9) {
			return 3
		}
	}
	return 0
}

// pos returns the position of the byte at offset off; off may be len(src), the
// end of input.
func (s *source) pos(off int) Pos {
	off = max(0, min(off, len(s.src)))
	line := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) - 1
	line = max(line, 0)
	return Pos{File: s.file, Line: line + 1, Col: max(1, off-s.lines[line]+1)}
}

// offset returns the byte offset of a yaml.v3 position. yaml.v3 counts columns
// in characters, not bytes, so the line is walked rune by rune; positions past
// the end of the line or the file are clamped rather than trusted.
func (s *source) offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(s.lines) {
		return len(s.src)
	}
	off := s.lines[line-1]
	for c := 1; c < col && off < len(s.src) && breakLen(s.src, off) == 0; c++ {
		_, n := utf8.DecodeRune(s.src[off:])
		off += n
	}
	return off
}

// nodePos returns the position at which yaml.v3 says n starts.
func (s *source) nodePos(n *yaml.Node) Pos {
	return s.pos(s.offset(n.Line, n.Column))
}

// scalarPos returns the file position of every byte of the scalar n's value,
// plus one past its end. It walks the scalar's source text from where yaml.v3
// says it starts, matching it against the value: characters that are copied
// map to themselves, folded line breaks to the break, and escape sequences of
// double-quoted scalars (\n, \x41, \u00e9, ...) map every byte they produce to
// their backslash. Whitespace that folding or indentation removed is skipped.
// If the text cannot be aligned with the value (a case this walk does not
// model), every byte maps to the start of the node, which still names the
// right line for most one-line values.
func (s *source) scalarPos(n *yaml.Node) []Pos {
	v := []byte(n.Value)
	m := make([]Pos, len(v)+1)
	if s.alignScalar(n, v, m) {
		return m
	}
	start := s.nodePos(n)
	for i := range m {
		m[i] = start
	}
	return m
}

func (s *source) alignScalar(n *yaml.Node, v []byte, m []Pos) bool {
	src := s.src
	j := s.offset(n.Line, n.Column)
	// Skip the node's properties: a tag (!!str) and an anchor (&a), in any
	// order, each followed by blanks or a line break.
	for j < len(src) && (src[j] == '!' || src[j] == '&') {
		for j < len(src) && !isBlank(src[j]) && breakLen(src, j) == 0 {
			j++
		}
		j = skipSpace(src, j)
	}
	dq := n.Style&yaml.DoubleQuotedStyle != 0
	sq := n.Style&yaml.SingleQuotedStyle != 0
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// The header (| or > with indicators and maybe a comment) ends its
		// line; the content starts on the next.
		if j >= len(src) || (src[j] != '|' && src[j] != '>') {
			return false
		}
		for j < len(src) && breakLen(src, j) == 0 {
			j++
		}
	case dq || sq:
		if j >= len(src) || (dq && src[j] != '"') || (sq && src[j] != '\'') {
			return false
		}
		j++
	}
	for i := 0; i < len(v); {
		if j >= len(src) {
			return false
		}
		c := src[j]
		switch {
		case dq && c == '\\':
			if bl := breakLen(src, j+1); bl > 0 {
				// An escaped line break joins the lines without a space.
				j = skipBlanks(src, j+1+bl)
				continue
			}
			out, w, ok := unescape(src[j:])
			if !ok || !bytes.HasPrefix(v[i:], out) {
				return false
			}
			for k := range out {
				m[i+k] = s.pos(j)
			}
			i += len(out)
			j += w
		case sq && c == '\'' && j+1 < len(src) && src[j+1] == '\'':
			if v[i] != '\'' {
				return false
			}
			m[i] = s.pos(j)
			i++
			j += 2
		case c == v[i]:
			m[i] = s.pos(j)
			i++
			j++
		case breakLen(src, j) > 0 && (v[i] == ' ' || v[i] == '\n'):
			// A line break folded into a space, or normalised to LF.
			m[i] = s.pos(j)
			i++
			j += breakLen(src, j)
		case isBlank(c):
			j++
		case breakLen(src, j) > 0:
			j += breakLen(src, j)
		default:
			return false
		}
	}
	m[len(v)] = s.pos(j)
	return true
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func skipBlanks(b []byte, j int) int {
	for j < len(b) && isBlank(b[j]) {
		j++
	}
	return j
}

func skipSpace(b []byte, j int) int {
	for j < len(b) {
		if isBlank(b[j]) {
			j++
		} else if n := breakLen(b, j); n > 0 {
			j += n
		} else {
			break
		}
	}
	return j
}

// simpleEscapes are the one-letter escapes of YAML double-quoted scalars.
var simpleEscapes = map[byte]rune{
	'0': 0, 'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v',
	'f': '\f', 'r': '\r', 'e': 0x1b, ' ': ' ', '"': '"', '/': '/', '\\': '\\',
	'N': 0x85, '_': 0xA0, 'L': 0x2028, 'P': 0x2029,
}

// unescape decodes the YAML double-quoted escape sequence at the start of b,
// returning the bytes it stands for and its length in b.
func unescape(b []byte) (out []byte, width int, ok bool) {
	if len(b) < 2 || b[0] != '\\' {
		return nil, 0, false
	}
	if r, ok := simpleEscapes[b[1]]; ok {
		return utf8.AppendRune(nil, r), 2, true
	}
	digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[b[1]]
	if digits == 0 || len(b) < 2+digits {
		return nil, 0, false
	}
	r, err := strconv.ParseUint(string(b[2:2+digits]), 16, 32)
	if err != nil {
		return nil, 0, false
	}
	return utf8.AppendRune(nil, rune(r)), 2 + digits, true
}
