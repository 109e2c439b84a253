package formula

import "math"

// Eval64 evaluates n in float64 arithmetic at x with the given parameter values.
// It is a convenience for tests and plots, not a reference: it rounds at every
// node, exactly where kernels need care.
func Eval64(n *Node, x float64, params map[string]float64) float64 {
	switch n.Kind {
	case Const:
		f, _ := n.Val.Float64()
		return f
	case Named:
		if n.Name == "pi" {
			return math.Pi
		}
		return math.E
	case X:
		return x
	case Param:
		return params[n.Name]
	case Neg:
		return -Eval64(n.Args[0], x, params)
	case Select:
		if evalCond64(n.Args[0], x, params) {
			return Eval64(n.Args[1], x, params)
		}
		return Eval64(n.Args[2], x, params)
	}
	a := Eval64(n.Args[0], x, params)
	var b float64
	if len(n.Args) > 1 {
		b = Eval64(n.Args[1], x, params)
	}
	switch n.Kind {
	case Add:
		return a + b
	case Sub:
		return a - b
	case Mul:
		return a * b
	case Div:
		return a / b
	}
	return call64[n.Name](a, b)
}

var call64 = map[string]func(a, b float64) float64{
	"exp":   func(a, _ float64) float64 { return math.Exp(a) },
	"expm1": func(a, _ float64) float64 { return math.Expm1(a) },
	"log":   func(a, _ float64) float64 { return math.Log(a) },
	"log1p": func(a, _ float64) float64 { return math.Log1p(a) },
	"sqrt":  func(a, _ float64) float64 { return math.Sqrt(a) },
	"tanh":  func(a, _ float64) float64 { return math.Tanh(a) },
	"cosh":  func(a, _ float64) float64 { return math.Cosh(a) },
	"sinh":  func(a, _ float64) float64 { return math.Sinh(a) },
	"erf":   func(a, _ float64) float64 { return math.Erf(a) },
	"erfc":  func(a, _ float64) float64 { return math.Erfc(a) },
	"abs":   func(a, _ float64) float64 { return math.Abs(a) },
	"logistic": func(a, _ float64) float64 {
		if a >= 0 {
			return 1 / (1 + math.Exp(-a))
		}
		return math.Exp(a) / (1 + math.Exp(a))
	},
	"min": math.Min,
	"max": math.Max,
}

func evalCond64(c *Node, x float64, params map[string]float64) bool {
	switch c.Kind {
	case And:
		return evalCond64(c.Args[0], x, params) && evalCond64(c.Args[1], x, params)
	case Or:
		return evalCond64(c.Args[0], x, params) || evalCond64(c.Args[1], x, params)
	case Not:
		return !evalCond64(c.Args[0], x, params)
	}
	a, b := Eval64(c.Args[0], x, params), Eval64(c.Args[1], x, params)
	switch c.Name {
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case "==":
		return a == b
	}
	return a != b
}
