package snapshot

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/statedigest"
	"github.com/qianchain/qianchain/ledger/store"
)

// chain is a real Pebble store fed by ledgertest blocks whose app hashes
// follow docs/state.md section 2 over a toy application: block h sets
// "k/h", rewrites "count", deletes "k/(h-3)", and every result is OK. It
// keeps the state and its Sum the way the executor does, so a snapshot of
// it verifies as one of a contracts chain would.
type chain struct {
	t       testing.TB
	st      *store.Store
	c       *ledgertest.Chain
	anchor  Anchor
	state   map[string][]byte
	sum     statedigest.Sum
	app     ledger.Hash
	txs     map[ledger.Hash][2]uint64 // hash -> height, position
	genesis []store.Write
	writes  map[uint64][]store.Write   // each block's writes
	sums    map[uint64]statedigest.Sum // the Sum after each block
	dir     string                     // the store's directory
	// wide: each transaction also sets one state entry of about 200
	// bytes (as a notary anchor does), for measurements.
	wide bool
}

func newChain(t testing.TB) *chain {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := ledgertest.NewChain("qian-snapshot-test", 4)
	ch := &chain{t: t, st: st, c: c, dir: dir, state: map[string][]byte{}, txs: map[ledger.Hash][2]uint64{},
		writes: map[uint64][]store.Write{}, sums: map[uint64]statedigest.Sum{},
		anchor: Anchor{Chain: c.Identity, Validators: c.Validators}}
	ch.genesis = []store.Write{{Key: []byte("x/chain_id"), Value: []byte(c.ChainID())}, {Key: []byte("founder"), Value: []byte("farm")}}
	var h statedigest.Hasher
	for _, w := range ch.genesis {
		ch.state[string(w.Key)] = w.Value
		h.AddState(&ch.sum, w.Key, w.Value)
	}
	ch.app = proof.AppHashLink(ledger.ZeroHash, 0, store.WritesRoot(ch.genesis, ch.sum.Digest()), ledger.Hash(merkle.EmptyRoot))
	if err := st.InitGenesis(c.Identity.GenesisHash(), c.Validators, ch.genesis, ch.app); err != nil {
		t.Fatal(err)
	}
	c.SetAppHash(ch.app)
	return ch
}

// block commits the next block with n transactions; with schedule, the
// block approves a new validator set, which signs from two heights on.
func (ch *chain) block(n int, schedule bool) {
	ch.t.Helper()
	h := ch.c.Height() + 1
	var txs []*ledger.Tx
	results := make([][]byte, n)
	leaves := make([]merkle.Hash, n)
	for j := 0; j < n; j++ {
		txs = append(txs, ch.c.Tx(uint64(j%5+1), h*1000+uint64(j), []byte(fmt.Sprintf("payload %d/%d", h, j))))
		results[j] = proof.EncodeResult(&proof.Result{TxHash: txs[j].Hash(), Code: "OK"})
		leaves[j] = merkle.LeafHash(results[j])
	}
	ws := []store.Write{
		{Key: []byte(fmt.Sprintf("k/%03d", h)), Value: []byte(fmt.Sprint(h))},
		{Key: []byte("count"), Value: []byte(fmt.Sprint(h))},
	}
	if h > 3 {
		ws = append(ws, store.Write{Key: []byte(fmt.Sprintf("k/%03d", h-3))})
	}
	if ch.wide {
		for _, tx := range txs {
			th := tx.Hash()
			ws = append(ws, store.Write{Key: append([]byte("n/a/"), th[:]...), Value: bytes.Repeat(th[:], 6)})
		}
	}
	sort.Slice(ws, func(i, j int) bool { return string(ws[i].Key) < string(ws[j].Key) })
	var hs statedigest.Hasher
	for _, w := range ws {
		if old, ok := ch.state[string(w.Key)]; ok {
			hs.RemoveState(&ch.sum, w.Key, old)
			delete(ch.state, string(w.Key))
		}
		if w.Value != nil {
			hs.AddState(&ch.sum, w.Key, w.Value)
			ch.state[string(w.Key)] = w.Value
		}
	}
	for j, tx := range txs {
		hs.AddTx(&ch.sum, tx.Hash(), h, uint32(j))
		ch.txs[tx.Hash()] = [2]uint64{h, uint64(j)}
	}
	blk, cmt := ch.c.Next(txs)
	var next *ledger.ValidatorSet
	if schedule {
		keys := make([]ledger.PrivateKey, 4)
		for i := range keys {
			keys[i] = ledgertest.Key(uint64(2000 + 10*h + uint64(i)))
		}
		next = ch.c.Schedule(keys, nil)
	}
	ch.app = proof.AppHashLink(ch.app, h, store.WritesRoot(ws, ch.sum.Digest()), ledger.Hash(merkle.Root(leaves)))
	sum := ch.sum
	ch.writes[h], ch.sums[h] = ws, sum
	if err := ch.st.CommitBlock(&store.Committed{Block: blk, Commit: cmt, Results: results, Writes: ws, AppHash: ch.app, State: &sum, NextValidators: next}); err != nil {
		ch.t.Fatal(err)
	}
	ch.c.SetAppHash(ch.app)
}

// blocks commits n blocks of 3 transactions.
func (ch *chain) blocks(n int) {
	for i := 0; i < n; i++ {
		ch.block(3, false)
	}
}

// replay commits the original's blocks from..to into st, as block sync
// would after executing them.
func (ch *chain) replay(t *testing.T, st *store.Store, from, to uint64) {
	t.Helper()
	for h := from; h <= to; h++ {
		blk, err := ch.st.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		cmt, _ := ch.st.Commit(h)
		res, _ := ch.st.TxResults(h, len(blk.Txs))
		app, _ := ch.st.AppHash(h)
		sum := ch.sums[h]
		var next *ledger.ValidatorSet
		if s, err := ch.st.ValidatorSet(h + 2); err == nil && h+2 <= ch.st.Height()+2 {
			if cur, _ := ch.st.ValidatorSet(h + 1); cur.Hash() != s.Hash() {
				next = s
			}
		}
		if err := st.CommitBlock(&store.Committed{Block: blk, Commit: cmt, Results: res, AppHash: app, Writes: ch.writes[h], State: &sum, NextValidators: next}); err != nil {
			t.Fatalf("commit %d after the restore: %v", h, err)
		}
	}
}
