// Command bench runs the speed suite (package harness/speed: every generated
// variant of every activation, the peers a Go user has, and copy() as the
// memory limit) round-robin and appends the benchfmt output to one file, which
// `make tune` and `make report` read.
//
//	go run ./harness/cmd/bench -rounds 6 -o reports/bench.txt
//
// Each round runs four jobs, so every cell gets one sample per round:
//   - the fast float32 implementations (AVX2 variants and copy) at n = 4096,
//     65536 and 16M, for -benchtime;
//   - the slow ones (portable Go and the peers) at 4096 and 65536;
//   - the slow ones at 16M for a single iteration each, which already takes
//     up to a second;
//   - the fast float64 implementations at the two sizes make tune chooses
//     for, 4096 and 16M.
//
// Then -sweep-rounds rounds measure every float32 implementation at the extra
// sizes of the throughput-against-n plots (16, 256, 2^20) for a fifth of
// -benchtime: the plots show medians and need fewer samples than the tables'
// p-values.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/actgen/actgen/harness/benchtab"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Fast and slow split the implementations by how long one call takes at 16M.
const (
	fast = "(avx2.*|copy)"
	slow = "(go|naive|math32|vek32)"
)

func run(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	rounds := fs.Int("rounds", 6, "samples per cell (6 or more for p < 0.05)")
	benchtime := fs.Duration("benchtime", 50*time.Millisecond, "time per sample of a cell")
	sweepRounds := fs.Int("sweep-rounds", 2, "samples per cell at the plots' extra sizes")
	fns := fs.String("fns", ".*", "regular expression of the functions to measure")
	out := fs.String("o", "reports/bench.txt", "output file (replaced)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Each part of -bench matches its level unanchored: $ keeps Forward from
	// matching Forward64.
	pattern := func(dirs, impls string) string {
		return fmt.Sprintf("^Benchmark(%s)$/^fn=(%s)$/^impl=%s$/", dirs, *fns, impls)
	}
	const dirs32, dirs64 = "Forward|Backward", "Forward64|Backward64"
	sizes := func(s string) []string { return []string{"-speed.sizes=" + s} }
	short := (*benchtime / 5).String()
	jobs := []benchtab.Job{
		{Pkg: "./harness/speed", Bench: pattern(dirs32, fast), Args: sizes("4096,65536,16777216")},
		{Pkg: "./harness/speed", Bench: pattern(dirs32, slow), Args: sizes("4096,65536")},
		{Pkg: "./harness/speed", Bench: pattern(dirs32, slow), Args: append(sizes("16777216"), "-test.benchtime=1x")},
		{Pkg: "./harness/speed", Bench: pattern(dirs64, fast), Args: sizes("4096,16777216")},
	}
	sweep := []benchtab.Job{{Pkg: "./harness/speed", Bench: pattern(dirs32, ".*"), Args: sizes("16,256,1048576")}}
	var buf bytes.Buffer
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	if err := benchtab.Run(ctx, benchtab.RunConfig{Jobs: jobs, Rounds: *rounds, Benchtime: benchtime.String(), Out: &buf}); err != nil {
		return err
	}
	if err := benchtab.Run(ctx, benchtab.RunConfig{Jobs: sweep, Rounds: *sweepRounds, Benchtime: short, Out: &buf}); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: %d rounds in %v, written to %s\n", *rounds, time.Since(start).Round(time.Second), *out)
	return nil
}
