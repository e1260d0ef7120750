// Package audittest builds valid Qianchain chains for tests and benchmarks,
// fast and without a network: a node home (genesis.json and data/chain)
// whose blocks hold real signed transactions, executed by the production
// contracts (node.ContractsApp), and real commit certificates signed by the
// genesis validators' keys. It does what a node's commit path does, minus
// consensus and gossip; a hook lets a test make a block that faulty
// validators would sign. Imported only from tests.
package audittest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/merkle"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/config"
)

// ChainID is the chain id of every test chain.
const ChainID = "qian-audit-test"

// Chain is a node home being written.
type Chain struct {
	Home    string
	Doc     *genesis.Doc
	ValKeys []ledger.PrivateKey // by validator index
	OrgKeys demo.Keys           // the founding organisations' admin keys
	Store   *store.Store        // nil after Close

	t     testing.TB
	chain ledger.ChainIdentity // Doc's, which the validators sign
	app   *node.ContractsApp
	vals  *ledger.ValidatorSet // the genesis set
	// spans is the set of each height (from, set), as the contracts
	// scheduled them; keys every validator key the test holds, by public
	// key (genesis keys and those AddKey adds), to sign with the set of
	// each height.
	spans    []store.SetSpan
	keys     map[ledger.PublicKey]ledger.PrivateKey
	appHash  ledger.Hash
	prevHash ledger.Hash
	prevCmt  *ledger.Commit
	time     int64
	nonce    uint64
}

// Key derives a deterministic private key from a label (a validator key a
// test adds by governance, say).
func Key(label string) ledger.PrivateKey { return key(label) }

// key derives a deterministic private key from a label.
func key(label string) ledger.PrivateKey {
	for i := 0; ; i++ {
		seed := sha256.Sum256([]byte(fmt.Sprintf("audittest %s %d", label, i)))
		if k, err := ledger.PrivateKeyFromBytes(seed[:]); err == nil {
			return k
		}
	}
}

// DemoOrganisations returns the demo's founding organisations for a
// genesis file, as qian testnet writes them (id = role name), each with one
// admin key derived deterministically from its role, and those keys.
func DemoOrganisations() ([]genesis.Organisation, demo.Keys) {
	keys := demo.Keys{}
	var orgs []genesis.Organisation
	for _, o := range demo.Founding {
		k := key(string(o.Role))
		keys[o.Role] = k
		orgs = append(orgs, genesis.Organisation{ID: string(o.Role), Name: o.Name,
			Roles: []genesis.Role{genesis.Role(o.Role)}, GS1Prefixes: []string{o.Prefix}, GLNs: []string{o.PartyGLN, o.SiteGLN},
			Admins: []ledger.PublicKey{k.PublicKey()}})
	}
	return orgs, keys
}

// SignedAnchors returns n notary.anchor transactions on chainID of distinct
// documents (numbered from first), sent in turn by the founding
// organisations' admins, signed on all cores.
func SignedAnchors(chainID string, keys demo.Keys, first uint64, n int) []*ledger.Tx {
	type signer struct {
		pub  ledger.PublicKey
		priv ledger.PrivateKey
	}
	var signers []signer
	for _, o := range demo.Founding {
		signers = append(signers, signer{keys[o.Role].PublicKey(), keys[o.Role]})
	}
	txs := make([]*ledger.Tx, n)
	for i := range txs {
		s := signers[i%len(signers)]
		txs[i] = anchorTx(chainID, s.pub, first+uint64(i))
	}
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if err := txs[i].Sign(signers[i%len(signers)].priv); err != nil {
					panic(err)
				}
			}
		}(w)
	}
	wg.Wait()
	return txs
}

func anchorTx(chainID string, sender ledger.PublicKey, nonce uint64) *ledger.Tx {
	h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("audittest document "), nonce))
	p := &notary.Anchor{Hash: h, Kind: notary.Evidence, Name: fmt.Sprintf("doc-%d.pdf", nonce), MediaType: "application/pdf", Size: nonce}
	return &ledger.Tx{ChainID: chainID, Sender: sender, Nonce: nonce, Contract: notary.Contract, Method: notary.MethodAnchor, Payload: p.Encode()}
}

// New writes a home in a temporary directory with validators validators
// (power 10 each) and the demo's founding organisations, and initialises
// its store from genesis.
func New(t testing.TB, validators int) *Chain {
	t.Helper()
	home := t.TempDir()
	c := &Chain{Home: home, t: t, app: node.NewContractsApp(), OrgKeys: demo.Keys{}, time: time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC).UnixNano()}
	doc := &genesis.Doc{ChainID: ChainID, GenesisTime: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Consensus: genesis.DefaultConsensusParams()}
	doc.Organisations, c.OrgKeys = DemoOrganisations()
	for i := 0; i < validators; i++ {
		k := key(fmt.Sprint("validator ", i))
		c.ValKeys = append(c.ValKeys, k)
		nk, _, err := crypto.GenerateEd25519Key(nil)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := peer.IDFromPrivateKey(nk)
		org := doc.Organisations[i%len(doc.Organisations)].ID
		doc.Validators = append(doc.Validators, genesis.Validator{Name: fmt.Sprintf("validator-%d", i), PubKey: k.PublicKey(), PeerID: id, Power: 10, Org: org})
	}
	if err := doc.Validate(); err != nil {
		t.Fatalf("test genesis: %v", err)
	}
	c.Doc, c.chain = doc, doc.Identity()
	paths := config.Paths{Home: home}
	if err := doc.Save(paths.GenesisFile()); err != nil {
		t.Fatal(err)
	}
	var err error
	if c.vals, err = doc.ValidatorSet(); err != nil {
		t.Fatal(err)
	}
	c.spans = []store.SetSpan{{From: 1, Set: c.vals}}
	c.keys = map[ledger.PublicKey]ledger.PrivateKey{}
	for _, k := range c.ValKeys {
		c.keys[k.PublicKey()] = k
	}
	if c.Store, err = store.Open(filepath.Join(paths.DataDir(), "chain"), nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	writes, app, err := c.app.Genesis(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Store.InitGenesis(doc.Hash(), c.vals, writes, app); err != nil {
		t.Fatal(err)
	}
	c.appHash = app
	return c
}

// Close closes the store, so that an audit may open it.
func (c *Chain) Close() {
	if c.Store != nil {
		c.Store.Close()
		c.Store = nil
	}
}

// Height is the last committed height.
func (c *Chain) Height() uint64 { return c.Store.Height() }

// GenesisFile is the home's genesis.json.
func (c *Chain) GenesisFile() string { return config.Paths{Home: c.Home}.GenesisFile() }

// ChainDir is the home's Pebble directory.
func (c *Chain) ChainDir() string {
	return filepath.Join(config.Paths{Home: c.Home}.DataDir(), "chain")
}

// Block executes txs as the next block, signs it with every validator and
// commits it. edit, when set, changes the block before its header is filled
// and signed: what faulty validators could do.
func (c *Chain) Block(txs []*ledger.Tx, edit func(b *ledger.Block)) *ledger.Block {
	c.t.Helper()
	h := c.Store.Height() + 1
	vals := c.SetAt(h)
	proposer, _ := vals.Get(int(h) % vals.Size())
	b := &ledger.Block{Header: ledger.Header{ChainID: ChainID, Height: h, Time: c.time, PrevBlockHash: c.prevHash,
		AppHash: c.appHash, ValidatorsHash: vals.Hash(), NextValidatorsHash: c.SetAt(h + 1).Hash(), Proposer: proposer.PubKey},
		Txs: txs, LastCommit: c.prevCmt}
	b.FillHeader()
	if edit != nil {
		edit(b)
	}
	c.time += int64(time.Second)
	ex, err := c.app.Execute(c.Store, c.appHash, &b.Header, b.Txs)
	if err != nil {
		c.t.Fatal(err)
	}
	cmt := c.Sign(h, 0, b.Hash(), vals.Size())
	if err := c.Store.CommitBlock(&store.Committed{Block: b, Commit: cmt, Results: ex.Results, Writes: ex.Writes, AppHash: ex.AppHash, NextValidators: ex.NextValidators}); err != nil {
		c.t.Fatal(err)
	}
	if ex.NextValidators != nil {
		c.spans = append(c.spans, store.SetSpan{From: h + 2, Set: ex.NextValidators})
	}
	// The store kept the writes root (ledger/store/writesroot.go): check
	// that it is the one the contracts' app hash used.
	leaves := make([]merkle.Hash, len(ex.Results))
	for i, r := range ex.Results {
		leaves[i] = merkle.LeafHash(r)
	}
	wr := store.WritesRoot(ex.Writes)
	if proof.AppHashLink(c.appHash, h, wr, merkle.Root(leaves)) != ex.AppHash {
		c.t.Fatalf("block %d: store.WritesRoot and the stored results do not give the contracts' app hash", h)
	}
	if got, err := c.Store.WritesRoot(h); err != nil || got != wr {
		c.t.Fatalf("block %d: stored writes root %s, %v", h, got, err)
	}
	c.appHash, c.prevHash, c.prevCmt = ex.AppHash, b.Hash(), cmt
	return b
}

// SetAt is the validator set of height h, as the chain's contracts
// scheduled it (up to the last height + 2).
func (c *Chain) SetAt(h uint64) *ledger.ValidatorSet {
	for i := len(c.spans) - 1; i > 0; i-- {
		if c.spans[i].From <= h {
			return c.spans[i].Set
		}
	}
	return c.spans[0].Set
}

// AddKey makes k a key the chain can sign with once a set names it (a
// validator added or rotated to by governance).
func (c *Chain) AddKey(k ledger.PrivateKey) { c.keys[k.PublicKey()] = k }

// Sign returns a commit for hash at (height, round) by the first n
// validators of the set of height.
func (c *Chain) Sign(height uint64, round uint32, hash ledger.Hash, n int) *ledger.Commit {
	cmt := &ledger.Commit{Height: height, Round: round, BlockHash: hash}
	vals := c.SetAt(height)
	for i := 0; i < n; i++ {
		v := &ledger.Vote{Type: ledger.Precommit, Height: height, Round: round, BlockHash: &hash, Validator: uint16(i)}
		val, _ := vals.Get(i)
		k, ok := c.keys[val.PubKey]
		if !ok {
			c.t.Fatalf("no key for validator %d (%s) of height %d: AddKey it", i, val.PubKey.Short(), height)
		}
		if err := v.Sign(c.chain, k); err != nil {
			c.t.Fatal(err)
		}
		cmt.Sigs = append(cmt.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: v.Sig})
	}
	return cmt
}

// Story commits the demo story (every contract: membership, trace with a
// recall, notary with a batch), perBlock steps to a block, and returns it.
func (c *Chain) Story(perBlock int) *demo.Story {
	c.t.Helper()
	st, err := demo.Scenario(ChainID, c.OrgKeys)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i < len(st.Steps); i += perBlock {
		var txs []*ledger.Tx
		for _, s := range st.Steps[i:min(i+perBlock, len(st.Steps))] {
			txs = append(txs, s.Tx)
		}
		c.Block(txs, nil)
	}
	return st
}

// Anchors returns n signed notary.anchor transactions of distinct hashes,
// spread over the founding organisations' admin keys.
func (c *Chain) Anchors(n int) []*ledger.Tx {
	out := make([]*ledger.Tx, n)
	for i := range out {
		out[i] = c.Anchor(demo.Founding[i%len(demo.Founding)].Role)
	}
	return out
}

// Anchor returns one signed notary.anchor of a fresh hash by role's admin.
func (c *Chain) Anchor(role membership.Role) *ledger.Tx {
	tx := c.unsignedAnchor(role)
	if err := tx.Sign(c.OrgKeys[role]); err != nil {
		c.t.Fatal(err)
	}
	return tx
}

// SignedAnchors returns n more anchors like Anchors, signed on all cores.
func (c *Chain) SignedAnchors(n int) []*ledger.Tx {
	txs := SignedAnchors(ChainID, c.OrgKeys, c.nonce+1, n)
	c.nonce += uint64(n)
	return txs
}

func (c *Chain) unsignedAnchor(role membership.Role) *ledger.Tx {
	c.nonce++
	return anchorTx(ChainID, c.OrgKeys[role].PublicKey(), c.nonce)
}

// Govern passes a validator-set change as governance does: the regulator
// proposes it and five more founding organisations approve (6 of 8), each
// step a block. It returns the height of the approving block; the change
// signs from two heights later.
func (c *Chain) Govern(vc membership.ValidatorChange) uint64 {
	c.t.Helper()
	c.nonce++
	p := &ledger.Tx{ChainID: ChainID, Sender: c.OrgKeys[membership.Regulator].PublicKey(), Nonce: c.nonce, Contract: membership.Contract,
		Method: membership.MethodPropose, Payload: (&membership.Propose{Kind: vc.Kind, Validator: &vc, Reason: "audittest"}).Encode()}
	if err := p.Sign(c.OrgKeys[membership.Regulator]); err != nil {
		c.t.Fatal(err)
	}
	c.Block([]*ledger.Tx{p}, nil)
	var approvals []*ledger.Tx
	for _, r := range []membership.Role{membership.Farm, membership.Cooperative, membership.Processor, membership.Logistics, membership.Retailer} {
		c.nonce++
		a := &ledger.Tx{ChainID: ChainID, Sender: c.OrgKeys[r].PublicKey(), Nonce: c.nonce, Contract: membership.Contract,
			Method: membership.MethodApprove, Payload: (&membership.Approve{Proposal: p.Hash()}).Encode()}
		if err := a.Sign(c.OrgKeys[r]); err != nil {
			c.t.Fatal(err)
		}
		approvals = append(approvals, a)
	}
	b := c.Block(approvals, nil)
	if c.SetAt(b.Header.Height+2) == c.SetAt(b.Header.Height+1) {
		rs, _ := c.Store.TxResults(b.Header.Height, len(approvals))
		o, _ := node.DecodeOutcome(rs[len(rs)-1])
		c.t.Fatalf("the validator change did not pass: %+v", o)
	}
	return b.Header.Height
}
