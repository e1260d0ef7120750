package contracts_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"

	"lukechampine.com/blake3"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/memstate"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
)

// auditor recomputes the app hash from scratch as docs/state.md describes,
// with nothing but SHA-256 and BLAKE3: it is the outside implementation the
// document promises is possible. It computes the state digest from the
// whole state, lane by lane, where the executor updates it block by block.
type auditor struct {
	state map[string][]byte // the contract state after the last block
	txs   [][]byte          // the element data of every committed transaction
}

// stateDigest is docs/state.md's state digest of a.state and a.txs.
func (a *auditor) stateDigest() [32]byte {
	key := sha([]byte("qian/state/element/v1"))
	var lanes [1024]uint16
	add := func(data []byte) {
		h := blake3.New(32, key[:])
		h.Write(data)
		buf := make([]byte, 2048)
		h.XOF().Read(buf)
		for i := range lanes {
			lanes[i] += binary.LittleEndian.Uint16(buf[2*i:])
		}
	}
	for k, v := range a.state { // order does not matter: that is the point
		add(append(append([]byte{1}, bytesField([]byte(k))...), bytesField(v)...))
	}
	for _, t := range a.txs {
		add(t)
	}
	enc := make([]byte, 0, 2048)
	for _, l := range lanes {
		enc = binary.LittleEndian.AppendUint16(enc, l)
	}
	tag := sha([]byte("qian/state/v1"))
	return sha(tag[:], tag[:], enc)
}

// apply records a block's writes and transactions.
func (a *auditor) apply(height uint64, res *contracts.BlockResult, txHashes [][32]byte) {
	if a.state == nil {
		a.state = map[string][]byte{}
	}
	for _, w := range res.Writes {
		if w.Value == nil {
			delete(a.state, string(w.Key))
		} else {
			a.state[string(w.Key)] = w.Value
		}
	}
	for i, h := range txHashes {
		d := append([]byte{2}, h[:]...)
		d = binary.BigEndian.AppendUint64(d, height)
		a.txs = append(a.txs, binary.BigEndian.AppendUint32(d, uint32(i)))
	}
}

func sha(parts ...[]byte) [32]byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func (*auditor) root(leaves [][]byte) [32]byte {
	if len(leaves) == 0 {
		return sha()
	}
	level := make([][32]byte, len(leaves))
	for i, l := range leaves {
		level[i] = sha([]byte{0}, l)
	}
	for len(level) > 1 {
		var next [][32]byte
		for i := 0; i+1 < len(level); i += 2 {
			next = append(next, sha([]byte{1}, level[i][:], level[i+1][:]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
	}
	return level[0]
}

func bytesField(b []byte) []byte { return append(binary.AppendUvarint(nil, uint64(len(b))), b...) }

// writesTree is the RFC 6962 root over the writes' leaves.
func (a *auditor) writesTree(writes []contracts.Write) [32]byte {
	var wl [][]byte
	for _, w := range writes {
		l := bytesField(w.Key)
		if w.Value == nil {
			l = append(l, 0)
		} else {
			l = append(append(l, 1), bytesField(w.Value)...)
		}
		wl = append(wl, l)
	}
	return a.root(wl)
}

// appHash applies the block and returns the app hash after it.
func (a *auditor) appHash(prev [32]byte, height uint64, res *contracts.BlockResult, txHashes [][32]byte) [32]byte {
	a.apply(height, res, txHashes)
	var rl [][]byte
	for i, r := range res.Results {
		l := append([]byte{}, txHashes[i][:]...)
		l = append(l, bytesField([]byte(r.Code))...)
		l = append(l, bytesField([]byte(r.Message))...)
		var evs []contracts.Event
		for _, e := range res.Events {
			if int(e.TxIndex) == i {
				evs = append(evs, e)
			}
		}
		l = binary.AppendUvarint(l, uint64(len(evs)))
		for _, e := range evs {
			l = append(l, bytesField([]byte(e.Type))...)
			l = binary.AppendUvarint(l, uint64(len(e.Attrs)))
			for _, at := range e.Attrs {
				l = append(l, bytesField([]byte(at.Key))...)
				l = append(l, bytesField([]byte(at.Value))...)
			}
		}
		rl = append(rl, l)
	}
	digest := a.stateDigest()
	wt, rr := a.writesTree(res.Writes), a.root(rl)
	dl := sha([]byte{0}, []byte{0}, digest[:])
	wr := sha([]byte{1}, wt[:], dl[:])
	tag := sha([]byte("qian/app/v1"))
	return sha(tag[:], tag[:], prev[:], binary.BigEndian.AppendUint64(nil, height), wr[:], rr[:])
}

// vector is the chain of docs/state.md's test vector: two organisations
// with keys derived from fixed names, then one block with a successful and
// a refused anchoring.
func vector(t *testing.T) (*contracts.GenesisResult, *contracts.BlockResult, []*ledger.Tx) {
	farm, dx := contracttest.Key("vector farm"), contracttest.Key("vector exchange")
	g, err := contracts.Genesis("qian-vector", []membership.OrgSpec{
		{ID: "farm", Name: "都匀螺丝壳生态茶园", Roles: []membership.Role{membership.Farm}, Prefixes: []string{"6923101"},
			GLNs: []string{"6923101000011"}, Admins: []ledger.PublicKey{farm.PublicKey()}},
		{ID: "data_exchange", Name: "贵阳大数据交易所", Roles: []membership.Role{membership.DataExchange}, Admins: []ledger.PublicKey{dx.PublicKey()}},
	}, []membership.Validator{
		{PubKey: contracttest.Key("vector validator").PublicKey(), Power: 10, Org: "farm", Name: "farm-node", PeerID: contracttest.PeerID("farm-node")},
	})
	if err != nil {
		t.Fatal(err)
	}
	st := memstate.New()
	st.Apply(g.Writes)
	anchor := (&notary.Anchor{Hash: ledger.Sum([]byte("hello, Guizhou")), Kind: notary.Evidence, Name: "hello.txt"}).Encode()
	txs := []*ledger.Tx{
		{ChainID: "qian-vector", Sender: farm.PublicKey(), Nonce: 0, Contract: notary.Contract, Method: notary.MethodAnchor, Payload: anchor},
		{ChainID: "qian-vector", Sender: dx.PublicKey(), Nonce: 0, Contract: notary.Contract, Method: notary.MethodAnchor, Payload: anchor},
	}
	res, err := contracts.NewExecutor().ExecuteBlock(st, g.Prior(), contracts.BlockContext{ChainID: "qian-vector", Height: 1, Time: 1744300800e9}, txs)
	if err != nil {
		t.Fatal(err)
	}
	return g, res, txs
}

func TestAppHashVector(t *testing.T) {
	g, res, txs := vector(t)
	const (
		wantGenesis = "f8a4b572ba99d1aa9325e9db7b0a023b84286e8643d46040269d9ea162c4bc69"
		wantBlock1  = "e23f22b096b5bc2a60882c875d2e26ceca20d018ae6ae22a8e385c43df5abf1e"
	)
	if got := g.AppHash.String(); got != wantGenesis {
		t.Errorf("genesis app hash %s, want %s", got, wantGenesis)
	}
	if got := res.AppHash.String(); got != wantBlock1 {
		t.Errorf("block 1 app hash %s, want %s", got, wantBlock1)
	}
	if res.Results[1].Code != "ERR_ALREADY_ANCHORED" {
		t.Fatalf("%+v", res.Results)
	}
	// The auditor's independent computation agrees.
	a := &auditor{}
	if got := a.appHash([32]byte{}, 0, &contracts.BlockResult{Writes: g.Writes}, nil); got != g.AppHash {
		t.Fatalf("auditor genesis %x", got)
	}
	hs := [][32]byte{txs[0].Hash(), txs[1].Hash()}
	if got := a.appHash(g.AppHash, 1, res, hs); got != res.AppHash {
		t.Fatalf("auditor block 1 %x", got)
	}
	t.Logf("genesis %s (%d writes, state digest %s); block 1 %s (%d writes, state digest %s); first write key %s",
		g.AppHash, len(g.Writes), g.State.Digest(), res.AppHash, len(res.Writes), res.State.Digest(), hex.EncodeToString(g.Writes[0].Key))
}

// ResultLeaves encodes every transaction's ResultLeaf into one buffer; each
// leaf must equal the one ResultLeaf encodes alone, with the transaction's
// own events whether the block's events come in transaction order (as
// execution emits them) or not, and appending to one leaf must not write
// over the next.
func TestResultLeavesAreEachTransactionsResultLeaf(t *testing.T) {
	ev := func(i uint32, typ string) contracts.Event {
		return contracts.Event{TxIndex: i, Type: typ, Attrs: []contracts.Attr{{Key: "k", Value: typ + "-value"}}}
	}
	hashes := []ledger.Hash{{1}, {2}, {3}, {4}}
	results := []contracts.TxResult{{Code: "OK"}, {Code: "ERR_X", Message: "no"}, {Code: "OK"}, {Code: "OK"}}
	inOrder := []contracts.Event{ev(0, "a"), ev(0, "b"), ev(2, "c"), ev(3, "d"), ev(3, "e")}
	shuffled := []contracts.Event{ev(3, "d"), ev(0, "a"), ev(2, "c"), ev(0, "b"), ev(3, "e")}
	for name, events := range map[string][]contracts.Event{"in order": inOrder, "out of order": shuffled} {
		own := make([][]contracts.Event, len(results))
		for _, e := range events {
			own[e.TxIndex] = append(own[e.TxIndex], e)
		}
		leaves := contracts.ResultLeaves(hashes, results, events)
		if len(leaves) != len(results) {
			t.Fatalf("%s: %d leaves for %d results", name, len(leaves), len(results))
		}
		for i := range results {
			if want := contracts.ResultLeaf(hashes[i], results[i], own[i]); string(leaves[i]) != string(want) {
				t.Errorf("%s: leaf %d is %x, want %x", name, i, leaves[i], want)
			}
		}
		next := string(leaves[1])
		_ = append(leaves[0], 0xff)
		if string(leaves[1]) != next {
			t.Errorf("%s: appending to leaf 0 changed leaf 1", name)
		}
	}
}

// ResultLeaves sizes its buffer from the leaves' lengths: four allocations
// (the events' split, the buffer, the ends, the windows) whatever the
// leaves hold, here attributes longer than a one-byte length and a message
// longer than a two-byte one. A short guess grows the buffer, each growth
// one allocation more (and a copy of everything before).
func TestResultLeavesAllocateTheirBufferOnce(t *testing.T) {
	long := string(make([]byte, 300))
	const n = 500
	hashes := make([]ledger.Hash, n)
	results := make([]contracts.TxResult, n)
	var events []contracts.Event
	for i := range results {
		results[i] = contracts.TxResult{Code: "OK"}
		events = append(events, contracts.Event{TxIndex: uint32(i), Type: "trace.event",
			Attrs: []contracts.Attr{{Key: "event", Value: long}, {Key: "object", Value: long}}})
	}
	results[7] = contracts.TxResult{Code: "ERR_X", Message: string(make([]byte, 20000))}
	if got := testing.AllocsPerRun(5, func() { contracts.ResultLeaves(hashes, results, events) }); got != 4 {
		t.Errorf("ResultLeaves allocated %v times, want 4", got)
	}
}

// A block's result carries the root over its writes that its app hash
// committed to (the store keeps it rather than hashing the writes again):
// the auditor's, for every block of the demo story, deletes among them.
func TestBlockResultsCarryTheirWritesTree(t *testing.T) {
	deletes := 0
	for i, res := range runStory(t, 3) {
		for _, w := range res.Writes {
			if w.Value == nil {
				deletes++
			}
		}
		if want := (&auditor{}).writesTree(res.Writes); res.WritesTree != want {
			t.Fatalf("block %d: writes tree %x, want %x", i, res.WritesTree, want)
		}
	}
	if deletes == 0 {
		t.Error("the story deleted nothing: the writes trees were not checked with deletes")
	}
}
