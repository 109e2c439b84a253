package formula

import "sort"

// Var is the name of the input variable in every formula.
const Var = "x"

// primitives maps each primitive function of the formula language to its arity.
// The same table drives spec validation, differentiation and both backends, so a
// primitive added here must also be taught to each of them.
var primitives = map[string]int{
	"exp":      1,
	"expm1":    1, // exp(u)-1 without cancellation near 0
	"log":      1,
	"log1p":    1, // log(1+u) without cancellation near 0
	"sqrt":     1,
	"tanh":     1,
	"cosh":     1,
	"sinh":     1,
	"erf":      1,
	"erfc":     1, // 1-erf(u) without cancellation for large u
	"logistic": 1, // 1/(1+exp(-u)) without overflow on either side
	"abs":      1,
	"min":      2,
	"max":      2,
	"select":   3, // select(cond, a, b): a where cond holds, else b
}

// constants maps the named constants of the formula language to their meaning.
var constants = map[string]string{
	"pi": "the circle constant π",
	"e":  "Euler's number",
}

// PrimitiveArity reports the number of arguments of the primitive name, and whether
// name is a primitive at all.
func PrimitiveArity(name string) (arity int, ok bool) {
	arity, ok = primitives[name]
	return arity, ok
}

// PrimitiveNames lists the primitives in sorted order, for error messages and docs.
func PrimitiveNames() []string {
	names := make([]string, 0, len(primitives))
	for n := range primitives {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// IsConstant reports whether name is a named constant (pi, e).
func IsConstant(name string) bool {
	_, ok := constants[name]
	return ok
}
