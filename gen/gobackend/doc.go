// Package gobackend is the Go backend of actgen: it renders package act (the
// public generic API, portable float32 and float64 kernels, the registry of
// implementations and the generated tests) with github.com/dave/jennifer from
// the kernel IR.
//
// Portable float32 kernels evaluate in float64 and round once. Portable float64
// kernels evaluate the arguments of error-magnifying primitives (exp, erfc, ...)
// in double-double, using the helpers in rt/, which are copied into the package.
package gobackend
