package membership

import (
	"fmt"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// State layout of the membership contract (docs/state.md):
//
//	m/o/{org id}                 -> Org
//	m/a/{public key, 32 bytes}   -> Account
//	m/k/{org id} 0x00 {key}      -> empty (the organisation's accounts)
//	m/p/{proposal id, 32 bytes}  -> Proposal
//	m/c/{company prefix digits}  -> org id
//	m/g/{GLN, 13 digits}         -> org id
const (
	orgPrefix        = "m/o/"
	accountPrefix    = "m/a/"
	orgAccountPrefix = "m/k/"
	proposalPrefix   = "m/p/"
	companyPrefix    = "m/c/"
	glnPrefix        = "m/g/"
)

func orgKey(id string) []byte { return []byte(orgPrefix + id) }

func accountKey(k ledger.PublicKey) []byte { return append([]byte(accountPrefix), k[:]...) }

func orgAccountKey(id string, k ledger.PublicKey) []byte {
	return append([]byte(orgAccountPrefix+id+"\x00"), k[:]...)
}

func proposalKey(id ledger.Hash) []byte { return append([]byte(proposalPrefix), id[:]...) }

// Reader is read access to state: a state.Store (committed state, for
// queries) or a *state.Tx (inside execution).
type Reader = state.Store

// GetOrg returns the organisation, or nil if there is none.
func GetOrg(r Reader, id string) (*Org, error) {
	b, err := r.Get(orgKey(id))
	if err != nil || b == nil {
		return nil, err
	}
	o, err := DecodeOrg(b)
	if err != nil {
		return nil, fmt.Errorf("membership: corrupt record of org %s: %w", id, err)
	}
	return o, nil
}

// GetAccount returns the account of key, or nil if there is none.
func GetAccount(r Reader, k ledger.PublicKey) (*Account, error) {
	b, err := r.Get(accountKey(k))
	if err != nil || b == nil {
		return nil, err
	}
	a, err := DecodeAccount(b)
	if err != nil {
		return nil, fmt.Errorf("membership: corrupt record of account %s: %w", k, err)
	}
	return a, nil
}

// ListOrgs returns every organisation in id order.
func ListOrgs(r Reader) ([]*Org, error) {
	var out []*Org
	var derr error
	err := r.Iterate([]byte(orgPrefix), state.PrefixEnd([]byte(orgPrefix)), func(k, v []byte) bool {
		o, err := DecodeOrg(v)
		if err != nil {
			derr = fmt.Errorf("membership: corrupt org record %q: %w", k, err)
			return false
		}
		out = append(out, o)
		return true
	})
	if err == nil {
		err = derr
	}
	return out, err
}

// OrgAccounts returns the organisation's accounts (active and ended) in key
// order.
func OrgAccounts(r Reader, id string) ([]*Account, error) {
	p := []byte(orgAccountPrefix + id + "\x00")
	var keys []ledger.PublicKey
	err := r.Iterate(p, state.PrefixEnd(p), func(k, _ []byte) bool {
		var pk ledger.PublicKey
		copy(pk[:], k[len(p):])
		keys = append(keys, pk)
		return true
	})
	if err != nil {
		return nil, err
	}
	out := make([]*Account, 0, len(keys))
	for _, k := range keys {
		a, err := GetAccount(r, k)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out = append(out, a)
		}
	}
	return out, nil
}

// OrgByGLN returns the id of the organisation that registered gln, or "".
func OrgByGLN(r Reader, gln string) (string, error) {
	b, err := r.Get([]byte(glnPrefix + gln))
	return string(b), err
}

// OwnerOfKey returns the id of the organisation whose company prefix
// starts a GS1 key (GTIN-14, SSCC or GLN), or "".
func OwnerOfKey(r Reader, key string) (string, error) {
	region := key
	if len(key) == 14 || len(key) == 18 {
		region = key[1:]
	}
	for n := 4; n <= 12 && n <= len(region); n++ {
		b, err := r.Get([]byte(companyPrefix + region[:n]))
		if err != nil {
			return "", err
		}
		if b != nil {
			return string(b), nil
		}
	}
	return "", nil
}

// Caller is the authenticated sender of a transaction.
type Caller struct {
	Account *Account
	Org     *Org
}

// IsAdmin reports whether the caller's key is an admin key.
func (c *Caller) IsAdmin() bool { return c.Account.Role == Admin }

// Authenticate checks that key is an active account of an active
// organisation. Rejections are ERR_UNKNOWN_ACCOUNT, ERR_KEY_REVOKED and
// ERR_ORG_SUSPENDED.
func Authenticate(r Reader, key ledger.PublicKey) (*Caller, error) {
	a, err := GetAccount(r, key)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, call.Errorf(call.ErrUnknownAccount, "key %s is not an account of any member organisation", key)
	}
	if a.Revoked {
		return nil, call.Errorf(call.ErrKeyRevoked, "key %s of %s was revoked at height %d", key, a.Org, a.Ended)
	}
	o, err := GetOrg(r, a.Org)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, fmt.Errorf("membership: account %s names missing org %s", key, a.Org)
	}
	if o.Status != Active {
		return nil, call.Errorf(call.ErrOrgSuspended, "organisation %s is suspended; its keys cannot write", o.ID)
	}
	return &Caller{Account: a, Org: o}, nil
}

func putOrg(t *state.Tx, o *Org) { t.Set(orgKey(o.ID), o.Encode()) }

func putAccount(t *state.Tx, a *Account) {
	t.Set(accountKey(a.Key), a.Encode())
	t.Set(orgAccountKey(a.Org, a.Key), nil)
}

// checkSpecFree checks that nothing in spec is taken: the id, the company
// prefixes (no overlap either way), the GLNs and the admin keys.
func checkSpecFree(t *state.Tx, s *OrgSpec) error {
	if o, err := GetOrg(t, s.ID); err != nil {
		return err
	} else if o != nil {
		return call.Errorf(call.ErrOrgExists, "organisation %s already exists", s.ID)
	}
	for _, p := range s.Prefixes {
		// An existing prefix that is a prefix of p...
		for n := 4; n <= len(p); n++ {
			b, err := t.Get([]byte(companyPrefix + p[:n]))
			if err != nil {
				return err
			}
			if b != nil {
				return call.Errorf(call.ErrPrefixTaken, "company prefix %s overlaps %s, held by %s", p, p[:n], b)
			}
		}
		// ...or an existing prefix that p is a prefix of.
		lo := []byte(companyPrefix + p)
		var hit, owner string
		err := t.Iterate(lo, state.PrefixEnd(lo), func(k, v []byte) bool {
			hit, owner = string(k[len(companyPrefix):]), string(v)
			return false
		})
		if err != nil {
			return err
		}
		if hit != "" {
			return call.Errorf(call.ErrPrefixTaken, "company prefix %s overlaps %s, held by %s", p, hit, owner)
		}
	}
	for _, g := range s.GLNs {
		if owner, err := OrgByGLN(t, g); err != nil {
			return err
		} else if owner != "" {
			return call.Errorf(call.ErrGLNTaken, "GLN %s is registered to %s", g, owner)
		}
	}
	for _, k := range s.Admins {
		if a, err := GetAccount(t, k); err != nil {
			return err
		} else if a != nil {
			return call.Errorf(call.ErrAccountExists, "key %s is already an account of %s", k, a.Org)
		}
	}
	return nil
}

// createOrg writes an organisation, its indexes and its admin accounts.
// The caller has normalised spec and checked it with checkSpecFree.
func createOrg(t *state.Tx, s *OrgSpec, founding bool, height uint64) *Org {
	o := &Org{ID: s.ID, Name: s.Name, Roles: s.Roles, Prefixes: s.Prefixes, GLNs: s.GLNs, Founding: founding, Status: Active, Since: height}
	putOrg(t, o)
	for _, p := range s.Prefixes {
		t.Set([]byte(companyPrefix+p), []byte(s.ID))
	}
	for _, g := range s.GLNs {
		t.Set([]byte(glnPrefix+g), []byte(s.ID))
	}
	for _, k := range s.Admins {
		label := "admin"
		if founding {
			label = "founding admin"
		}
		putAccount(t, &Account{Key: k, Org: s.ID, Role: Admin, Label: label, Added: height})
	}
	return o
}

// Genesis writes the founding organisations into t. Every spec is
// normalised and checked as a proposal would be; founding organisations are
// electors.
func Genesis(t *state.Tx, orgs []OrgSpec) error {
	if len(orgs) == 0 {
		return call.Errorf(call.ErrInvalid, "genesis needs at least one founding organisation")
	}
	for i := range orgs {
		s := orgs[i] // copy: Normalize sorts the caller's slices otherwise
		s.Roles = append([]Role(nil), s.Roles...)
		s.Prefixes = append([]string(nil), s.Prefixes...)
		s.GLNs = append([]string(nil), s.GLNs...)
		s.Admins = append([]ledger.PublicKey(nil), s.Admins...)
		if err := s.Normalize(); err != nil {
			return fmt.Errorf("founding organisation %d (%s): %w", i, s.ID, err)
		}
		if err := checkSpecFree(t, &s); err != nil {
			return fmt.Errorf("founding organisation %d (%s): %w", i, s.ID, err)
		}
		createOrg(t, &s, true, 0)
	}
	return nil
}
