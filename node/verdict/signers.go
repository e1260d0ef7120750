package verdict

import (
	"github.com/qianchain/qianchain/genesis/anchor"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
)

// Org names an organisation: its id as the chain knows it, and its names
// where genesis has them (a founding organisation).
type Org struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	NameEN string `json:"name_en,omitempty"`
	// Founding: genesis names it, so Name and NameEN are proven by the
	// anchor; an organisation that joined later is known by its id only.
	Founding bool `json:"founding"`
}

// Signer is one validator whose precommit the block's certificate holds.
type Signer struct {
	Index  int              `json:"index"` // in the validator set of the block's height
	PubKey ledger.PublicKey `json:"pub_key"`
	Power  uint64           `json:"power"`
	// Name and Org are genesis's, for a key genesis holds; a validator
	// voted in or rotated to later is not named by genesis (the set change
	// names its key and power only), and both are empty.
	Name string `json:"name,omitempty"`
	Org  *Org   `json:"org,omitempty"`
}

// signers lists the certificate's signers: keys and powers from the set of
// the block's height (the bundle's validators part, which Verify held to
// the set the transitions lead to), names and organisations from genesis.
func signers(g *anchor.Genesis, b *proof.Bundle, rep *proof.Report) []Signer {
	out := []Signer{}
	for _, i := range rep.Signers {
		if i < 0 || i >= len(b.Validators.Validators) {
			continue // Verify checked every index against the set
		}
		v := b.Validators.Validators[i]
		s := Signer{Index: i, PubKey: v.PubKey, Power: v.Power}
		if gv := g.Validator(v.PubKey); gv != nil {
			s.Name = gv.Name
			if gv.Org != "" {
				s.Org = orgByID(g, gv.Org)
			}
		}
		out = append(out, s)
	}
	return out
}

// orgByID names the organisation id from genesis, or by its id alone.
func orgByID(g *anchor.Genesis, id string) *Org {
	if o := orgOf(g, g.Organisation(id)); o != nil {
		return o
	}
	return &Org{ID: id}
}

func orgOf(_ *anchor.Genesis, o *anchor.Organisation) *Org {
	if o == nil {
		return nil
	}
	return &Org{ID: o.ID, Name: o.Name, NameEN: o.NameEN, Founding: true}
}
