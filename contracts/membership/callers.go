package membership

import "github.com/qianchain/qianchain/ledger"

// Callers remembers, within one block's execution, the callers Authenticate
// accepted, so that a sender's account and organisation are decoded once a
// block rather than once a transaction (about twenty allocations each: the
// records' strings, roles and lists; issue 14's allocation profile).
//
// It answers exactly as Authenticate would, provided the executor calls
// Forget after every committed transaction that wrote an account or an
// organisation (WrittenKeys): only those records decide the answer, and
// rejections are not remembered, so they are looked up afresh each time.
// The Callers it returns are shared by the block's transactions: methods
// must not modify a Caller's Account or Org (none does; they write new
// records instead).
type Callers struct {
	m map[ledger.PublicKey]*Caller
}

// WrittenKeys are the prefixes of the records Authenticate reads, the
// accounts and the organisations (docs/state.md): their writes make Callers
// forget, and node's cache of them across blocks keeps these keys.
var WrittenKeys = []string{accountPrefix, orgPrefix}

// Authenticate is the package's Authenticate, remembered.
func (c *Callers) Authenticate(r Reader, key ledger.PublicKey) (*Caller, error) {
	if who, ok := c.m[key]; ok {
		return who, nil
	}
	who, err := Authenticate(r, key)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = make(map[ledger.PublicKey]*Caller)
	}
	c.m[key] = who
	return who, nil
}

// Forget drops every remembered caller.
func (c *Callers) Forget() { clear(c.m) }
