// Package golden writes the golden tables of the generated package: for every
// activation, inputs from each region that matters (special values, kinks,
// saturation and underflow edges with their float neighbours, random values) and
// the correctly rounded f(x) and dy·f'(x) from the reference evaluator. The
// generated tests check every kernel against them in ULPs.
package golden
