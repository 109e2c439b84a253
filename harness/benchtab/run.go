package benchtab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Job is one benchmark invocation per round: a package, a -test.bench pattern
// and extra arguments for the test binary.
type Job struct {
	// Dir is where go runs for this job, relative to RunConfig.Dir unless
	// absolute: the module holding Pkg, e.g. "out" for the generated module.
	Dir string
	// Pkg is one package as go test takes it, e.g. "./act".
	Pkg string
	// Bench is the -test.bench pattern, e.g. `Benchmark(Forward|Backward)/fn=sigmoid/`.
	Bench string
	// Args are appended to the test binary's command line, e.g. "-speed.sizes=16,64".
	Args []string
	// BuildFlags are passed to go test -c, e.g. "-tags=purego".
	BuildFlags []string
	// Env is added to the environment of the build and of the runs, e.g.
	// "GOEXPERIMENT=simd".
	Env []string
}

// String names the job in progress and error messages: directory, package
// and pattern.
func (j Job) String() string {
	s := j.Pkg
	if j.Dir != "" {
		s = filepath.Join(j.Dir, j.Pkg)
	}
	return s + " -test.bench=" + j.Bench
}

// RunConfig configures [Run].
type RunConfig struct {
	// Dir is the directory job directories are relative to; "" is the
	// current directory.
	Dir string
	// Jobs run in order within each round.
	Jobs []Job
	// Rounds is how many samples each cell gets; 6 or more give the median a
	// finite 95% confidence interval.
	Rounds int
	// Benchtime is -test.benchtime, e.g. "100ms" or "1000x"; "" keeps the
	// testing package's default (1s).
	Benchtime string
	// Out receives the benchmark output of every job and round, in benchfmt
	// format. Each run's output is written whole once the run has succeeded,
	// so Out never holds half a run.
	Out io.Writer
	// Progress receives "round 3/6" lines; nil means os.Stderr.
	Progress io.Writer
	// Go is the go command; "" means "go" from PATH.
	Go string
}

// Run compiles each distinct (Dir, Pkg, BuildFlags, Env) of cfg.Jobs once, then
// runs cfg.Rounds rounds; a round runs every job's binary once with
// -test.count=1. Interleaving rounds rather than using -test.count=Rounds makes
// slow drift of the machine hit every cell alike instead of biasing whichever
// variant happened to run during a bad stretch.
func Run(ctx context.Context, cfg RunConfig) error {
	if cfg.Rounds < 1 {
		return fmt.Errorf("benchtab: run: Rounds = %d, want >= 1", cfg.Rounds)
	}
	if cfg.Out == nil {
		return errors.New("benchtab: run: no Out writer")
	}
	if len(cfg.Jobs) == 0 {
		return errors.New("benchtab: run: no jobs")
	}
	for _, j := range cfg.Jobs {
		if j.Pkg == "" || j.Bench == "" {
			return fmt.Errorf("benchtab: run: job %q needs both Pkg and Bench", j)
		}
	}
	progress := cfg.Progress
	if progress == nil {
		progress = os.Stderr
	}
	goCmd := cfg.Go
	if goCmd == "" {
		goCmd = "go"
	}

	tmp, err := os.MkdirTemp("", "benchtab-")
	if err != nil {
		return fmt.Errorf("benchtab: run: %w", err)
	}
	defer os.RemoveAll(tmp)

	type binary struct{ path, runDir string }
	built := make(map[string]binary)
	bins := make([]binary, len(cfg.Jobs))
	for i, j := range cfg.Jobs {
		dir := j.Dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cfg.Dir, dir)
		}
		id := strings.Join([]string{dir, j.Pkg, strings.Join(j.BuildFlags, " "), strings.Join(j.Env, " ")}, "\x00")
		if b, ok := built[id]; ok {
			bins[i] = b
			continue
		}
		fmt.Fprintf(progress, "building %s\n", filepath.Join(dir, j.Pkg))
		b := binary{path: filepath.Join(tmp, strconv.Itoa(len(built))+".test")}
		args := append(append([]string{"test", "-c", "-o", b.path}, j.BuildFlags...), j.Pkg)
		if _, err := command(ctx, dir, j.Env, goCmd, args...); err != nil {
			return fmt.Errorf("benchtab: building %s in %s: %w", j.Pkg, dir, err)
		}
		if _, err := os.Stat(b.path); err != nil {
			return fmt.Errorf("benchtab: building %s in %s: no test binary (no test files?): %w", j.Pkg, dir, err)
		}
		// A test binary expects to run in its package's directory (testdata,
		// relative paths), as under go test.
		out, err := command(ctx, dir, j.Env, goCmd, append(append([]string{"list", "-f", "{{.Dir}}"}, j.BuildFlags...), j.Pkg)...)
		if err != nil {
			return fmt.Errorf("benchtab: locating %s in %s: %w", j.Pkg, dir, err)
		}
		b.runDir = strings.TrimSpace(string(out))
		built[id] = b
		bins[i] = b
	}

	for round := 1; round <= cfg.Rounds; round++ {
		fmt.Fprintf(progress, "round %d/%d\n", round, cfg.Rounds)
		for i, j := range cfg.Jobs {
			args := []string{"-test.run=^$", "-test.bench=" + j.Bench, "-test.count=1"}
			if cfg.Benchtime != "" {
				args = append(args, "-test.benchtime="+cfg.Benchtime)
			}
			args = append(args, j.Args...)
			out, err := command(ctx, bins[i].runDir, j.Env, bins[i].path, args...)
			if err != nil {
				return fmt.Errorf("benchtab: round %d/%d: %s: %w", round, cfg.Rounds, j, err)
			}
			if _, err := cfg.Out.Write(out); err != nil {
				return fmt.Errorf("benchtab: round %d/%d: %s: writing output: %w", round, cfg.Rounds, j, err)
			}
		}
	}
	return nil
}

// tailLen bounds how much of a failed command's output goes into the error:
// the end is where panics and --- FAIL lines are.
const tailLen = 2000

// command runs name in dir and returns its stdout. On failure the error holds
// the tails of stdout (benchmark failures are reported there) and stderr
// (build errors, panics).
func command(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	msg := err.Error()
	for _, s := range []struct {
		name string
		b    []byte
	}{{"stdout", stdout.Bytes()}, {"stderr", stderr.Bytes()}} {
		if t := tail(s.b); t != "" {
			msg += "\n--- " + s.name + " tail:\n" + t
		}
	}
	return nil, &commandError{msg: msg, err: err}
}

type commandError struct {
	msg string
	err error
}

func (e *commandError) Error() string { return e.msg }
func (e *commandError) Unwrap() error { return e.err }

func tail(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) <= tailLen {
		return string(b)
	}
	b = b[len(b)-tailLen:]
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[i+1:] // start at a line boundary
	}
	return "…\n" + string(b)
}
