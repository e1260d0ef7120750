package proof

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/store"
)

const testChainID = "qian-proof-test"

// chain is a store holding a valid chain made by ledgertest (real BIP-340
// signatures on transactions and precommits) whose app hashes follow
// docs/state.md over made-up writes roots and real result leaves. It keeps
// the writes roots itself, as WritesRootSource.
type chain struct {
	*store.Store
	c       *ledgertest.Chain
	anchor  Anchor
	writes  map[uint64]ledger.Hash
	app     ledger.Hash
	batch   [][32]byte // the items of the batch anchored in block 2
	batchTx ledger.Hash
	txs     map[uint64][]*ledger.Tx
	// change, when set, is a validator-set change the next block approves
	// (it takes effect two heights later, as governance's does).
	change *setChange
}

type setChange struct {
	keys   []ledger.PrivateKey
	powers []uint64
}

func (c *chain) WritesRoot(h uint64) (ledger.Hash, error) {
	r, ok := c.writes[h]
	if !ok {
		return ledger.Hash{}, store.ErrNotFound
	}
	return r, nil
}

// plain hides WritesRoot: a store made before writes roots were kept.
type plain struct{ Source }

func newChain(t testing.TB, validators int) *chain {
	t.Helper()
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lc := ledgertest.NewChain(testChainID, validators)
	app0 := ledger.Sum([]byte("app hash 0"))
	if err := st.InitGenesis(lc.Identity.GenesisHash(), lc.Validators, nil, app0); err != nil {
		t.Fatal(err)
	}
	return &chain{Store: st, c: lc, app: app0, writes: map[uint64]ledger.Hash{}, txs: map[uint64][]*ledger.Tx{},
		anchor: Anchor{Chain: lc.Identity, Validators: lc.Validators}}
}

// block commits a block of n transactions (and, when withBatch, a
// notary.anchor_batch of 5 items at the end). Every result is OK with one
// event, except every third, which fails.
func (c *chain) block(t testing.TB, n int, withBatch bool) uint64 {
	t.Helper()
	h := c.c.Height() + 1
	var txs []*ledger.Tx
	for i := 0; i < n; i++ {
		txs = append(txs, c.c.Tx(uint64(i%3+1), h*1000+uint64(i), []byte(fmt.Sprintf("茶 payload %d/%d", h, i))))
	}
	if withBatch {
		c.batch = nil
		for i := 0; i < 5; i++ {
			c.batch = append(c.batch, ledger.Sum([]byte(fmt.Sprint("file ", i))))
		}
		root := ledger.Hash(merkle.RootOf(bytesOf(c.batch)))
		payload := append(root[:], binary.BigEndian.AppendUint64(nil, uint64(len(c.batch)))...)
		payload = append(payload, 5, 'f', 'i', 'l', 'e', 's', 0)
		tx := &ledger.Tx{ChainID: testChainID, Nonce: h, Contract: "notary", Method: "anchor_batch", Payload: payload}
		if err := tx.Sign(ledgertest.Key(7)); err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
		c.batchTx = tx.Hash()
	}
	return c.commitTxs(t, txs)
}

// commitTxs commits a block of txs, whatever they hold: the validators of
// a test chain sign anything.
func (c *chain) commitTxs(t testing.TB, txs []*ledger.Tx) uint64 {
	t.Helper()
	c.c.SetAppHash(c.app)
	blk, cmt := c.c.Next(txs)
	h := blk.Header.Height
	var next *ledger.ValidatorSet
	if c.change != nil {
		next = c.c.Schedule(c.change.keys, c.change.powers)
		c.change = nil
	}
	results := make([][]byte, len(txs))
	leaves := make([]merkle.Hash, len(txs))
	for i, tx := range txs {
		r := &Result{TxHash: tx.Hash(), Code: "OK", Events: []Event{{Type: "test.put", Attrs: []Attr{{Key: "key", Value: fmt.Sprint(i)}, {Key: "名", Value: "都匀毛尖"}}}}}
		if i%3 == 2 {
			r = &Result{TxHash: tx.Hash(), Code: "ERR_INVALID", Message: fmt.Sprintf("transaction %d is refused <on purpose> & for tests", i), Events: []Event{}}
		}
		results[i] = EncodeResult(r)
		leaves[i] = merkle.LeafHash(results[i])
	}
	wr := store.WritesRoot(nil) // the block writes no state: the empty tree's root
	c.writes[h] = wr
	c.app = AppHashLink(c.app, h, wr, merkle.Root(leaves))
	if err := c.CommitBlock(&store.Committed{Block: blk, Commit: cmt, Results: results, AppHash: c.app, NextValidators: next}); err != nil {
		t.Fatal(err)
	}
	c.txs[h] = txs
	return h
}

func bytesOf(hs [][32]byte) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// standard makes a chain of 4 blocks (the second ends with a batch) and
// returns it with the bundle of the batch transaction, carrying every
// optional part: next block, proven outcome, batch item.
func standard(t testing.TB, validators int) (*chain, *Bundle) {
	t.Helper()
	c := newChain(t, validators)
	c.block(t, 3, false)
	c.block(t, 6, true)
	c.block(t, 1, false)
	c.block(t, 0, false)
	b, err := Build(c, c.batchTx)
	if err != nil {
		t.Fatal(err)
	}
	tree, _ := merkle.Prove(leafHashes(c.batch), 3)
	if err := AttachBatchItem(b, c.batch[3], tree); err != nil {
		t.Fatal(err)
	}
	return c, b
}

func leafHashes(items [][32]byte) []merkle.Hash {
	out := make([]merkle.Hash, len(items))
	for i := range items {
		out[i] = merkle.LeafHash(items[i][:])
	}
	return out
}
