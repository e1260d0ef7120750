// Package contracttest is the test harness of the contracts: deterministic
// keys, and a Chain that executes blocks through the real Executor over an
// in-memory store, applying each block's writes as the node would.
package contracttest

import (
	"crypto/sha256"
	"fmt"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/memstate"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/statedigest"
)

// Key derives a private key from a name, for tests and the demo: the same
// name always gives the same key. Never use it for real keys.
func Key(name string) ledger.PrivateKey {
	for i := 0; ; i++ {
		seed := sha256.Sum256([]byte(fmt.Sprintf("qianchain test key %s %d", name, i)))
		if k, err := ledger.PrivateKeyFromBytes(seed[:]); err == nil {
			return k
		}
	}
}

// ChainID is the chain id tests use.
const ChainID = "qian-test"

// GenesisTime is the first block's time: 2025-04-11 00:00 UTC+8, after the
// demo story's events, so record times follow event times.
const GenesisTime = int64(1744300800) * 1e9

// Chain executes blocks over an in-memory store.
type Chain struct {
	Store   *memstate.Store
	Exec    *contracts.Executor
	AppHash ledger.Hash
	State   statedigest.Sum // the state digest's Sum after the last block
	Height  uint64
	Time    int64
	nonces  map[ledger.PublicKey]uint64
	Sign    bool // sign transactions (execution does not need it)
	Results []*contracts.BlockResult
	// TxHashes are the hashes of each block's transactions, in order.
	TxHashes [][]ledger.Hash
	// Decoded, when set, is handed to the executor with every block
	// (contracts.ExecuteBlockDecoded), as a node hands its mempool's
	// decoded payloads.
	Decoded contracts.Decoded
}

// New starts a chain from the founding organisations, with Validators(orgs,
// 4) as its genesis validators.
func New(orgs []membership.OrgSpec) (*Chain, error) { return NewWith(orgs, Validators(orgs, 4)) }

// NewWith starts a chain from the founding organisations and genesis
// validators.
func NewWith(orgs []membership.OrgSpec, vals []membership.Validator) (*Chain, error) {
	g, err := contracts.Genesis(ChainID, orgs, vals)
	if err != nil {
		return nil, err
	}
	st := memstate.New()
	st.Apply(g.Writes)
	return &Chain{Store: st, Exec: contracts.NewExecutor(), AppHash: g.AppHash, State: g.State, Time: GenesisTime, nonces: map[ledger.PublicKey]uint64{}, Sign: true}, nil
}

// Tx builds a transaction from k with the next nonce.
func (c *Chain) Tx(k ledger.PrivateKey, contract, method string, payload []byte) *ledger.Tx {
	pub := k.PublicKey()
	tx := &ledger.Tx{ChainID: ChainID, Sender: pub, Nonce: c.nonces[pub], Contract: contract, Method: method, Payload: payload}
	c.nonces[pub]++
	if c.Sign {
		if err := tx.Sign(k); err != nil {
			panic(err) // a valid key always signs
		}
	}
	return tx
}

// Block executes one block of txs and applies its writes.
func (c *Chain) Block(txs ...*ledger.Tx) (*contracts.BlockResult, error) {
	c.Height++
	c.Time += 5e9
	res, err := c.Exec.ExecuteBlockDecoded(c.Store, contracts.Prior{AppHash: c.AppHash, State: c.State}, contracts.BlockContext{ChainID: ChainID, Height: c.Height, Time: c.Time}, txs, c.Decoded)
	if err != nil {
		return nil, err
	}
	c.Store.Apply(res.Writes)
	c.AppHash, c.State = res.AppHash, res.State
	c.Results = append(c.Results, res)
	hs := make([]ledger.Hash, len(txs))
	for i, tx := range txs {
		hs[i] = tx.Hash()
	}
	c.TxHashes = append(c.TxHashes, hs)
	return res, nil
}

// Do executes one transaction in its own block and returns its result.
func (c *Chain) Do(k ledger.PrivateKey, contract, method string, payload []byte) contracts.TxResult {
	res, err := c.Block(c.Tx(k, contract, method, payload))
	if err != nil {
		panic(err) // the in-memory store does not fail
	}
	return res.Results[0]
}

// Org is a one-admin organisation spec for tests.
func Org(id string, admin ledger.PrivateKey, roles []membership.Role, prefixes, glns []string) membership.OrgSpec {
	return membership.OrgSpec{ID: id, Name: id + " 测试 (test)", Roles: roles, Prefixes: prefixes, GLNs: glns, Admins: []ledger.PublicKey{admin.PublicKey()}}
}

// WithCheck appends the GS1 check digit to a key's first digits: a
// 12-digit body makes a GLN, 13 a GTIN-14, 17 an SSCC.
func WithCheck(body string) string { return body + string(gs1.CheckDigit(body)) }

// ValidatorKey is the consensus key of test validator i.
func ValidatorKey(i int) ledger.PrivateKey { return Key(fmt.Sprint("validator ", i)) }

// PeerID is a well-formed node peer id derived from a name (no node has
// its private key).
func PeerID(name string) membership.PeerID {
	sum := sha256.Sum256([]byte("peer " + name))
	return membership.PeerID(append([]byte{0x00, 0x24, 0x08, 0x01, 0x12, 0x20}, sum[:]...))
}

// Validators returns n genesis validators of power 10, "v0" to "v{n-1}",
// with keys ValidatorKey(i), run by orgs in turn (by none when orgs is
// empty).
func Validators(orgs []membership.OrgSpec, n int) []membership.Validator {
	out := make([]membership.Validator, n)
	for i := range out {
		name := fmt.Sprint("v", i)
		out[i] = membership.Validator{PubKey: ValidatorKey(i).PublicKey(), Power: 10, Name: name, PeerID: PeerID(name)}
		if len(orgs) > 0 {
			out[i].Org = orgs[i%len(orgs)].ID
		}
	}
	return out
}
