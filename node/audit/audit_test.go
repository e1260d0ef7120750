package audit_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/audit"
	"github.com/qianchain/qianchain/node/audit/audittest"
)

// sample is a chain with the whole demo story (membership, trace with a
// recall, notary with a batch) and some anchors, closed so it can be
// audited: 12 blocks.
func sample(t *testing.T) *audittest.Chain {
	t.Helper()
	c := audittest.New(t, 4)
	c.Story(8)
	c.Block(c.Anchors(40), nil)
	c.Block(nil, nil)
	c.Close()
	return c
}

func run(t *testing.T, c *audittest.Chain, dir string) *audit.Summary {
	t.Helper()
	return runWith(t, c, dir, func(s audit.Source) audit.Source { return s })
}

// noIndex hides a source's transaction index, as a remote node's.
type noIndex struct{ audit.Source }

func runWith(t *testing.T, c *audittest.Chain, dir string, wrap func(audit.Source) audit.Source) *audit.Summary {
	t.Helper()
	home, err := audit.OpenHome(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := wrap(home)
	defer src.Close()
	sum, err := audit.Run(context.Background(), src, audit.Options{Genesis: c.Doc, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestCleanChainPasses(t *testing.T) {
	c := sample(t)
	var heights []uint64
	src, err := audit.OpenHome(c.Home)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if src.GenesisFile != c.GenesisFile() {
		t.Fatalf("genesis file %q", src.GenesisFile)
	}
	sum, err := audit.Run(context.Background(), src, audit.Options{Genesis: c.Doc, TempDir: t.TempDir(),
		Progress: func(p audit.Progress) { heights = append(heights, p.Height) }})
	if err != nil {
		t.Fatal(err)
	}
	if !sum.OK || sum.Problem != nil {
		t.Fatalf("clean chain: %+v", sum.Problem)
	}
	if sum.Height != sum.Tip || sum.Blocks != sum.Tip || len(heights) != int(sum.Tip) || heights[len(heights)-1] != sum.Tip {
		t.Fatalf("checked %d of %d blocks, progress %v", sum.Blocks, sum.Tip, heights)
	}
	// The story's one deliberate rejection is recorded, not a discrepancy.
	if sum.Txs < 80 || sum.TxsRefused != 1 {
		t.Fatalf("txs %d refused %d", sum.Txs, sum.TxsRefused)
	}
	// Signatures: every transaction, and each height's certificates (the
	// stored one and, above height 1, the last commit): 4 each.
	if want := sum.Txs + 4*sum.Blocks + 4*(sum.Blocks-1); sum.Signatures != want {
		t.Fatalf("signatures %d, want %d", sum.Signatures, want)
	}
}

// copyDir copies a home so a test can damage the copy.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(dst)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// edit changes the value stored under key in the Pebble store of home.
func edit(t *testing.T, home string, key []byte, change func(v []byte) []byte) {
	t.Helper()
	db, err := pebble.Open(filepath.Join(home, "data", "chain"), &pebble.Options{Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, closer, err := db.Get(key)
	if err != nil {
		t.Fatalf("key %x: %v", key, err)
	}
	nv := change(append([]byte{}, v...))
	closer.Close()
	if err := db.Set(key, nv, pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

func heightKey(prefix byte, h uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, h)
}

// blockAt reads block h from the (closed) chain.
func blockAt(t *testing.T, home string, h uint64) *ledger.Block {
	t.Helper()
	var blk *ledger.Block
	edit(t, home, heightKey('b', h), func(v []byte) []byte {
		var err error
		if blk, err = ledger.DecodeBlock(v[32:]); err != nil {
			t.Fatal(err)
		}
		return v
	})
	return blk
}

func expect(t *testing.T, sum *audit.Summary, height uint64, code, reason string) {
	t.Helper()
	if sum.OK || sum.Problem == nil {
		t.Fatalf("audit passed a damaged chain")
	}
	p := sum.Problem
	if p.Height != height || p.Code != code || !strings.Contains(p.Reason, reason) {
		t.Fatalf("got %v; want height %d %s containing %q", p, height, code, reason)
	}
	if sum.Blocks != height-1 {
		t.Fatalf("checked %d blocks before the problem at %d", sum.Blocks, height)
	}
	t.Logf("found: %v", p)
}

// The test: one byte of a stored transaction, and separately one
// byte of a stored commit signature, in a copy of a node's Pebble data;
// the audit finds each and names the height.
func TestFindsOneFlippedByte(t *testing.T) {
	c := sample(t)
	const h = 5
	blk := blockAt(t, c.Home, h)
	enc := blk.Txs[2].Encode()

	t.Run("transaction payload", func(t *testing.T) {
		home := copyDir(t, c.Home)
		edit(t, home, heightKey('b', h), func(v []byte) []byte {
			i := bytes.Index(v, enc)
			v[i+len(enc)-64-10] ^= 0x01 // a payload byte
			return v
		})
		expect(t, run(t, c, home), h, audit.ErrStore, "transaction root")
	})
	t.Run("transaction signature", func(t *testing.T) {
		home := copyDir(t, c.Home)
		edit(t, home, heightKey('b', h), func(v []byte) []byte {
			i := bytes.Index(v, enc)
			v[i+len(enc)-5] ^= 0x80
			return v
		})
		expect(t, run(t, c, home), h, audit.ErrStore, "transaction root")
	})
	t.Run("stored commit signature", func(t *testing.T) {
		home := copyDir(t, c.Home)
		edit(t, home, heightKey('c', h), func(v []byte) []byte {
			v[len(v)-7] ^= 0x01 // inside the last validator's signature
			return v
		})
		expect(t, run(t, c, home), h, audit.ErrCommit, "stored certificate")
	})
	t.Run("last commit signature inside the next block", func(t *testing.T) {
		home := copyDir(t, c.Home)
		cmt := blockAt(t, home, h+1).LastCommit.Encode()
		edit(t, home, heightKey('b', h+1), func(v []byte) []byte {
			i := bytes.Index(v, cmt)
			v[i+len(cmt)-7] ^= 0x01
			return v
		})
		expect(t, run(t, c, home), h+1, audit.ErrStore, "last commit hash")
	})
	t.Run("stored result", func(t *testing.T) {
		home := copyDir(t, c.Home)
		edit(t, home, binary.BigEndian.AppendUint32(heightKey('r', h), 1), func(v []byte) []byte {
			v[33] ^= 0x01 // the code's first letter
			return v
		})
		expect(t, run(t, c, home), h, audit.ErrResult, "transaction 1")
	})
	t.Run("stored app hash", func(t *testing.T) {
		home := copyDir(t, c.Home)
		edit(t, home, heightKey('a', h), func(v []byte) []byte { v[0] ^= 0x01; return v })
		expect(t, run(t, c, home), h, audit.ErrAppHash, "the source stored app hash")
	})
	t.Run("stored writes root", func(t *testing.T) {
		home := copyDir(t, c.Home)
		edit(t, home, heightKey('w', h), func(v []byte) []byte { v[31] ^= 0x01; return v })
		expect(t, run(t, c, home), h, audit.ErrWritesRoot, "the source stored writes root")
	})
	t.Run("transaction index", func(t *testing.T) {
		home := copyDir(t, c.Home)
		key := append([]byte{'t'}, hashBytes(blk.Txs[2].Hash())...)
		edit(t, home, key, func(v []byte) []byte { v[11] ^= 0x01; return v })
		expect(t, run(t, c, home), h, audit.ErrTxIndex, "transaction 2")
	})
}

func hashBytes(h ledger.Hash) []byte { return h[:] }

// Blocks that faulty validators could sign and a store would keep: the
// audit refuses each, at its height.
func TestFindsWhatFaultyValidatorsSign(t *testing.T) {
	cases := []struct {
		name   string
		code   string
		reason string
		make   func(c *audittest.Chain) uint64 // returns the bad height
		index  bool                            // audit the store's index too
	}{
		{"a transaction with a bad signature", audit.ErrTxSignature, "signature does not verify", func(c *audittest.Chain) uint64 {
			tx := c.Anchor("farm")
			tx.Sig[3] ^= 1
			return c.Block([]*ledger.Tx{c.Anchor("retailer"), tx}, nil).Header.Height
		}, true},
		{"a transaction committed twice", audit.ErrTxReplay, "already committed at height", func(c *audittest.Chain) uint64 {
			tx := c.Anchor("farm")
			c.Block([]*ledger.Tx{tx}, nil)
			return c.Block([]*ledger.Tx{tx}, nil).Header.Height
		}, false}, // the index would point at the second copy, a discrepancy found at the first
		{"a wrong app hash", audit.ErrAppHash, "re-executing blocks", func(c *audittest.Chain) uint64 {
			return c.Block(nil, func(b *ledger.Block) { b.Header.AppHash[0] ^= 1 }).Header.Height
		}, true},
		{"time going backwards", audit.ErrHashChain, "is not after block", func(c *audittest.Chain) uint64 {
			return c.Block(nil, func(b *ledger.Block) { b.Header.Time -= 5e9 }).Header.Height
		}, true},
		{"another validator set", audit.ErrValidators, "validators_hash", func(c *audittest.Chain) uint64 {
			return c.Block(nil, func(b *ledger.Block) { b.Header.ValidatorsHash[0] ^= 1 }).Header.Height
		}, true},
		{"a block for another chain", audit.ErrBlock, "is for chain", func(c *audittest.Chain) uint64 {
			return c.Block(nil, func(b *ledger.Block) { b.Header.ChainID = "qian-other" }).Header.Height
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := audittest.New(t, 4)
			c.Block(c.Anchors(3), nil)
			h := tc.make(c)
			c.Block(nil, nil)
			c.Close()
			wrap := func(s audit.Source) audit.Source { return s }
			if !tc.index {
				wrap = func(s audit.Source) audit.Source { return noIndex{s} }
			}
			expect(t, runWith(t, c, c.Home, wrap), h, tc.code, tc.reason)
		})
	}
}

func TestWeakCertificate(t *testing.T) {
	c := audittest.New(t, 4)
	c.Block(c.Anchors(2), nil)
	b := c.Block(nil, nil)
	c.Close()
	home := copyDir(t, c.Home)
	weak := c.Sign(b.Header.Height, 0, b.Hash(), 2).Encode() // 2 of 4: half the power
	edit(t, home, heightKey('c', b.Header.Height), func([]byte) []byte { return weak })
	expect(t, run(t, c, home), b.Header.Height, audit.ErrCommit, "need more than two thirds")
}

func TestAnotherGenesis(t *testing.T) {
	c := sample(t)
	other := audittest.New(t, 4)
	other.Close()
	sum := run(t, other, c.Home)
	if sum.OK || sum.Problem.Code != audit.ErrGenesis || sum.Problem.Height != 0 {
		t.Fatalf("%+v", sum.Problem)
	}
}

func TestRunningNodeIsRefused(t *testing.T) {
	c := audittest.New(t, 4)
	c.Block(nil, nil)
	// The store is still open, as a running node's is.
	if _, err := audit.OpenHome(c.Home); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("got %v", err)
	}
	if _, err := audit.OpenHome(t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no chain") {
		t.Fatalf("empty dir: %v", err)
	}
}

type quiet struct{}

func (quiet) Infof(string, ...any)  {}
func (quiet) Errorf(string, ...any) {}
func (quiet) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}
