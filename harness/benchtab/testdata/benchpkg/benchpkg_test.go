package benchpkg

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// sizes mimics harness/speed's -speed.sizes: Run must pass extra args through.
var sizes = flag.String("bench.sizes", "8", "comma-separated sizes")

func BenchmarkForward(b *testing.B)  { bench(b, 2) }
func BenchmarkBackward(b *testing.B) { bench(b, 3) }

func bench(b *testing.B, a float32) {
	// Run must start the binary in the package directory, as go test does.
	if _, err := os.Stat("benchpkg.go"); err != nil {
		b.Fatalf("not in the package directory: %v", err)
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("fn=scale/impl=go/n=%d", n), func(b *testing.B) {
			x, dst := make([]float32, n), make([]float32, n)
			for i := 0; i < b.N; i++ {
				Scale(dst, x, a)
			}
			b.ReportMetric(float64(n)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elements/ns")
		})
	}
}

func BenchmarkFail(b *testing.B) { b.Fatal("deliberate failure") }
