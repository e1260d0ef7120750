package contracts_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/contracttest"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/memstate"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/ledger"
)

// auditor recomputes the app hash from scratch as docs/state.md describes,
// with nothing but SHA-256: it is the outside implementation the document
// promises is possible.
type auditor struct{}

func sha(parts ...[]byte) [32]byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func (auditor) root(leaves [][]byte) [32]byte {
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

func (a auditor) appHash(prev [32]byte, height uint64, res *contracts.BlockResult, txHashes [][32]byte) [32]byte {
	var wl [][]byte
	for _, w := range res.Writes {
		l := bytesField(w.Key)
		if w.Value == nil {
			l = append(l, 0)
		} else {
			l = append(append(l, 1), bytesField(w.Value)...)
		}
		wl = append(wl, l)
	}
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
	wr, rr := a.root(wl), a.root(rl)
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
	res, err := contracts.NewExecutor().ExecuteBlock(st, g.AppHash, contracts.BlockContext{ChainID: "qian-vector", Height: 1, Time: 1744300800e9}, txs)
	if err != nil {
		t.Fatal(err)
	}
	return g, res, txs
}

func TestAppHashVector(t *testing.T) {
	g, res, txs := vector(t)
	const (
		wantGenesis = "ab6fab8c3711ac34f51e9c4c77554702129c175f32419de4bb3fce5037af8b80"
		wantBlock1  = "40524db8b84548e90d4ebca181da03ce36b3b402cc805469f3da8c38c28e2ee4"
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
	a := auditor{}
	if got := a.appHash([32]byte{}, 0, &contracts.BlockResult{Writes: g.Writes}, nil); got != g.AppHash {
		t.Fatalf("auditor genesis %x", got)
	}
	hs := [][32]byte{txs[0].Hash(), txs[1].Hash()}
	if got := a.appHash(g.AppHash, 1, res, hs); got != res.AppHash {
		t.Fatalf("auditor block 1 %x", got)
	}
	t.Logf("genesis %s (%d writes); block 1 %s (%d writes); first write key %s", g.AppHash, len(g.Writes), res.AppHash, len(res.Writes), hex.EncodeToString(g.Writes[0].Key))
}
