package mempool

import (
	"strings"
	"testing"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/sigcache"
)

const chainID = "qian-test"

type fixture struct {
	st    *store.Store
	chain *ledgertest.Chain
	mp    *Mempool
	deny  map[ledger.PublicKey]bool // senders the pre-check rejects
}

// commitToLedger stores the next block, holding txs, as the chain host
// would before it calls Update.
func (f *fixture) commitToLedger(t *testing.T, txs []*ledger.Tx) *ledger.Block {
	t.Helper()
	blk, cmt := f.chain.Next(txs)
	results := make([][]byte, len(txs))
	for i := range results {
		h := txs[i].Hash()
		results[i] = append(h[:], 0)
	}
	if err := f.st.CommitBlock(&store.Committed{Block: blk, Commit: cmt, Results: results}); err != nil {
		t.Fatal(err)
	}
	return blk
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	st, err := store.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.InitGenesis(ledger.Hash{1}, ledgertest.NewChain("qian-test", 1).Validators, nil, ledger.Hash{}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, chain: ledgertest.NewChain(chainID, 4), deny: map[ledger.PublicKey]bool{}}
	cfg.ChainID = chainID
	if cfg.MaxTxs == 0 {
		cfg.MaxTxs = 100
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = 1 << 20
	}
	if cfg.MaxPerSender == 0 {
		cfg.MaxPerSender = 100
	}
	if cfg.MaxTxBytes == 0 {
		cfg.MaxTxBytes = 4096
	}
	f.mp = New(cfg, st, sigcache.New(1000), func(tx *ledger.Tx) (any, error) {
		if f.deny[tx.Sender] {
			return nil, &Error{Code: "ERR_KEY_REVOKED", Message: "revoked"}
		}
		return "checked " + string(tx.Payload), nil
	})
	return f
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func TestAdmissionRejections(t *testing.T) {
	f := newFixture(t, Config{MaxPerSender: 2})
	good := f.chain.Tx(1, 1, []byte("a"))
	if _, _, err := f.mp.Add(good.Encode()); err != nil {
		t.Fatal(err)
	}

	_, _, err := f.mp.Add([]byte{0x01, 0x02})
	wantCode(t, err, ErrDecode)

	_, _, err = f.mp.Add(make([]byte, 5000))
	wantCode(t, err, ErrTxTooLarge)

	other := &ledger.Tx{ChainID: "elsewhere", Nonce: 1, Contract: "test", Method: "put"}
	_ = other.Sign(ledgertest.Key(1))
	_, _, err = f.mp.Add(other.Encode())
	wantCode(t, err, ErrWrongChain)

	forged := *f.chain.Tx(1, 2, []byte("b"))
	forged.Sig[0] ^= 1
	_, _, err = f.mp.Add(forged.Encode())
	wantCode(t, err, ErrBadSignature)

	_, _, err = f.mp.Add(good.Encode())
	wantCode(t, err, ErrDuplicateTx)

	if _, _, err := f.mp.Add(f.chain.Tx(1, 3, nil).Encode()); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.mp.Add(f.chain.Tx(1, 4, nil).Encode())
	wantCode(t, err, ErrSenderLimit)

	f.deny[ledgertest.Key(2).PublicKey()] = true
	_, _, err = f.mp.Add(f.chain.Tx(2, 1, nil).Encode())
	wantCode(t, err, "ERR_KEY_REVOKED")

	if n, _ := f.mp.Size(); n != 2 {
		t.Fatalf("mempool holds %d, want 2", n)
	}
}

func TestCapacity(t *testing.T) {
	f := newFixture(t, Config{MaxTxs: 3})
	for i := uint64(0); i < 3; i++ {
		if _, _, err := f.mp.Add(f.chain.Tx(i+1, i, nil).Encode()); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := f.mp.Add(f.chain.Tx(9, 9, nil).Encode())
	wantCode(t, err, ErrMempoolFull)

	tx := f.chain.Tx(1, 1, make([]byte, 300))
	g := newFixture(t, Config{MaxBytes: len(tx.Encode()) + 10})
	if _, _, err := g.mp.Add(tx.Encode()); err != nil {
		t.Fatal(err)
	}
	_, _, err = g.mp.Add(g.chain.Tx(2, 1, make([]byte, 300)).Encode())
	wantCode(t, err, ErrMempoolFull)
}

func TestReapOrderAndLimits(t *testing.T) {
	f := newFixture(t, Config{})
	var want []ledger.Hash
	for i := uint64(0); i < 10; i++ {
		tx := f.chain.Tx(i%3+1, i, []byte{byte(i)})
		if _, _, err := f.mp.Add(tx.Encode()); err != nil {
			t.Fatal(err)
		}
		want = append(want, tx.Hash())
	}
	got := f.mp.Reap(4, 1<<20)
	if len(got) != 4 {
		t.Fatalf("reaped %d", len(got))
	}
	for i, tx := range got {
		if tx.Hash() != want[i] {
			t.Fatalf("reap order differs at %d", i)
		}
	}
	size := len(got[0].Encode())
	if n := len(f.mp.Reap(100, 2*size+size/2)); n != 2 {
		t.Fatalf("byte limit: reaped %d", n)
	}
}

// Committed transactions leave; a replay of one is refused by the ledger
// check; the recheck drops what the new state refuses.
func TestUpdateAndReplay(t *testing.T) {
	f := newFixture(t, Config{})
	var txs []*ledger.Tx
	for i := uint64(0); i < 6; i++ {
		tx := f.chain.Tx(i%3+1, i, nil)
		txs = append(txs, tx)
		if _, _, err := f.mp.Add(tx.Encode()); err != nil {
			t.Fatal(err)
		}
	}
	blk := f.commitToLedger(t, txs[:2])
	f.deny[txs[5].Sender] = true // sender 3 revoked by that block, say
	dropped := f.mp.Update(blk.Txs, true)
	if dropped != 2 { // txs[2] and txs[5] are sender 3's
		t.Fatalf("recheck dropped %d, want 2", dropped)
	}
	if n, _ := f.mp.Size(); n != 2 {
		t.Fatalf("mempool holds %d, want 2", n)
	}
	_, _, err := f.mp.Add(txs[0].Encode())
	wantCode(t, err, ErrAlreadyCommitted)
	for _, tx := range f.mp.Reap(10, 1<<20) {
		if tx.Sender == txs[5].Sender {
			t.Fatal("revoked sender's tx still reaped")
		}
	}
}

// What the pre-check made of a transaction (the contracts' decoded payload)
// stays with it, by hash, until the transaction leaves: execution asks for
// it with the hash of the block's transaction, whoever proposed the block.
func TestCheckedTravelsWithTheTransaction(t *testing.T) {
	f := newFixture(t, Config{})
	a, b := f.chain.Tx(1, 1, []byte("a")), f.chain.Tx(2, 1, []byte("b"))
	res := f.mp.AddBatch([][]byte{a.Encode(), b.Encode()})
	if res[0].Err != nil || res[1].Err != nil {
		t.Fatal(res[0].Err, res[1].Err)
	}
	// A peer's block decodes into new values: only the hash links them.
	peers, err := ledger.DecodeTx(a.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if got := f.mp.Checked(peers.Hash()); got != "checked a" {
		t.Fatalf("Checked(a) = %v, want the pre-check's value", got)
	}
	if got := f.mp.Checked(f.chain.Tx(3, 1, []byte("a")).Hash()); got != nil {
		t.Fatalf("Checked of a transaction never admitted = %v, want nil", got)
	}
	f.mp.Update([]*ledger.Tx{a}, false)
	if got := f.mp.Checked(a.Hash()); got != nil {
		t.Fatalf("Checked after commit = %v, want nil", got)
	}
	if got := f.mp.Checked(b.Hash()); got != "checked b" {
		t.Fatalf("Checked(b) = %v after another's commit", got)
	}
	if _, err := f.mp.AddTx(f.chain.Tx(3, 2, []byte("c")), 100); err != nil {
		t.Fatal(err)
	}
	if got := f.mp.Checked(f.chain.Tx(3, 2, []byte("c")).Hash()); got != "checked c" {
		t.Fatalf("Checked after AddTx = %v", got)
	}
}

// Without a membership change the recheck is skipped: the pre-check is not
// run again for what the mempool already holds.
func TestUpdateWithoutRecheckKeepsTheRest(t *testing.T) {
	f := newFixture(t, Config{})
	var txs []*ledger.Tx
	for i := uint64(0); i < 4; i++ {
		tx := f.chain.Tx(i+1, i, nil)
		txs = append(txs, tx)
		if _, _, err := f.mp.Add(tx.Encode()); err != nil {
			t.Fatal(err)
		}
	}
	f.deny[txs[3].Sender] = true
	if dropped := f.mp.Update(txs[:1], false); dropped != 0 {
		t.Fatalf("dropped %d without a recheck", dropped)
	}
	if n, _ := f.mp.Size(); n != 3 {
		t.Fatalf("mempool holds %d, want 3", n)
	}
	if dropped := f.mp.Update(nil, true); dropped != 1 {
		t.Fatalf("recheck dropped %d, want 1", dropped)
	}
}

// A batch gets one result per transaction, in order, with the same codes as
// one-by-one admission; repeats within the batch are duplicates.
func TestAddBatch(t *testing.T) {
	f := newFixture(t, Config{})
	good := f.chain.Tx(1, 1, []byte("a"))
	forged := *f.chain.Tx(1, 2, []byte("b"))
	forged.Sig[0] ^= 1
	other := &ledger.Tx{ChainID: "elsewhere", Nonce: 1, Contract: "test", Method: "put"}
	_ = other.Sign(ledgertest.Key(3))
	raws := [][]byte{good.Encode(), {0xff}, forged.Encode(), other.Encode(), good.Encode(), f.chain.Tx(2, 1, nil).Encode()}
	res := f.mp.AddBatch(raws)
	want := []string{"", ErrDecode, ErrBadSignature, ErrWrongChain, ErrDuplicateTx, ""}
	for i, r := range res {
		if CodeOf(r.Err) != want[i] || (want[i] == "" && r.Err != nil) {
			t.Errorf("item %d: got %v, want %q", i, r.Err, want[i])
		}
	}
	if n, _ := f.mp.Size(); n != 2 {
		t.Fatalf("mempool holds %d, want 2", n)
	}
}

// A transaction whose block commits while its admission is in flight (after
// the ledger check, before the insert) must not stay in the mempool: every
// block proposed from it would be refused.
func TestAdmissionRacingItsCommit(t *testing.T) {
	f := newFixture(t, Config{})
	tx := f.chain.Tx(1, 1, []byte("racing"))
	h := tx.Hash()
	// The admission has passed its ledger check...
	if err := f.mp.precheck(tx, h, len(tx.Encode()), false); err != nil {
		t.Fatal(err)
	}
	// ...then the block carrying the transaction commits...
	blk := f.commitToLedger(t, []*ledger.Tx{tx})
	f.mp.Update(blk.Txs, false)
	// ...and only now does the admission insert.
	if err := f.mp.insert(tx, h, len(tx.Encode()), nil, 0, false); CodeOf(err) != ErrAlreadyCommitted {
		t.Fatalf("insert after the commit: %v", err)
	}
	if f.mp.Has(h) {
		t.Fatal("the mempool holds a committed transaction")
	}
}

// An admission slower than recentBlocks blocks still cannot insert a
// transaction committed meanwhile: insert asks the ledger again.
func TestSlowAdmissionRacingItsCommit(t *testing.T) {
	f := newFixture(t, Config{})
	tx := f.chain.Tx(1, 1, []byte("slow"))
	h := tx.Hash()
	if err := f.mp.precheck(tx, h, len(tx.Encode()), false); err != nil {
		t.Fatal(err)
	}
	blk := f.commitToLedger(t, []*ledger.Tx{tx})
	f.mp.Update(blk.Txs, false)
	for i := 0; i < recentBlocks; i++ { // later blocks push it out of recent
		f.commitToLedger(t, nil)
		f.mp.Update(nil, false)
	}
	if err := f.mp.insert(tx, h, len(tx.Encode()), nil, 0, false); CodeOf(err) != ErrAlreadyCommitted {
		t.Fatalf("insert long after the commit: %v", err)
	}
}

// Known offers a waiting transaction for its encoding (what a block's
// decoder asks, before hashing), and stops once the transaction leaves;
// a block decoded with it shares the mempool's transactions.
func TestKnownOffersWaitingTransactions(t *testing.T) {
	f := newFixture(t, Config{})
	a, b := f.chain.Tx(1, 1, nil), f.chain.Tx(2, 2, nil)
	admitted, _, err := f.mp.Add(a.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if got := f.mp.Known(a.Encode()); got != admitted {
		t.Fatalf("Known(a's encoding) = %p, want the admitted transaction %p", got, admitted)
	}
	if got := f.mp.Known(b.Encode()); got != nil {
		t.Fatal("Known offered a transaction for one never admitted")
	}
	if got := f.mp.Known([]byte("short")); got != nil {
		t.Fatal("Known offered a transaction for bytes shorter than a signature")
	}
	blk, _ := f.chain.Next([]*ledger.Tx{a, b})
	dec, err := ledger.DecodeBlockKnown(blk.Encode(), f.mp.Known)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Txs[0] != admitted || dec.Txs[1] == nil || dec.Txs[1].Hash() != b.Hash() {
		t.Fatal("the decoded block does not share the waiting transaction, or lost the other")
	}
	f.mp.Update([]*ledger.Tx{a}, false)
	if got := f.mp.Known(a.Encode()); got != nil {
		t.Fatal("Known still offers a transaction that left the mempool")
	}
}

// A client's transaction is refused once the mempool holds its capacity
// less the relay reserve; a peer's relay may still fill the reserve, and
// nothing more.
func TestRelayReserveIsForPeersRelays(t *testing.T) {
	f := newFixture(t, Config{MaxTxs: 4, RelayReserve: 2})
	for i := uint64(0); i < 2; i++ {
		if _, _, err := f.mp.Add(f.chain.Tx(i+1, i, nil).Encode()); err != nil {
			t.Fatalf("client transaction %d within the clients' share: %v", i, err)
		}
	}
	_, _, err := f.mp.Add(f.chain.Tx(3, 2, nil).Encode())
	wantCode(t, err, ErrMempoolFull)
	relayed := [][]byte{f.chain.Tx(3, 2, nil).Encode(), f.chain.Tx(4, 3, nil).Encode(), f.chain.Tx(5, 4, nil).Encode()}
	res := f.mp.AddRelayed(relayed)
	if res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("relays within the reserve refused: %v, %v", res[0].Err, res[1].Err)
	}
	wantCode(t, res[2].Err, ErrMempoolFull)
	if n, _ := f.mp.Size(); n != 4 {
		t.Fatalf("mempool holds %d, want 4", n)
	}
}

// Without another validator to relay (SetRelayPeers(false)) the reserve
// is lifted and clients may fill the mempool; with one again it holds for
// what arrives after.
func TestRelayReserveFollowsTheRelayPeers(t *testing.T) {
	f := newFixture(t, Config{MaxTxs: 4, RelayReserve: 2})
	f.mp.SetRelayPeers(false)
	for i := uint64(0); i < 3; i++ {
		if _, _, err := f.mp.Add(f.chain.Tx(i+1, i, nil).Encode()); err != nil {
			t.Fatalf("client transaction %d with no reserve: %v", i, err)
		}
	}
	f.mp.SetRelayPeers(true)
	_, _, err := f.mp.Add(f.chain.Tx(4, 3, nil).Encode())
	wantCode(t, err, ErrMempoolFull)
	if !strings.Contains(err.Error(), "2 of its 4") {
		t.Fatalf("the refusal does not name the reserve: %v", err)
	}
	if res := f.mp.AddRelayed([][]byte{f.chain.Tx(4, 3, nil).Encode()}); res[0].Err != nil {
		t.Fatalf("a relay within the reserve: %v", res[0].Err)
	}
}

// A lone validator's proposal leaves room for the clients' next block
// until the commit: Propose sets its transactions aside from the capacity,
// Reap does not, and a commit (of that block or another) ends the
// proposal.
func TestProposalLeavesRoom(t *testing.T) {
	f := newFixture(t, Config{MaxTxs: 3})
	f.mp.SetRelayPeers(false) // a lone validator
	var txs []*ledger.Tx
	add := func(sender, nonce uint64) error {
		tx := f.chain.Tx(sender, nonce, nil)
		_, _, err := f.mp.Add(tx.Encode())
		if err == nil {
			txs = append(txs, tx)
		}
		return err
	}
	for i := uint64(0); i < 3; i++ {
		if err := add(i+1, 0); err != nil {
			t.Fatal(err)
		}
	}
	f.mp.Reap(2, 1<<20)
	wantCode(t, add(4, 0), ErrMempoolFull)

	if got := f.mp.Propose(2, 1<<20); len(got) != 2 || got[0].Hash() != txs[0].Hash() || got[1].Hash() != txs[1].Hash() {
		t.Fatalf("proposed %d transactions, want the 2 oldest", len(got))
	}
	for i := uint64(0); i < 2; i++ {
		if err := add(5+i, 0); err != nil {
			t.Fatalf("client transaction %d while 2 are proposed: %v", i, err)
		}
	}
	wantCode(t, add(7, 0), ErrMempoolFull)
	if n, _ := f.mp.Size(); n != 5 {
		t.Fatalf("mempool holds %d, want 5 (3 waiting, 2 proposed)", n)
	}

	// A later round's proposal replaces the count: 4 proposed, 1 waiting.
	if got := f.mp.Propose(4, 1<<20); len(got) != 4 {
		t.Fatalf("proposed %d of 5, want 4", len(got))
	}
	for i := uint64(0); i < 2; i++ {
		if err := add(7+i, 0); err != nil {
			t.Fatalf("client transaction %d while 4 are proposed: %v", i, err)
		}
	}
	wantCode(t, add(9, 0), ErrMempoolFull)
	// And a smaller one: 3 proposed (txs 0-2), 4 waiting.
	f.mp.Propose(3, 1<<20)
	checkProposed(t, f.mp, 3)
	wantCode(t, add(9, 0), ErrMempoolFull)

	// Two waiting leave (found committed by a proposer, say): 2 wait,
	// room for one.
	f.mp.Remove([]ledger.Hash{txs[3].Hash(), txs[4].Hash()})
	if err := add(9, 0); err != nil {
		t.Fatalf("with 2 waiting: %v", err)
	}
	// One proposed leaves: 3 wait again.
	f.mp.Remove([]ledger.Hash{txs[0].Hash()})
	checkProposed(t, f.mp, 2)
	wantCode(t, add(10, 0), ErrMempoolFull)

	// Another block commits, none of the proposal's: the proposal's 2
	// count again, 4 wait where 3 fit.
	blk := f.commitToLedger(t, txs[5:6])
	f.mp.Update(blk.Txs, false)
	if n, _ := f.mp.Size(); n != 4 {
		t.Fatalf("mempool holds %d after the commit, want 4", n)
	}
	checkProposed(t, f.mp, 0)
	wantCode(t, add(10, 0), ErrMempoolFull)
	// The ended proposal's two leave: nothing counts them twice.
	f.mp.Remove([]ledger.Hash{txs[1].Hash(), txs[2].Hash()})
	checkProposed(t, f.mp, 0)
	if err := add(10, 0); err != nil {
		t.Fatalf("with 2 waiting: %v", err)
	}
}

// This node's own block commits: its transactions leave, and the room they
// made is the clients' for good.
func TestProposalCommitted(t *testing.T) {
	f := newFixture(t, Config{MaxTxs: 2})
	f.mp.SetRelayPeers(false) // a lone validator
	var txs []*ledger.Tx
	for i := uint64(0); i < 4; i++ {
		tx := f.chain.Tx(i+1, 0, nil)
		if i == 2 {
			f.mp.Propose(2, 1<<20)
		}
		if _, _, err := f.mp.Add(tx.Encode()); err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
		txs = append(txs, tx)
	}
	blk := f.commitToLedger(t, txs[:2])
	f.mp.Update(blk.Txs, false)
	checkProposed(t, f.mp, 0)
	if n, _ := f.mp.Size(); n != 2 {
		t.Fatalf("mempool holds %d, want 2", n)
	}
	_, _, err := f.mp.Add(f.chain.Tx(5, 0, nil).Encode())
	wantCode(t, err, ErrMempoolFull)
}

// MaxBytes is a memory bound: a proposal's transactions still count there.
func TestProposalKeepsTheByteLimit(t *testing.T) {
	size := len(ledgertest.NewChain(chainID, 4).Tx(1, 0, nil).Encode())
	f := newFixture(t, Config{MaxTxs: 10, MaxBytes: 2*size + size/2})
	f.mp.SetRelayPeers(false) // a lone validator
	for i := uint64(0); i < 2; i++ {
		if _, _, err := f.mp.Add(f.chain.Tx(i+1, 0, nil).Encode()); err != nil {
			t.Fatal(err)
		}
	}
	f.mp.Propose(2, 1<<20)
	_, _, err := f.mp.Add(f.chain.Tx(3, 0, nil).Encode())
	wantCode(t, err, ErrMempoolFull)
}

// checkProposed fails unless the mempool counts want proposed transactions
// and flags exactly that many of those it holds.
func checkProposed(t *testing.T, m *Mempool, want int) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	flagged := 0
	for _, e := range m.queue {
		if !e.removed && e.proposed {
			flagged++
		}
	}
	if m.proposed != want || flagged != want {
		t.Fatalf("proposed count %d, flagged %d, want %d", m.proposed, flagged, want)
	}
}

// A validator with relay peers sets nothing aside: they hold the same
// transactions, counted.
func TestProposalWithRelayPeers(t *testing.T) {
	f := newFixture(t, Config{MaxTxs: 2})
	for i := uint64(0); i < 2; i++ {
		if _, _, err := f.mp.Add(f.chain.Tx(i+1, 0, nil).Encode()); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.mp.Propose(2, 1<<20); len(got) != 2 {
		t.Fatalf("proposed %d, want 2", len(got))
	}
	checkProposed(t, f.mp, 0)
	_, _, err := f.mp.Add(f.chain.Tx(3, 0, nil).Encode())
	wantCode(t, err, ErrMempoolFull)
}
