package spec

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/actgen/actgen/formula"
)

// Load reads and validates the spec at path. Problems in the spec come back as
// an ErrorList, unwrapped so that every line still starts with its position;
// only a file that cannot be read gives a wrapped error.
func Load(path string) (*Spec, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load spec: %w", err)
	}
	return Parse(path, src)
}

// Parse validates the spec src, naming it filename in positions. It reports
// every problem it can find rather than the first, as an ErrorList sorted by
// position, and then returns a nil *Spec: a spec is used whole or not at all.
func Parse(filename string, src []byte) (*Spec, error) {
	l := &loader{s: newSource(filename, src), byName: map[string]*entryInfo{}}
	l.load()
	if len(l.errs) > 0 {
		return nil, l.sortedErrors()
	}
	sp := &Spec{File: filename}
	for _, ei := range l.entries {
		sp.Entries = append(sp.Entries, ei.e)
	}
	return sp, nil
}

// entryKeys and ulpKeys are the keys allowed in an entry and in its ulp
// mapping, in the order the messages list them.
var (
	entryKeys = []string{"name", "doc", "params", "formula", "derivative", "ulp", "variant_ulp"}
	ulpKeys   = []string{"f32", "f32_backward", "f64", "f64_backward"}
)

// nameRE is the shape of entry and param names: the generator derives Go
// identifiers from them, and formulas refer to them as Go identifiers.
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

const nameRule = "a lower-case letter, then lower-case letters, digits or _, such as leaky_relu"

// maxULP bounds a budget: beyond a million ULPs a kernel is not accurate in any
// useful sense, and a bigger number is more likely a typo than a decision.
const maxULP = 1 << 20

type loader struct {
	s       *source
	errs    ErrorList
	entries []*entryInfo // every entry that is a mapping, in YAML order
	byName  map[string]*entryInfo
}

// entryInfo is an entry under validation, with the YAML nodes the later
// passes (names across entries, formulas, cycles) need.
type entryInfo struct {
	e          *Entry
	node       *yaml.Node
	formula    *yaml.Node
	derivative *yaml.Node
	// calls are the calls of the formula to other entries, for the cycle check.
	calls []call
}

type call struct {
	callee string
	pos    Pos
}

// label names the entry in messages, as far as its name is known.
func (ei *entryInfo) label() string {
	if ei.e.Name == "" {
		return "entry"
	}
	return fmt.Sprintf("entry %q", ei.e.Name)
}

func (l *loader) errorf(p Pos, format string, args ...any) {
	l.errs = append(l.errs, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) sortedErrors() ErrorList {
	sort.SliceStable(l.errs, func(i, j int) bool { return l.errs[i].Pos.less(l.errs[j].Pos) })
	out := l.errs[:0:0]
	for i, e := range l.errs {
		if i > 0 && e.Pos == l.errs[i-1].Pos && e.Msg == l.errs[i-1].Msg {
			continue
		}
		out = append(out, e)
	}
	return out
}

func (l *loader) load() {
	if !utf8.Valid(l.s.src) {
		off := 0
		for off < len(l.s.src) {
			r, n := utf8.DecodeRune(l.s.src[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		l.errorf(l.s.pos(off), "the spec is not valid UTF-8 (byte 0x%02x here); save the file as UTF-8", l.s.src[off])
		return
	}
	root := l.decode()
	if root == nil {
		return
	}
	if root.Kind == yaml.AliasNode {
		l.aliasError(root)
		return
	}
	if root.Kind != yaml.SequenceNode {
		l.errorf(l.s.nodePos(root), "the spec must be a list of entries, each starting with \"- name: ...\", not %s", describe(root))
		return
	}
	if len(root.Content) == 0 {
		l.errorf(l.s.nodePos(root), "the spec has no entries; add at least one \"- name: ...\" entry")
		return
	}
	for _, item := range root.Content {
		l.entry(item)
	}
	l.checkParamNames()
	for _, ei := range l.entries {
		l.checkFormulas(ei)
	}
	l.checkCycles()
}

// decode parses the YAML into a node tree. Only the first document is the
// spec; a second one is reported, since its entries would otherwise be
// silently ignored.
func (l *loader) decode() *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(l.s.src))
	var doc yaml.Node
	if err := decodeSafely(dec, &doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.errorf(l.s.pos(0), "the spec is empty; add a list of entries, each starting with \"- name: ...\"")
		} else {
			l.yamlError(err)
		}
		return nil
	}
	var next yaml.Node
	switch err := decodeSafely(dec, &next); {
	case err == nil:
		l.errorf(l.s.nodePos(&next), "the spec holds a second YAML document; keep every entry in one list and remove the \"---\" separator")
	case !errors.Is(err, io.EOF):
		l.yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 ||
		(doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null") {
		l.errorf(l.s.pos(0), "the spec is empty; add a list of entries, each starting with \"- name: ...\"")
		return nil
	}
	return doc.Content[0]
}

// decodeSafely turns a panic of the YAML library into an error: Parse promises
// not to panic whatever the input, and the library is not ours to fix.
func decodeSafely(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

var (
	yamlLineRE   = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)
	yamlAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// yamlParserProblems are the errors of yaml.v3's parser, as opposed to its
// scanner. For these it reports the 0-based line of the construct being parsed
// (the scanner's lines are 1-based), so one is added to land on that line.
var yamlParserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// yamlError reports an error of the YAML library. It gives a line (none when
// the problem is on the first line) but no column, so the column is 1, except
// that errors about the end of the stream without a line point at the end of
// input, and an unknown anchor at its first use.
func (l *loader) yamlError(err error) {
	msg := err.Error()
	p := l.s.pos(0)
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		msg = m[2]
		if line, err := strconv.Atoi(m[1]); err == nil {
			if yamlParserProblems[msg] {
				line++
			}
			line = max(1, min(line, len(l.s.lines)))
			p = l.s.pos(l.s.lines[line-1])
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		if strings.Contains(msg, "end of stream") {
			p = l.s.pos(len(l.s.src))
		} else if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
			if i := bytes.Index(l.s.src, []byte("*"+m[1])); i >= 0 {
				p = l.s.pos(i)
			}
		}
	}
	l.errorf(p, "invalid YAML: %s; check the indentation, and quote values that contain \": \" or \" #\"", msg)
}

func (l *loader) aliasError(n *yaml.Node) {
	l.errorf(l.s.nodePos(n), "YAML alias *%s is not supported in the spec; write the value out", n.Value)
}

// describe names a value's kind for "..., not X" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		switch n.Tag {
		case "!!null":
			return "nothing (null)"
		case "!!bool":
			return "the boolean " + v
		case "!!int", "!!float":
			return "the number " + v
		}
		return fmt.Sprintf("the string %q", v)
	}
	return "an unknown YAML node"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

type field struct {
	key, val *yaml.Node // val is nil when it was an alias, already reported
}

// fields checks the keys of the mapping n (what names it in messages): plain
// scalar keys, no duplicates and, when allowed is not nil, only those keys.
// It returns the fields with acceptable keys in YAML order.
func (l *loader) fields(n *yaml.Node, what string, allowed []string) []field {
	var out []field
	seen := map[string]*yaml.Node{}
	for k := 0; k+1 < len(n.Content); k += 2 {
		key, val := n.Content[k], n.Content[k+1]
		if key.Kind == yaml.AliasNode {
			l.aliasError(key)
			continue
		}
		if key.Kind != yaml.ScalarNode {
			l.errorf(l.s.nodePos(key), "the keys of %s must be plain words, not %s", what, describe(key))
			continue
		}
		if first, dup := seen[key.Value]; dup {
			l.errorf(l.s.nodePos(key), "duplicate key %q in %s (first at line %d); remove one of them", key.Value, what, first.Line)
			continue
		}
		seen[key.Value] = key
		if allowed != nil && !contains(allowed, key.Value) {
			if key.Value == "<<" {
				l.errorf(l.s.nodePos(key), "YAML merge keys (<<) are not supported in the spec; write the keys out")
				continue
			}
			hint := ""
			if s := suggest(key.Value, allowed); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			l.errorf(l.s.nodePos(key), "unknown key %q in %s%s; the keys are %s", key.Value, what, hint, strings.Join(allowed, ", "))
			continue
		}
		if val.Kind == yaml.AliasNode {
			l.aliasError(val)
			val = nil
		}
		out = append(out, field{key, val})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// entry validates what can be checked within one entry alone.
func (l *loader) entry(n *yaml.Node) {
	if n.Kind == yaml.AliasNode {
		l.aliasError(n)
		return
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(l.s.nodePos(n), "an entry must be a mapping with the keys %s, not %s", strings.Join(entryKeys, ", "), describe(n))
		return
	}
	ei := &entryInfo{e: &Entry{ULP: DefaultBudget, Pos: l.s.nodePos(n)}, node: n}
	l.entries = append(l.entries, ei)
	fs := map[string]field{}
	for _, f := range l.fields(n, "an entry", entryKeys) {
		fs[f.key.Value] = f
	}
	// The name first, so that the other messages can name the entry.
	if f, ok := fs["name"]; !ok {
		l.errorf(l.s.nodePos(n), "entry has no name; add \"name: <snake_case name>\"")
	} else if f.val != nil {
		l.entryName(ei, f.val)
	}
	if f, ok := fs["doc"]; !ok {
		l.errorf(l.s.nodePos(n), "%s has no doc; add \"doc: <one line: what it is and its reference>\"", ei.label())
	} else if f.val != nil {
		l.doc(ei, f.val)
	}
	if f, ok := fs["params"]; ok && f.val != nil {
		l.params(ei, f.val)
	}
	if f, ok := fs["formula"]; !ok {
		l.errorf(l.s.nodePos(n), "%s has no formula; add \"formula: <Go expression in x>\", such as formula: x * sigmoid(x)", ei.label())
	} else if f.val != nil && l.expressionText(f.val, "formula") {
		ei.formula = f.val
	}
	if f, ok := fs["derivative"]; ok && f.val != nil && l.expressionText(f.val, "derivative") {
		ei.derivative = f.val
	}
	if f, ok := fs["ulp"]; ok && f.val != nil {
		l.ulp(ei, f.val, "ulp", &ei.e.ULP)
	}
	var variant Budget
	if f, ok := fs["variant_ulp"]; ok && f.val != nil {
		l.ulp(ei, f.val, "variant_ulp", &variant)
		for _, d := range []struct {
			key         string
			entry, mine *int
		}{{"f32", &ei.e.ULP.F32, &variant.F32}, {"f32_backward", &ei.e.ULP.F32Backward, &variant.F32Backward},
			{"f64", &ei.e.ULP.F64, &variant.F64}, {"f64_backward", &ei.e.ULP.F64Backward, &variant.F64Backward}} {
			if *d.mine != 0 && *d.mine < *d.entry {
				l.errorf(l.s.nodePos(f.val), "variant_ulp %s is %d, below ulp %s (%d): the variants the dispatch does not run get at least the entry's budget; raise it or remove it", d.key, *d.mine, d.key, *d.entry)
			}
		}
	}
	ei.e.VariantULP = variant.Or(ei.e.ULP)
}

func (l *loader) entryName(ei *entryInfo, v *yaml.Node) {
	p := l.s.nodePos(v)
	ei.e.Pos = p
	switch {
	case v.Kind != yaml.ScalarNode:
		l.errorf(p, "name must be a snake_case word, not %s", describe(v))
		return
	case isNull(v) || v.Value == "":
		l.errorf(p, "name is empty; write a snake_case name: %s", nameRule)
		return
	case !nameRE.MatchString(v.Value):
		l.errorf(p, "invalid name %q: a name is %s", v.Value, nameRule)
		return
	}
	name := v.Value
	_, isPrim := formula.PrimitiveArity(name)
	switch {
	case name == formula.Var:
		l.errorf(p, "entry name %q is the input variable of every formula; choose another name", name)
		return
	case formula.IsConstant(name):
		l.errorf(p, "entry name %q is a constant of the formula language; choose another name", name)
		return
	case token.IsKeyword(name) && !isPrim:
		l.errorf(p, "entry name %q is a Go keyword, so no formula could call it; choose another name", name)
		return
	}
	ei.e.Name = name
	if first := l.byName[name]; first != nil {
		l.errorf(p, "duplicate entry name %q (first defined at line %d); give each entry its own name", name, first.e.Pos.Line)
		return
	}
	l.byName[name] = ei
}

func (l *loader) doc(ei *entryInfo, v *yaml.Node) {
	p := l.s.nodePos(v)
	if v.Kind != yaml.ScalarNode {
		l.errorf(p, "doc must be one line of text, not %s", describe(v))
		return
	}
	text := strings.TrimSpace(v.Value)
	if isNull(v) || text == "" {
		l.errorf(p, "doc of %s is empty; write one line: what it is and its reference", ei.label())
		return
	}
	if i := strings.IndexAny(text, "\n\r\u0085\u2028\u2029"); i >= 0 {
		off := strings.Index(v.Value, text) + i
		l.errorf(l.s.scalarPos(v)[off], "doc must be one line, but it goes on here; join the lines (a folded block scalar > joins them too)")
		return
	}
	ei.e.Doc = text
}

func (l *loader) params(ei *entryInfo, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		if isNull(v) {
			l.errorf(l.s.nodePos(v), "params is empty; remove the key or give name: default pairs, such as {alpha: 0.01}")
		} else {
			l.errorf(l.s.nodePos(v), "params must be a mapping of name: default, such as {alpha: 0.01}, not %s", describe(v))
		}
		return
	}
	for _, f := range l.fields(v, "params", nil) {
		name, p := f.key.Value, l.s.nodePos(f.key)
		_, isPrim := formula.PrimitiveArity(name)
		switch {
		case !nameRE.MatchString(name):
			l.errorf(p, "invalid param name %q: a name is %s", name, nameRule)
		case name == formula.Var:
			l.errorf(p, "param name %q is the input variable; choose another name", name)
		case formula.IsConstant(name):
			l.errorf(p, "param name %q is a constant of the formula language; choose another name", name)
		case isPrim:
			l.errorf(p, "param name %q is a primitive function; choose another name", name)
		case token.IsKeyword(name):
			l.errorf(p, "param name %q is a Go keyword and could not be a Go parameter; choose another name", name)
		}
		// A bad param still joins the list, so that the formula's uses of it
		// do not each add an "unknown name" error.
		prm := Param{Name: name, Pos: p}
		if f.val != nil {
			prm.Default, _ = l.number(f.val, fmt.Sprintf("the default of param %s", name))
		}
		ei.e.Params = append(ei.e.Params, prm)
	}
}

// number returns the value of a param default (what names it in messages).
func (l *loader) number(v *yaml.Node, what string) (float64, bool) {
	p := l.s.nodePos(v)
	if v.Kind != yaml.ScalarNode {
		l.errorf(p, "%s must be a number, not %s", what, describe(v))
		return 0, false
	}
	switch v.Tag {
	case "!!int", "!!float":
		var f float64
		if err := v.Decode(&f); err != nil {
			l.errorf(p, "%s must be a number, not %q", what, v.Value)
			return 0, false
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			l.errorf(p, "%s must be a finite number, not %s", what, v.Value)
			return 0, false
		}
		return f, true
	case "!!str":
		_, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64)
		switch {
		case errors.Is(err, strconv.ErrRange):
			l.errorf(p, "%s %s is out of the range of float64; write a smaller number", what, v.Value)
			return 0, false
		case err == nil && v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
			l.errorf(p, "%s is the string %q; write the number without quotes", what, v.Value)
			return 0, false
		}
	case "!!null":
		l.errorf(p, "%s is missing; write a number after the colon", what)
		return 0, false
	}
	l.errorf(p, "%s must be a number, not %s", what, describe(v))
	return 0, false
}

// ulp reads the budget mapping under key (ulp or variant_ulp) into b.
func (l *loader) ulp(ei *entryInfo, v *yaml.Node, key string, b *Budget) {
	if v.Kind != yaml.MappingNode {
		l.errorf(l.s.nodePos(v), "%s must be a mapping such as {f32: 1, f64: 4}, not %s", key, describe(v))
		return
	}
	for _, f := range l.fields(v, key, ulpKeys) {
		if f.val == nil {
			continue
		}
		var n int64
		p := l.s.nodePos(f.val)
		if f.val.Kind != yaml.ScalarNode || f.val.Tag != "!!int" || f.val.Decode(&n) != nil || n < 1 || n > maxULP {
			l.errorf(p, "%s %s must be a whole number of ULPs from 1 to %d, not %s", key, f.key.Value, maxULP, describe(f.val))
			continue
		}
		switch f.key.Value {
		case "f32":
			b.F32 = int(n)
		case "f32_backward":
			b.F32Backward = int(n)
		case "f64":
			b.F64 = int(n)
		case "f64_backward":
			b.F64Backward = int(n)
		}
	}
}

// expressionText checks that a formula or derivative value (what) is text to
// parse; the parse itself waits until all entry names are known.
func (l *loader) expressionText(v *yaml.Node, what string) bool {
	p := l.s.nodePos(v)
	switch {
	case v.Kind != yaml.ScalarNode:
		l.errorf(p, "%s must be a Go expression written as a string, not %s", what, describe(v))
		return false
	case isNull(v) || strings.TrimSpace(v.Value) == "":
		l.errorf(p, "%s is empty; write a Go expression in x, such as 1 / (1 + exp(-x))", what)
		return false
	}
	return true
}

// checkParamNames rejects params named like entries, which needs every entry
// name: a formula writer reading "elu" could not tell which one is meant.
func (l *loader) checkParamNames() {
	for _, ei := range l.entries {
		for _, p := range ei.e.Params {
			if other := l.byName[p.Name]; other != nil {
				l.errorf(p.Pos, "param name %q is also the name of the entry at line %d; rename the param", p.Name, other.e.Pos.Line)
			}
		}
	}
}

// checkCycles rejects entries that call themselves, directly or through other
// entries: inlining them would never end. Each cycle is reported at the call
// that closes it, found by a depth-first walk in YAML order so that the report
// does not change from run to run. Derivatives are left out on purpose: they
// call the forward functions, so f' calling f is no cycle.
func (l *loader) checkCycles() {
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(ei *entryInfo)
	visit = func(ei *entryInfo) {
		state[ei.e.Name] = onStack
		stack = append(stack, ei.e.Name)
		reported := map[string]bool{}
		for _, c := range ei.calls {
			callee := l.byName[c.callee]
			if callee == nil {
				continue
			}
			switch state[c.callee] {
			case unvisited:
				visit(callee)
			case onStack:
				if reported[c.callee] {
					continue
				}
				reported[c.callee] = true
				i := len(stack) - 1
				for stack[i] != c.callee {
					i--
				}
				path := append(append([]string{}, stack[i:]...), c.callee)
				l.errorf(c.pos, "cycle between entries: %s; an entry cannot call itself, directly or through other entries", strings.Join(path, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		state[ei.e.Name] = done
	}
	for _, ei := range l.entries {
		if l.byName[ei.e.Name] == ei && state[ei.e.Name] == unvisited {
			visit(ei)
		}
	}
}
