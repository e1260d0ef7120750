package membership

import (
	"github.com/qianchain/qianchain/contracts/call"
)

func requireAdmin(who *Caller) error {
	if !who.IsAdmin() {
		return call.Errorf(call.ErrNotAdmin, "only an admin key of %s may manage its keys; %s is an operator key", who.Org.ID, who.Account.Key.Short())
	}
	return nil
}

// RunAddAccount executes membership.add_account: an admin adds a key to its
// own organisation.
func RunAddAccount(c *call.Context, who *Caller, payload []byte) error {
	p, err := DecodeAddAccount(payload)
	if err != nil {
		return call.PayloadError(err)
	}
	if err := requireAdmin(who); err != nil {
		return err
	}
	if a, err := GetAccount(c.State, p.Key); err != nil {
		return err
	} else if a != nil {
		return call.Errorf(call.ErrAccountExists, "key %s is already an account of %s (keys are never reused)", p.Key, a.Org)
	}
	putAccount(c.State, &Account{Key: p.Key, Org: who.Org.ID, Role: p.Role, Label: p.Label, Added: c.Block.Height})
	c.Emit("membership.account_added", "org", who.Org.ID, "key", p.Key.String(), "role", p.Role.String())
	return nil
}

// ownAccount loads an active account of the caller's organisation.
func ownAccount(c *call.Context, who *Caller, key [32]byte, what string) (*Account, error) {
	a, err := GetAccount(c.State, key)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, call.Errorf(call.ErrUnknownAccount, "%s key %x is not an account", what, key[:4])
	}
	if a.Org != who.Org.ID {
		return nil, call.Errorf(call.ErrNotSameOrg, "key %s belongs to %s, not %s", a.Key.Short(), a.Org, who.Org.ID)
	}
	if a.Revoked {
		return nil, call.Errorf(call.ErrKeyRevoked, "key %s was already revoked at height %d", a.Key.Short(), a.Ended)
	}
	return a, nil
}

// activeAdmins counts the organisation's active admin keys.
func activeAdmins(c *call.Context, org string) (int, error) {
	as, err := OrgAccounts(c.State, org)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range as {
		if a.Role == Admin && !a.Revoked {
			n++
		}
	}
	return n, nil
}

// RunRotateKey executes membership.rotate_key: an admin replaces one of its
// organisation's keys (its own included) by a new key with the same role.
func RunRotateKey(c *call.Context, who *Caller, payload []byte) error {
	p, err := DecodeRotateKey(payload)
	if err != nil {
		return call.PayloadError(err)
	}
	if err := requireAdmin(who); err != nil {
		return err
	}
	old, err := ownAccount(c, who, p.Old, "old")
	if err != nil {
		return err
	}
	if a, err := GetAccount(c.State, p.New); err != nil {
		return err
	} else if a != nil {
		return call.Errorf(call.ErrAccountExists, "new key %s is already an account of %s (keys are never reused)", p.New, a.Org)
	}
	old.Revoked, old.Ended = true, c.Block.Height
	putAccount(c.State, old)
	putAccount(c.State, &Account{Key: p.New, Org: who.Org.ID, Role: old.Role, Label: old.Label, Added: c.Block.Height})
	c.Emit("membership.key_rotated", "org", who.Org.ID, "old", p.Old.String(), "new", p.New.String())
	return nil
}

// RunRevokeKey executes membership.revoke_key: an admin revokes one of its
// organisation's keys. The last active admin key cannot be revoked (rotate
// it instead), or the organisation could never manage its keys again.
func RunRevokeKey(c *call.Context, who *Caller, payload []byte) error {
	p, err := DecodeRevokeKey(payload)
	if err != nil {
		return call.PayloadError(err)
	}
	if err := requireAdmin(who); err != nil {
		return err
	}
	a, err := ownAccount(c, who, p.Key, "revoked")
	if err != nil {
		return err
	}
	if a.Role == Admin {
		n, err := activeAdmins(c, who.Org.ID)
		if err != nil {
			return err
		}
		if n <= 1 {
			return call.Errorf(call.ErrLastAdmin, "key %s is the last active admin key of %s; rotate it instead", a.Key.Short(), who.Org.ID)
		}
	}
	a.Revoked, a.Ended = true, c.Block.Height
	putAccount(c.State, a)
	c.Emit("membership.key_revoked", "org", who.Org.ID, "key", p.Key.String())
	return nil
}
