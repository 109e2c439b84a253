package kernel

import "testing"

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"relu": "ReLU", "leaky_relu": "LeakyReLU", "gelu_tanh": "GELUTanh", "silu": "SiLU",
		"elu": "ELU", "sigmoid": "Sigmoid", "relu6": "ReLU6", "hard_sigmoid": "HardSigmoid",
		"softplus": "Softplus", "selu": "SELU",
	} {
		if got := GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
}
