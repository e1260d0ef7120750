package consensus

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/qianchain/qianchain/ledger"
)

// Test fixtures shared by the transcript and unit tests: deterministic keys,
// named blocks, and a Ready printer that names blocks by letter.

const testChain = "qian-test"

// testIdentity is what the tests' validators sign: the chain id and a
// stand-in genesis hash.
var testIdentity = ledger.NewChainIdentity(testChain, ledger.Sum([]byte("genesis of "+testChain)))

func testKey(i int) ledger.PrivateKey {
	s := sha256.Sum256([]byte(fmt.Sprintf("consensus test key %d", i)))
	k, err := ledger.PrivateKeyFromBytes(s[:])
	if err != nil {
		panic(err)
	}
	return k
}

func testValidators(powers []uint64) (*ledger.ValidatorSet, []ledger.PrivateKey) {
	keys := make([]ledger.PrivateKey, len(powers))
	vals := make([]ledger.Validator, len(powers))
	for i, p := range powers {
		keys[i] = testKey(i)
		vals[i] = ledger.Validator{PubKey: keys[i].PublicKey(), Power: p}
	}
	vs, err := ledger.NewValidatorSet(vals)
	if err != nil {
		panic(err)
	}
	return vs, keys
}

func testTimeouts() Timeouts {
	return Timeouts{Propose: 3 * time.Second, ProposeDelta: time.Second, Prevote: time.Second, PrevoteDelta: time.Second, Precommit: time.Second, PrecommitDelta: time.Second}
}

// namedBlock returns a block for height named by a letter; distinct names
// give distinct blocks.
func namedBlock(height uint64, name string) *ledger.Block {
	b := &ledger.Block{Header: ledger.Header{ChainID: testChain, Height: height, Time: int64(1_000_000 + int(name[0]))}}
	b.Txs = []*ledger.Tx{{ChainID: testChain, Contract: "notary", Method: "anchor", Payload: []byte(name)}}
	if height > 1 {
		prev := namedBlock(height-1, "P").Hash()
		b.Header.PrevBlockHash = prev
		b.LastCommit = &ledger.Commit{Height: height - 1, BlockHash: prev, Sigs: []ledger.CommitSig{{Validator: 0}}}
	}
	b.FillHeader()
	return b
}

// testApp rejects the blocks whose hashes are in invalid.
type testApp struct{ invalid map[ledger.Hash]bool }

func (a *testApp) ValidateBlock(b *ledger.Block) error {
	if a.invalid[b.Hash()] {
		return fmt.Errorf("block %s is marked invalid", b.Hash().Short())
	}
	return nil
}

// namer maps block hashes back to the letters tests use.
type namer map[ledger.Hash]string

func (n namer) hash(h *ledger.Hash) string {
	if h == nil {
		return "nil"
	}
	if s, ok := n[*h]; ok {
		return s
	}
	return h.Short()
}

func (n namer) msg(m Message) string {
	if m.Vote != nil {
		v := m.Vote
		return fmt.Sprintf("%s h=%d r=%d %s by %d", v.Type, v.Height, v.Round, n.hash(v.BlockHash), v.Validator)
	}
	p := m.Proposal
	return fmt.Sprintf("proposal h=%d r=%d %s pol=%d by %d", p.Height, p.Round, n.hash(&p.BlockHash), p.POLRound, p.Proposer)
}

func (n namer) state(s State) string {
	return fmt.Sprintf("h=%d r=%d %s locked=%d/%s valid=%d/%s", s.Height, s.Round, s.Step, s.LockedRound, n.hash(s.LockedHash), s.ValidRound, n.hash(s.ValidHash))
}

// ready prints rd one item a line, in the order the caller acts on it.
func (n namer) ready(rd Ready) string {
	var b strings.Builder
	if rd.State != nil {
		fmt.Fprintf(&b, "state: %s\n", n.state(*rd.State))
	}
	for _, m := range rd.Sign {
		fmt.Fprintf(&b, "sign: %s\n", n.msg(m))
	}
	for _, m := range rd.Send {
		fmt.Fprintf(&b, "send: %s\n", n.msg(m))
	}
	for _, t := range rd.Timeouts {
		fmt.Fprintf(&b, "timeout: %s h=%d r=%d after %s\n", t.Step, t.Height, t.Round, t.Duration)
	}
	if r := rd.ProposalRequest; r != nil {
		fmt.Fprintf(&b, "request block: h=%d r=%d\n", r.Height, r.Round)
	}
	for _, ev := range rd.Evidence {
		fmt.Fprintf(&b, "evidence: %s h=%d r=%d by %d: %s vs %s\n", ev.A.Type, ev.A.Height, ev.A.Round, ev.A.Validator, n.hash(ev.A.BlockHash), n.hash(ev.B.BlockHash))
	}
	if d := rd.Decision; d != nil {
		signers := d.Commit.Signers()
		sort.Ints(signers)
		fmt.Fprintf(&b, "decide: h=%d r=%d %s commit=%v\n", d.Height, d.Round, n.hash(&d.Commit.BlockHash), signers)
	}
	return b.String()
}
