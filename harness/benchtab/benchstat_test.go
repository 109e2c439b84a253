package benchtab

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata (benchstat.csv by running go tool benchstat)")

// benchstatArgs made testdata/benchstat.csv from testdata/bench.txt, a cut of
// reports/bench.txt (fn sigmoid and relu; impls copy, go, avx2-u16, avx2-u32,
// avx2-u32-nt; n 4096 and 65536; go has only n=4096).
var benchstatArgs = []string{"tool", "benchstat", "-format", "csv",
	"-col", "/impl@(copy go avx2-u16 avx2-u32 avx2-u32-nt)", "-row", ".name /fn /n", "testdata/bench.txt"}

func writeGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if err := os.WriteFile(path, got, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		writeGolden(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", path, got)
	}
}

// TestMatchesBenchstat checks every number benchstat printed for
// testdata/bench.txt — median, CI, delta and p-value, for every unit and cell —
// against Summarize and Compare with copy as base.
func TestMatchesBenchstat(t *testing.T) {
	golden := filepath.Join("testdata", "benchstat.csv")
	if *update {
		cmd := exec.Command("go", benchstatArgs...)
		cmd.Stderr = nil // benchstat warns about geomeans of differing sets; not ours to check
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s: %v", strings.Join(benchstatArgs, " "), err)
		}
		writeGolden(t, golden, out)
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}

	s, err := Load(filepath.Join("testdata", "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}

	// Layout of benchstat's CSV: a row of impl names at each column group's
	// first column, a row of units ("sec/op,CI,sec/op,CI,vs base,P,..."), then
	// a row per benchmark ("Forward sigmoid 4096") until "geomean".
	checked := 0
	var impls map[int]string
	var unit string
	for i, rec := range records {
		switch {
		case len(rec) > 2 && rec[0] == "" && rec[2] == "CI":
			unit = rec[1]
			impls = make(map[int]string)
			for j, name := range records[i-1] {
				if name != "" {
					impls[j] = name
				}
			}
			continue
		case unit == "" || len(rec) < 2:
			continue
		case rec[0] == "geomean":
			unit = ""
			continue
		}
		row := strings.Fields(rec[0])
		if len(row) != 3 {
			t.Fatalf("benchstat.csv:%d: row label %q, want \"Dir fn n\"", i+1, rec[0])
		}
		n, err := strconv.Atoi(row[2])
		if err != nil {
			t.Fatalf("benchstat.csv:%d: %v", i+1, err)
		}
		for j, impl := range impls {
			if rec[j] == "" {
				continue // no such cell: go has only n=4096
			}
			k := Key{row[0], row[1], impl, n}
			sum, err := s.Summary(k, unit)
			if err != nil {
				t.Errorf("%s %s: %v", k, unit, err)
				continue
			}
			want, err := strconv.ParseFloat(rec[j], 64)
			if err != nil {
				t.Fatalf("benchstat.csv:%d: %v", i+1, err)
			}
			// Exact: both sides are the same float64 arithmetic.
			if sum.Median != want || sum.Range() != rec[j+1] {
				t.Errorf("%s %s: median %v ±%s, benchstat %v ±%s", k, unit, sum.Median, sum.Range(), want, rec[j+1])
			}
			checked++
			if impl == "copy" {
				continue
			}
			c, err := s.Compare(Key{row[0], row[1], "copy", n}, k, unit)
			if err != nil {
				t.Errorf("%s %s: %v", k, unit, err)
				continue
			}
			if got := c.Delta() + " (" + rec[j+3] + ")"; c.String() != got || c.Delta() != rec[j+2] {
				t.Errorf("%s %s vs copy: %q, benchstat %q (%s)", k, unit, c.String(), rec[j+2], rec[j+3])
			}
			if c.Significant != (rec[j+2] != "~") {
				t.Errorf("%s %s vs copy: Significant = %v, benchstat %q", k, unit, c.Significant, rec[j+2])
			}
		}
	}
	// 3 units × (8 rows × 4 impls + 4 rows of go).
	if want := 3 * (8*4 + 4); checked != want {
		t.Errorf("checked %d cells, want %d: is benchstat.csv complete?", checked, want)
	}
}
