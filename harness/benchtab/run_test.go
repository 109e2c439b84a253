package benchtab

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// benchpkg is a small benchmarked package under testdata; Dir is relative to
// RunConfig.Dir, as "out" is for the generated module.
var benchpkg = Job{Dir: "testdata", Pkg: "./benchpkg"}

func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	fwd, bwd := benchpkg, benchpkg
	fwd.Bench, fwd.Args = "Forward", []string{"-bench.sizes=8,16"}
	bwd.Bench = "Backward"
	var out, progress bytes.Buffer
	err := Run(context.Background(), RunConfig{
		Dir: ".", Jobs: []Job{fwd, bwd}, Rounds: 3, Benchtime: "10x",
		Out: &out, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	// One build for both jobs: they share the package.
	if got := strings.Count(progress.String(), "building "); got != 1 {
		t.Errorf("%d builds, want 1; progress:\n%s", got, &progress)
	}
	if !strings.Contains(progress.String(), "round 3/3\n") {
		t.Errorf("progress:\n%s", &progress)
	}
	s := NewSet()
	if err := s.Read(&out, "out"); err != nil {
		t.Fatal(err)
	}
	want := []Key{{"Forward", "scale", "go", 8}, {"Forward", "scale", "go", 16}, {"Backward", "scale", "go", 8}}
	if got := s.Keys(); len(got) != len(want) {
		t.Errorf("cells %v, want %v", got, want)
	}
	for _, k := range want {
		if n := len(s.Sample(k, UnitTime)); n != 3 {
			t.Errorf("%s: %d sec/op samples, want 3 (one per round)", k, n)
		}
		if n := len(s.Sample(k, UnitThroughput)); n != 3 {
			t.Errorf("%s: %d elements/ns samples, want 3", k, n)
		}
	}
}

func TestRunErrors(t *testing.T) {
	if err := Run(context.Background(), RunConfig{Rounds: 1, Out: new(bytes.Buffer)}); err == nil {
		t.Error("no jobs: no error")
	}
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	fail := benchpkg
	fail.Bench = "Fail"
	var out bytes.Buffer
	err := Run(context.Background(), RunConfig{Jobs: []Job{fail}, Rounds: 2, Out: &out, Progress: new(bytes.Buffer)})
	for _, want := range []string{"round 1/2", "benchpkg", "-test.bench=Fail", "deliberate failure"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to mention %q", err, want)
		}
	}
	if out.Len() != 0 {
		t.Errorf("a failed run wrote %q to Out", out.String())
	}

	broken := Job{Dir: "testdata", Pkg: "./nonexistent", Bench: "."}
	err = Run(context.Background(), RunConfig{Jobs: []Job{broken}, Rounds: 1, Out: &out, Progress: new(bytes.Buffer)})
	if err == nil || !strings.Contains(err.Error(), "building ./nonexistent") || !strings.Contains(err.Error(), "stderr tail") {
		t.Errorf("build error: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ok := benchpkg
	ok.Bench = "Forward"
	err = Run(ctx, RunConfig{Jobs: []Job{ok}, Rounds: 1, Out: &out, Progress: new(bytes.Buffer)})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}
