package accuracy

import (
	"path/filepath"
	"testing"
)

func TestStoreRoundTrip(t *testing.T) {
	ks, reg := kernels(t)
	relu := ks[0]
	for _, k := range ks {
		if k.Entry.Name == "relu" {
			relu = k
		}
	}
	// relu is exact everywhere: a sweep without any error must still save.
	e, err := sweep32(relu, reg["relu"], false, nil, 0x3f80, 0x3f81)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "accuracy.json")
	s, err := LoadStore(path, "h1")
	if err != nil {
		t.Fatal(err)
	}
	s.Exhaustive[StoreKey("relu", false)] = e
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	again, err := LoadStore(path, "h1")
	if err != nil {
		t.Fatal(err)
	}
	got := again.Exhaustive[StoreKey("relu", false)]
	if len(got.Sweeps) != len(e.Sweeps) || got.Sweeps[0].Points != e.Sweeps[0].Points || got.Sweeps[0].Hist[0] != chunk {
		t.Errorf("round trip: %+v, want %+v", got, e)
	}
	other, err := LoadStore(path, "h2")
	if err != nil || len(other.Exhaustive) != 0 {
		t.Errorf("a store of other kernels was not dropped: %v, %d entries", err, len(other.Exhaustive))
	}
}
