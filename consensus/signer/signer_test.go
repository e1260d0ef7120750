package signer

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/qianchain/qianchain/consensus/disk"
	"github.com/qianchain/qianchain/ledger"
)

// chain is the identity every test signs on: a chain id and a stand-in
// genesis hash.
var chain = ledger.NewChainIdentity("qian-signer", ledger.Sum([]byte("genesis of qian-signer")))

func key(i int) ledger.PrivateKey {
	s := sha256.Sum256([]byte(fmt.Sprintf("signer test key %d", i)))
	k, err := ledger.PrivateKeyFromBytes(s[:])
	if err != nil {
		panic(err)
	}
	return k
}

func vote(t ledger.VoteType, h uint64, r uint32, block byte) *ledger.Vote {
	v := &ledger.Vote{Type: t, Height: h, Round: r, Validator: 3}
	if block != 0 {
		bh := ledger.Sum([]byte{block})
		v.BlockHash = &bh
	}
	return v
}

func TestSignRules(t *testing.T) {
	s, err := Open(disk.NewMem(), "state.json", key(0), chain)
	must(t, err)
	a := vote(ledger.Prevote, 1, 0, 'A')
	must(t, s.SignVote(a))
	if err := a.Verify(chain, key(0).PublicKey()); err != nil {
		t.Fatal(err)
	}
	again := vote(ledger.Prevote, 1, 0, 'A')
	must(t, s.SignVote(again))
	if again.Sig != a.Sig {
		t.Fatal("identical re-sign returned another signature")
	}
	if err := s.SignVote(vote(ledger.Prevote, 1, 0, 'B')); !errors.Is(err, ErrConflict) {
		t.Fatalf("conflicting prevote: %v", err)
	}
	if err := s.SignVote(vote(ledger.Prevote, 1, 0, 0)); !errors.Is(err, ErrConflict) {
		t.Fatalf("nil prevote after a block prevote: %v", err)
	}
	p := &ledger.Proposal{Height: 1, Round: 0, POLRound: -1, BlockHash: ledger.Sum([]byte("A"))}
	if err := s.SignProposal(p); !errors.Is(err, ErrRegression) {
		t.Fatalf("proposal after prevote in the same round: %v", err)
	}
	must(t, s.SignVote(vote(ledger.Precommit, 1, 0, 'A')))
	must(t, s.SignProposal(&ledger.Proposal{Height: 1, Round: 1, POLRound: 0, BlockHash: ledger.Sum([]byte("A"))}))
	if err := s.SignVote(vote(ledger.Precommit, 1, 0, 'A')); !errors.Is(err, ErrRegression) {
		t.Fatalf("older round: %v", err)
	}
	must(t, s.SignVote(vote(ledger.Prevote, 2, 0, 0)))
	if err := s.SignVote(vote(ledger.Precommit, 1, 5, 0)); !errors.Is(err, ErrRegression) {
		t.Fatalf("older height: %v", err)
	}
}

// TestReopen: the state survives a close and reopen on real files.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "priv_validator_state.json")
	s, err := Open(disk.OS, path, key(0), chain)
	must(t, err)
	a := vote(ledger.Precommit, 7, 2, 'A')
	must(t, s.SignVote(a))
	s2, err := Open(disk.OS, path, key(0), chain)
	must(t, err)
	b := vote(ledger.Precommit, 7, 2, 'A')
	must(t, s2.SignVote(b))
	if b.Sig != a.Sig {
		t.Fatal("re-sign after reopen returned another signature")
	}
	if err := s2.SignVote(vote(ledger.Precommit, 7, 2, 'B')); !errors.Is(err, ErrConflict) {
		t.Fatalf("conflict after reopen: %v", err)
	}
	if _, err := Open(disk.OS, path, key(1), chain); err == nil {
		t.Fatal("opened another key's state file")
	}
}

// A state file written by the build before sign bytes covered the genesis
// hash (its sign_bytes are TaggedHash("qian/vote/v1", chain id, type,
// height, round, block)) still loads, and stays correct: the height, round
// and step it records are never signed again, not even for the same vote
// (that would be a second signature for one step), later ones are, and
// what is persisted from then on covers the genesis hash.
func TestStateFileFromChainIDOnlySignBytes(t *testing.T) {
	a := vote(ledger.Precommit, 9, 1, 'A')
	var old []byte
	old = binary.AppendUvarint(old, uint64(len(chain.ChainID())))
	old = append(old, chain.ChainID()...)
	old = append(old, byte(ledger.Precommit))
	old = binary.BigEndian.AppendUint64(old, 9)
	old = binary.BigEndian.AppendUint32(old, 1)
	old = append(append(old, 1), a.BlockHash[:]...)
	oldBytes := ledger.TaggedHash("qian/vote/v1", old)
	oldSig, _ := key(0).Sign(oldBytes)
	state, _ := json.Marshal(LastSigned{Height: 9, Round: 1, Step: StepPrecommit, SignBytes: oldBytes, Signature: oldSig, PubKey: key(0).PublicKey()})
	path := filepath.Join(t.TempDir(), "priv_validator_state.json")
	must(t, os.WriteFile(path, state, 0o600))

	s, err := Open(disk.OS, path, key(0), chain)
	must(t, err)
	if err := s.SignVote(a); !errors.Is(err, ErrConflict) {
		t.Fatalf("the step the old file records, signed again: %v", err)
	}
	if err := s.SignVote(vote(ledger.Prevote, 9, 1, 'A')); !errors.Is(err, ErrRegression) {
		t.Fatalf("an earlier step: %v", err)
	}
	next := vote(ledger.Prevote, 10, 0, 'B')
	must(t, s.SignVote(next))
	if err := next.Verify(chain, key(0).PublicKey()); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(disk.OS, path, key(0), chain)
	must(t, err)
	if last := s2.Last(); last.Height != 10 || last.SignBytes != next.SignBytes(chain) {
		t.Fatalf("persisted %+v", last)
	}
}

// TestCrashAfterPersist runs a child process that signs and dies at once,
// before anything is done with the signature: exactly a crash between
// persisting and returning. The restarted signer must refuse a conflicting
// vote and give back the same signature for the identical one.
func TestCrashAfterPersist(t *testing.T) {
	if path := os.Getenv("QIAN_SIGNER_CHILD"); path != "" {
		s, err := Open(disk.OS, path, key(0), chain)
		if err != nil {
			os.Exit(3)
		}
		if err := s.SignVote(vote(ledger.Prevote, 4, 1, 'A')); err != nil {
			os.Exit(4)
		}
		os.Exit(0) // die without returning the signature to anyone
	}
	path := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashAfterPersist$")
	cmd.Env = append(os.Environ(), "QIAN_SIGNER_CHILD="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	s, err := Open(disk.OS, path, key(0), chain)
	must(t, err)
	if err := s.SignVote(vote(ledger.Prevote, 4, 1, 'B')); !errors.Is(err, ErrConflict) {
		t.Fatalf("conflicting vote after the crash: %v", err)
	}
	v := vote(ledger.Prevote, 4, 1, 'A')
	must(t, s.SignVote(v))
	want, _ := key(0).Sign(v.SignBytes(chain))
	if v.Sig != want {
		t.Fatal("identical vote after the crash got a different signature")
	}
}

// failFS fails the n-th mutating operation, then behaves.
type failFS struct {
	*disk.Mem
	n, ops int
}

var errInjected = errors.New("injected I/O error")

func (f *failFS) step() error {
	f.ops++
	if f.ops == f.n {
		return errInjected
	}
	return nil
}

func (f *failFS) Create(name string) (disk.File, error) {
	if err := f.step(); err != nil {
		return nil, err
	}
	h, err := f.Mem.Create(name)
	return &failFile{File: h, fs: f}, err
}

func (f *failFS) Rename(a, b string) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.Mem.Rename(a, b)
}

func (f *failFS) SyncDir(d string) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.Mem.SyncDir(d)
}

type failFile struct {
	disk.File
	fs *failFS
}

func (f *failFile) Write(p []byte) (int, error) {
	if err := f.fs.step(); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *failFile) Sync() error {
	if err := f.fs.step(); err != nil {
		return err
	}
	return f.File.Sync()
}

// TestFailureAtEveryStep fails each I/O step of persisting in turn, crashes,
// and restarts: the signer never both releases a signature and forgets it,
// and never signs a conflicting vote afterwards.
func TestFailureAtEveryStep(t *testing.T) {
	for n := 1; n <= 6; n++ {
		mem := disk.NewMem()
		s, err := Open(mem, "d/state.json", key(0), chain)
		must(t, err)
		must(t, s.SignVote(vote(ledger.Prevote, 1, 0, 'A')))
		ffs := &failFS{Mem: mem, n: n}
		s.fs = ffs
		a := vote(ledger.Precommit, 1, 0, 'A')
		signErr := s.SignVote(a)
		mem.Crash()
		s2, err := Open(mem, "d/state.json", key(0), chain)
		if err != nil {
			t.Fatalf("step %d: reopen: %v", n, err)
		}
		if signErr == nil && s2.Last().SignBytes != a.SignBytes(chain) {
			t.Fatalf("step %d: signature released but not persisted", n)
		}
		if s2.Last().Step == StepPrecommit {
			if err := s2.SignVote(vote(ledger.Precommit, 1, 0, 'B')); !errors.Is(err, ErrConflict) {
				t.Fatalf("step %d: conflict after crash: %v", n, err)
			}
		}
	}
}

func TestDecodeStateRejects(t *testing.T) {
	good := `{"height":1,"round":0,"step":2,"sign_bytes":"` + ledger.ZeroHash.String() + `","signature":"` + ledger.Signature{}.String() + `","pub_key":"` + key(0).PublicKey().String() + `"}`
	if _, err := DecodeState([]byte(good)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "{}", good + "{}", `{"height":1}`, good[:len(good)-1] + `,"extra":1}`, `[]`} {
		if _, err := DecodeState([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func FuzzDecodeState(f *testing.F) {
	f.Add([]byte(`{"height":1,"round":0,"step":2,"sign_bytes":"` + ledger.ZeroHash.String() + `","signature":"` + ledger.Signature{}.String() + `","pub_key":"` + key(0).PublicKey().String() + `"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := DecodeState(b)
		if err == nil && l.Step > StepPrecommit {
			t.Fatalf("accepted step %d", l.Step)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
