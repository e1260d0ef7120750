package state_test

import (
	"bytes"
	"errors"
	"sort"
	"testing"

	"pgregory.net/rapid"

	"github.com/qianchain/qianchain/contracts/memstate"
	"github.com/qianchain/qianchain/contracts/state"
)

type model map[string]string

func (m model) clone() model {
	c := model{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

func scan(t *rapid.T, tx *state.Tx, lo, hi []byte, limit int) []string {
	var out []string
	err := tx.Iterate(lo, hi, func(k, v []byte) bool {
		out = append(out, string(k)+"="+string(v))
		return len(out) < limit
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func modelScan(m model, lo, hi string, upper bool, limit int) []string {
	var ks []string
	for k := range m {
		if k >= lo && (!upper || k < hi) {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	var out []string
	for _, k := range ks {
		out = append(out, k+"="+m[k])
		if len(out) == limit {
			break
		}
	}
	return out
}

// The overlays behave like a map: reads see the transaction's writes, then
// the block's committed writes, then the store; a discarded transaction
// leaves no trace; Iterate merges all three in order; Writes is the net
// change.
func TestOverlayMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		keyGen := rapid.StringMatching(`[a-c]{1,3}`)
		base := memstate.New()
		committed := model{}
		var init []state.Write
		for i, n := 0, rapid.IntRange(0, 10).Draw(t, "base"); i < n; i++ {
			k, v := keyGen.Draw(t, "k"), rapid.StringMatching(`[0-9]{1,2}`).Draw(t, "v")
			init = append(init, state.Write{Key: []byte(k), Value: []byte(v)})
			committed[k] = v
		}
		base.Apply(init)
		storeView := committed.clone()
		blk := state.NewBlock(base)
		for txi, ntx := 0, rapid.IntRange(1, 6).Draw(t, "txs"); txi < ntx; txi++ {
			tx := blk.Begin()
			view := committed.clone()
			for op, nops := 0, rapid.IntRange(0, 8).Draw(t, "ops"); op < nops; op++ {
				k := keyGen.Draw(t, "key")
				switch rapid.IntRange(0, 3).Draw(t, "op") {
				case 0:
					v := rapid.StringMatching(`[0-9]{1,2}`).Draw(t, "val")
					tx.Set([]byte(k), []byte(v))
					view[k] = v
				case 1:
					tx.Delete([]byte(k))
					delete(view, k)
				case 2:
					got, err := tx.Get([]byte(k))
					if err != nil {
						t.Fatal(err)
					}
					want, ok := view[k]
					if ok != (got != nil) || string(got) != want {
						t.Fatalf("Get(%s) = %q, want %q (present %v)", k, got, want, ok)
					}
				case 3:
					lo := keyGen.Draw(t, "lo")
					hi := keyGen.Draw(t, "hi")
					upper := rapid.Bool().Draw(t, "bounded")
					limit := rapid.IntRange(1, 20).Draw(t, "limit")
					var hb []byte
					if upper {
						hb = []byte(hi)
					}
					got := scan(t, tx, []byte(lo), hb, limit)
					want := modelScan(view, lo, hi, upper, limit)
					if len(got) != len(want) {
						t.Fatalf("Iterate[%s,%s) = %v, want %v", lo, hi, got, want)
					}
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("Iterate[%s,%s) = %v, want %v", lo, hi, got, want)
						}
					}
				}
			}
			if rapid.Bool().Draw(t, "commit") {
				tx.Commit()
				committed = view
			} else {
				tx.Discard()
			}
		}
		// Applying Writes to the store yields the committed view.
		base.Apply(blk.Writes())
		after := model{}
		_ = base.Iterate(nil, nil, func(k, v []byte) bool { after[string(k)] = string(v); return true })
		if len(after) != len(committed) {
			t.Fatalf("after Writes: %v, want %v (store was %v)", after, committed, storeView)
		}
		for k, v := range committed {
			if after[k] != v {
				t.Fatalf("after Writes: %v, want %v", after, committed)
			}
		}
		ws := blk.Writes()
		for i := 1; i < len(ws); i++ {
			if bytes.Compare(ws[i-1].Key, ws[i].Key) >= 0 {
				t.Fatal("Writes not sorted")
			}
		}
	})
}

type failing struct{}

var errDisk = errors.New("disk on fire")

func (failing) Get([]byte) ([]byte, error) { return nil, errDisk }
func (failing) Iterate([]byte, []byte, func(k, v []byte) bool) error {
	return errDisk
}

func TestStoreFailuresAreStoreErrors(t *testing.T) {
	tx := state.NewBlock(failing{}).Begin()
	_, err := tx.Get([]byte("k"))
	var se *state.StoreError
	if !errors.As(err, &se) || !errors.Is(err, errDisk) {
		t.Fatalf("Get: %v", err)
	}
	if err := tx.Iterate(nil, nil, func(k, v []byte) bool { return true }); !errors.As(err, &se) {
		t.Fatalf("Iterate: %v", err)
	}
}

func TestPrefixEnd(t *testing.T) {
	if got := state.PrefixEnd([]byte("t/o/")); string(got) != "t/o0" {
		t.Fatalf("%q", got)
	}
	if got := state.PrefixEnd([]byte{'a', 0xff, 0xff}); !bytes.Equal(got, []byte{'b'}) {
		t.Fatalf("%q", got)
	}
	if state.PrefixEnd([]byte{0xff}) != nil {
		t.Fatal("all-0xff prefix has no end")
	}
}
