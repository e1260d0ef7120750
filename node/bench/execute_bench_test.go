package bench

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/ledgertest"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
)

// BenchmarkExecuteAndStoreBlock measures the commit path of one node for a
// block of 3,000 bench transactions on a real Pebble store: the contracts'
// execution (reading state from Pebble) and the synced batch. Signatures are
// not checked here (the node checks them before).
func BenchmarkExecuteAndStoreBlock(b *testing.B) {
	for _, kind := range []string{KindNotary, KindTrace} {
		b.Run(kind, func(b *testing.B) { benchExecute(b, kind, 3000) })
	}
}

func benchExecute(b *testing.B, kind string, perBlock int) {
	const chainID = "qian-bench"
	admins := map[membership.Role]ledger.PrivateKey{}
	var orgs []genesis.Organisation
	for i, o := range demo.Founding {
		k := ledgertest.Key(uint64(500 + i))
		admins[o.Role] = k
		spec := o.Spec(string(o.Role), k.PublicKey())
		roles := make([]genesis.Role, len(spec.Roles))
		for j, r := range spec.Roles {
			roles[j] = genesis.Role(r)
		}
		orgs = append(orgs, genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: roles, GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins})
	}
	doc := &genesis.Doc{ChainID: chainID, GenesisTime: time.Unix(1764000000, 0), Consensus: genesis.DefaultConsensusParams(), Organisations: orgs}
	chain := ledgertest.NewChain(chainID, 4)
	for i, k := range chain.Keys {
		doc.Validators = append(doc.Validators, genesis.Validator{Name: fmt.Sprint("v", i), PubKey: k.PublicKey(), PeerID: benchPeer(b, i), Power: 10, Org: orgs[i].ID})
	}
	app := node.NewContractsApp()
	st, err := store.Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	writes, appHash, err := app.Genesis(doc)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.InitGenesis(ledger.Hash{}, chain.Validators, writes, appHash); err != nil {
		b.Fatal(err)
	}
	commit := func(txs []*ledger.Tx) (exec, store time.Duration) {
		prev, _ := st.AppHash(st.Height())
		chain.SetAppHash(prev)
		blk, cmt := chain.Next(txs)
		t0 := time.Now()
		ex, err := app.Execute(st, prev, &blk.Header, blk.Txs)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := st.CommitBlock(storeCommittedOf(blk, cmt, ex)); err != nil {
			b.Fatal(err)
		}
		return t1.Sub(t0), time.Since(t1)
	}
	// Register the operator accounts.
	var accounts []account
	var reg []*ledger.Tx
	for _, org := range demo.Founding {
		kindOf := KindNotary
		if traceRole(org.Role) {
			kindOf = KindTrace
		}
		for i := 0; i < 8; i++ {
			k := operatorKey(admins[org.Role], i)
			accounts = append(accounts, account{org: org, key: k, pub: k.PublicKey(), kind: kindOf})
			p := &membership.AddAccount{Key: k.PublicKey(), Role: membership.Operator, Label: fmt.Sprint("bench ", i)}
			tx := &ledger.Tx{ChainID: chainID, Nonce: uint64(len(reg)), Contract: membership.Contract, Method: membership.MethodAddAccount, Payload: p.Encode()}
			_ = tx.Sign(admins[org.Role])
			reg = append(reg, tx)
		}
	}
	commit(reg)
	txs, err := generate(chainID, kind, accounts, perBlock*b.N, "exec")
	if err != nil {
		b.Fatal(err)
	}
	var execT, storeT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, s := commit(txs[i*perBlock : (i+1)*perBlock])
		execT += e
		storeT += s
	}
	n := float64(b.N * perBlock)
	b.ReportMetric(float64(execT.Microseconds())/n, "µs-exec/tx")
	b.ReportMetric(float64(storeT.Microseconds())/n, "µs-store/tx")
}

// storeCommitted adapts an execution to the store's batch.
func storeCommittedOf(blk *ledger.Block, cmt *ledger.Commit, ex *node.Execution) *store.Committed {
	return &store.Committed{Block: blk, Commit: cmt, Results: ex.Results, Writes: ex.Writes, AppHash: ex.AppHash}
}

// benchPeer is node i's peer id (no node runs: only its form matters).
func benchPeer(b *testing.B, i int) peer.ID {
	sk, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32)))
	if err != nil {
		b.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(sk)
	if err != nil {
		b.Fatal(err)
	}
	return id
}
