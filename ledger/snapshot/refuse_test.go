package snapshot

import (
	"bytes"
	"os"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
)

// restoreFrom verifies m and p and restores chunks into a fresh store;
// on refusal it checks that nothing reached the store.
func restoreFrom(t *testing.T, a Anchor, m *Manifest, p *Proof, chunks [][]byte) error {
	t.Helper()
	st := openEmpty(t)
	err := func() error {
		v, err := Verify(m, p, a)
		if err != nil {
			return err
		}
		r, err := v.Restore(st)
		if err != nil {
			return err
		}
		defer r.Abort()
		for _, c := range chunks {
			if err := r.Add(c); err != nil {
				return err
			}
		}
		return r.Finish()
	}()
	if err != nil {
		if _, gerr := st.GenesisHash(); st.Height() != 0 || gerr == nil {
			t.Fatalf("refused (%v) but the store holds a chain", err)
		}
		if st.Iterate(nil, nil, func(k, v []byte) bool { t.Fatalf("refused (%v) but state key %q was written", err, k); return false }) != nil {
			t.Fatal("iterate")
		}
	}
	return err
}

// clone deep-copies a manifest through JSON.
func clone(t *testing.T, m *Manifest) *Manifest {
	t.Helper()
	c, err := ParseManifest(m.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRefusals: every way a snapshot can differ from the chain's state is
// refused with its code, before anything is written.
func TestRefusals(t *testing.T) {
	ch, path, _ := made(t)
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var chunks [][]byte
	for i := range f.Manifest.Chunks {
		c, err := f.Chunk(i)
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, c)
	}
	if err := restoreFrom(t, ch.anchor, f.Manifest, f.Proof, chunks); err != nil {
		t.Fatalf("the untouched snapshot: %v", err)
	}
	other := ledgertest.NewChain("qian-other", 4)
	// A chunk whose entries were rewritten but whose hash the manifest
	// names: only the state digest catches it.
	forged := append([]byte(nil), chunks[0]...)
	if i := bytes.Index(forged, []byte("farm")); i < 0 {
		t.Fatal("no founder entry in chunk 0")
	} else {
		forged[i] = 'F'
	}
	flipSig := func(p *Proof) *Proof {
		c, err := ledger.DecodeCommit(p.Commit)
		if err != nil {
			t.Fatal(err)
		}
		c.Sigs[0].Sig[5] ^= 1
		return &Proof{Header: p.Header, Commit: c.Encode()}
	}
	for _, c := range []struct {
		name string
		edit func(m *Manifest, p **Proof, cs [][]byte, a *Anchor)
		code string
	}{
		{"a chunk's byte flipped", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) { cs[1][3] ^= 1 }, ErrChunk},
		{"chunks swapped", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) { cs[0], cs[1] = cs[1], cs[0] }, ErrChunk},
		{"a chunk missing", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) { cs[len(cs)-1] = nil }, ErrChunk},
		{"a forged chunk the manifest names", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) {
			cs[0] = forged
			m.Chunks[0] = Chunk{Hash: ChunkHash(forged), Size: uint32(len(forged))}
		}, ErrState},
		{"a chunk left out of the manifest", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) {
			m.Chunks = m.Chunks[:len(m.Chunks)-1]
		}, ErrState},
		{"another state digest", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) { m.StateDigest[0] ^= 1 }, ErrManifest},
		{"another app hash", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) { m.AppHash[0] ^= 1 }, ErrManifest},
		{"another results root", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) { m.ResultsRoot[0] ^= 1 }, ErrManifest},
		{"a forged signature on header H+1", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) { *p = flipSig(*p) }, ErrProof},
		{"no proof", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) { *p = nil }, ErrProof},
		{"the set change withheld", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) {
			m.Base.Transitions = m.Base.Transitions[:0]
			m.Base.Sets = m.Base.Sets[:1]
		}, ErrProof},
		{"another chain", func(m *Manifest, p **Proof, cs [][]byte, a *Anchor) {
			*a = Anchor{Chain: other.Identity, Validators: other.Validators}
		}, ErrChain},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := clone(t, f.Manifest)
			p := f.Proof
			cs := make([][]byte, len(chunks))
			for i := range chunks {
				cs[i] = append([]byte(nil), chunks[i]...)
			}
			a := ch.anchor
			c.edit(m, &p, cs, &a)
			if len(cs) > 0 && cs[len(cs)-1] == nil {
				cs = cs[:len(cs)-1]
			}
			if len(m.Chunks) < len(cs) {
				cs = cs[:len(m.Chunks)]
			}
			err := restoreFrom(t, a, m, p, cs)
			if CodeOf(err) != c.code {
				t.Fatalf("got %v (code %q), want %s", err, CodeOf(err), c.code)
			}
		})
	}
}

// TestFileRefusals: a file that is not a snapshot, or cut short, is
// refused with ERR_SNAPSHOT_FORMAT.
func TestFileRefusals(t *testing.T) {
	_, path, _ := made(t)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty":      nil,
		"cut":        raw[:len(raw)-10],
		"not a file": bytes.Repeat([]byte("x"), 100),
		"trailer":    append(append([]byte(nil), raw[:len(raw)-20]...), bytes.Repeat([]byte{0xff}, 20)...),
	} {
		p := dir + "/" + name
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenFile(p); CodeOf(err) != ErrFormat {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ParseManifest([]byte(`{"format":1,"chunks":[{"hash":"00","size":1}],"unknown":1}`)); CodeOf(err) != ErrFormat {
		t.Errorf("unknown field: %v", err)
	}
}
