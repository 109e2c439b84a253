// Package asm is actgen's AVX2+FMA backend: it lowers the stable kernel IR of
// every spec entry (package kernel) to x86-64 assembly written with avo.
//
// The pipeline inside the package is
//
//	formula.Node ──lower──► Prog (vector SSA: one value per 256-bit register,
//	                         constants pooled, common subexpressions shared)
//	Prog ──emit──► avo function: a block loop of U interleaved vectors, a
//	               one-vector loop, and a masked tail (no scalar code)
//
// A kernel has an exact program and, where it saves instructions, a fast one
// for the block loop: its exp applies 2^n in one step, and it flags the lanes
// that need the exact program's two-step exp, limits or NaN blends (see
// Prog.exp); a flagged vector is redone by the exact program in the
// one-vector loop. The flags of a group of interleaved vectors are ORed in one
// vector register and tested once (VTESTPS); a NaN-output flag compares two
// vectors' outputs at once.
//
// Vector primitives (exp, expm1, log1p, log, logistic, tanh, erfc) are range
// reduction plus polynomials whose coefficients package fit computes at
// generation time against the math/big reference (package ref); nothing is
// pasted from other libraries. Arguments of primitives that magnify their
// argument's rounding error (exp, erfc, logistic...) are evaluated as
// unevaluated sums of two floats, as the portable backend does in
// double-double. Elsewhere the formula's arithmetic is rounded as written,
// with exceptions that only remove roundings: a sum with a product operand
// is one FMA (a factor select(c, e, 1) joins the inner factor, so that 1 is
// exact), a product's constant factors are multiplied out exactly into one
// constant, y·σ(u) is y/(1+e^-u) (silu, gelu_tanh), and in float32 a
// quotient (a·b)/c over a two-float primitive argument takes back the
// product's and the division's roundings (gelu_tanh′). An entry held to the
// default float32 budget has y·(a/b) computed as one quotient of two floats
// (mish, unless its spec relaxes the budget: lowerer.timesQuotient).
//
// The wide variant (Variant.Wide) runs float32 kernels in float64 lanes: a
// float64 program (Prog.wide) whose cores are fitted for float32's needs
// (polys), with none of the two-float steps and no tiny check, between
// VCVTPS2PD loads and VCVTPD2PS stores, so that each result is rounded once.
//
// Every function is compiled on its own and checked before it is printed: no
// register above Y15 (avo hands out AVX-512 registers silently once more than
// 16 vectors are live), no AVX-512 instruction, VZEROUPPER before RET. The
// ways of interleaving a block loop are tried from the most vectors down; one
// with more than 16 vectors live after some instruction is dropped before
// register allocation, which is most of the generator's time.
package asm
