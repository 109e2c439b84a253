// Package spec loads and validates spec/activations.yaml, the one source of
// truth for the generated activations; the header comment of that file
// documents the schema.
//
// Validation is complete before anything is generated, so later stages can
// trust a *Spec: names are well-formed and unique, params have finite
// defaults, budgets are sane, formulas use only the formula language (checked
// against formula.PrimitiveArity and formula.IsConstant), every name in them
// resolves, and no entry calls itself through others. Parse reports every
// problem it finds, not just the first, as an ErrorList.
//
// Every error carries file:line:col, with 1-based lines and columns counted in
// bytes, including errors inside a formula, which point at the offending token
// within the YAML scalar whatever its style: plain, single- or double-quoted,
// literal (|) or folded (>) block, over one line or several. Characters that a
// double-quoted escape produces (\x65, \u00e9, ...) point at the escape's
// backslash. If a scalar's source text cannot be matched with its value, a
// case the mapping does not model, positions in it fall back to the scalar's
// start. Entry.ExprPos gives later stages the same mapping for the parsed
// expressions. YAML syntax errors come from yaml.v3, which gives a line but no
// column; their column is 1.
package spec
