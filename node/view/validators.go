package view

import (
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
)

// Validators is the validator set of a height, as the chain's state gives
// it (the membership contract keeps every set since genesis), with the
// changes that made it and those approved but not yet in force.
type Validators struct {
	// Height is the height asked for; From the first height this set
	// signed (1 for the genesis set); Hash what headers of its heights
	// carry as validators_hash.
	Height     uint64          `json:"height"`
	From       uint64          `json:"from"`
	Hash       ledger.Hash     `json:"hash"`
	TotalPower uint64          `json:"total_power"`
	Validators []ValidatorView `json:"validators"`
	// Changes made this set from the one before (empty for genesis).
	Changes []membership.ValidatorChange `json:"changes"`
	// Pending are the sets approved changes will bring, later than the
	// next height (Tip+1).
	Pending []PendingSet `json:"pending"`
	Tip     uint64       `json:"tip"`
}

// ValidatorView is one validator of a set, by index (how votes name it).
type ValidatorView struct {
	Index  int              `json:"index"`
	Name   string           `json:"name"`
	Org    string           `json:"org"`
	PubKey ledger.PublicKey `json:"pub_key"`
	Power  uint64           `json:"power"`
	PeerID string           `json:"peer_id"`
	Since  uint64           `json:"since"` // the first height it signed with this key
}

// PendingSet is a set approved changes bring from height Effective.
type PendingSet struct {
	Effective uint64                       `json:"effective"`
	Hash      ledger.Hash                  `json:"hash"`
	Changes   []membership.ValidatorChange `json:"changes"`
}

// Validators returns the set of height h (0: the next height, tip+1). A
// committed block h fixes the sets up to h+2, so h may be at most tip+2.
func (r *Reader) Validators(h uint64) (*Validators, error) {
	tip := r.st.Height()
	if h == 0 {
		h = tip + 1
	}
	if h > tip+2 {
		return nil, notFound("the validator set of height %d is not known yet: the chain is at %d, which fixes the sets up to %d", h, tip, tip+2)
	}
	hist, err := membership.ValidatorHistory(r.st)
	if err != nil {
		return nil, err
	}
	out := &Validators{Height: h, Tip: tip, Validators: []ValidatorView{}, Changes: []membership.ValidatorChange{}, Pending: []PendingSet{}}
	var rec *membership.ValidatorSet
	for _, s := range hist {
		if s.From <= h {
			rec = s
		}
		if s.From > tip+1 {
			ls, err := s.Ledger()
			if err != nil {
				return nil, err
			}
			out.Pending = append(out.Pending, PendingSet{Effective: s.From, Hash: ls.Hash(), Changes: s.Changes})
		}
	}
	if rec == nil {
		return nil, notFound("the chain's state holds no validator set")
	}
	ls, err := rec.Ledger()
	if err != nil {
		return nil, err
	}
	out.From, out.Hash, out.TotalPower, out.Changes = rec.From, ls.Hash(), ls.TotalPower(), rec.Changes
	for i, v := range rec.Validators {
		out.Validators = append(out.Validators, ValidatorView{Index: i, Name: v.Name, Org: v.Org, PubKey: v.PubKey, Power: v.Power, PeerID: v.PeerID.String(), Since: v.Since})
	}
	return out, nil
}
