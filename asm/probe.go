package asm

import (
	"fmt"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/reg"
)

// probeFuncs returns cpuid and xgetbv, which the generated package uses to
// decide whether the CPU and the OS support AVX2 and FMA (the OS must save
// the YMM registers: XCR0 bits 1 and 2).
func probeFuncs() ([]*ir.Function, error) {
	ctx := build.NewContext()
	ctx.Function("cpuid")
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr("func(leaf, sub uint32) (a, b, c, d uint32)")
	ctx.Doc("cpuid executes CPUID with EAX = leaf and ECX = sub.")
	ctx.Load(ctx.Param("leaf"), reg.EAX)
	ctx.Load(ctx.Param("sub"), reg.ECX)
	ctx.CPUID()
	ctx.Store(reg.EAX, ctx.Return("a"))
	ctx.Store(reg.EBX, ctx.Return("b"))
	ctx.Store(reg.ECX, ctx.Return("c"))
	ctx.Store(reg.EDX, ctx.Return("d"))
	ctx.RET()

	ctx.Function("xgetbv")
	ctx.Attributes(attr.NOSPLIT)
	ctx.SignatureExpr("func() (a, d uint32)")
	ctx.Doc("xgetbv reads the extended control register XCR0.")
	ctx.XORL(reg.ECX, reg.ECX)
	ctx.XGETBV()
	ctx.Store(reg.EAX, ctx.Return("a"))
	ctx.Store(reg.EDX, ctx.Return("d"))
	ctx.RET()

	f, err := ctx.Result()
	if err != nil {
		return nil, fmt.Errorf("cpu probe: %w", err)
	}
	if err := pass.Compile.Execute(f); err != nil {
		return nil, fmt.Errorf("cpu probe: %w", err)
	}
	return f.Functions(), nil
}
