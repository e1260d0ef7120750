package ledger

import "fmt"

// Proposal is a proposer's signed offer of a block for one height and round.
// POLRound is the round of the proof-of-lock (a polka) the proposer holds for
// that block, or -1 when it proposes a fresh block (Algorithm 1's validRound).
// The block itself travels beside the proposal; the proposal names its hash.
type Proposal struct {
	Height    uint64    `json:"height"`
	Round     uint32    `json:"round"`
	POLRound  int32     `json:"pol_round"`
	BlockHash Hash      `json:"block_hash"`
	Proposer  uint16    `json:"proposer"`
	Sig       Signature `json:"signature"`
}

func (p *Proposal) signBody(e *encoder) {
	e.u64(p.Height)
	e.u32(p.Round)
	if p.POLRound < 0 {
		e.bool(false)
	} else {
		e.bool(true)
		e.u32(uint32(p.POLRound))
	}
	e.fixed(p.BlockHash[:])
}

// SignBytes is the message a proposal's signature signs: the tagged hash
// of the chain's identity (chain id and genesis hash), then the fields.
func (p *Proposal) SignBytes(chain ChainIdentity) Hash {
	return TaggedHash(domainProposal, p.signPayload(chain))
}

// signPayload is what the proposal's tagged hash hashes.
func (p *Proposal) signPayload(chain ChainIdentity) []byte {
	e := encoder{buf: make([]byte, 0, 160)}
	chain.encode(&e)
	p.signBody(&e)
	return e.buf
}

// Sign sets Sig to k's signature of p on chain.
func (p *Proposal) Sign(chain ChainIdentity, k PrivateKey) error {
	if err := chain.Validate(); err != nil {
		return err
	}
	sig, err := k.Sign(p.SignBytes(chain))
	if err != nil {
		return err
	}
	p.Sig = sig
	return nil
}

// Verify checks p's signature, on chain, against the proposer's key.
func (p *Proposal) Verify(chain ChainIdentity, key PublicKey) error {
	if err := chain.Validate(); err != nil {
		return err
	}
	if !key.Verify(p.SignBytes(chain), p.Sig) {
		return fmt.Errorf("proposal from validator %d at height %d round %d: %w", p.Proposer, p.Height, p.Round, ErrBadSignature)
	}
	return nil
}

// Encode returns the canonical encoding.
func (p *Proposal) Encode() []byte {
	e := encoder{buf: make([]byte, 0, 128)}
	e.u8(uint8(TagProposal))
	p.signBody(&e)
	e.u16(p.Proposer)
	e.fixed(p.Sig[:])
	return e.buf
}

// DecodeProposal decodes the canonical encoding of a proposal.
func DecodeProposal(b []byte) (*Proposal, error) {
	d := newDecoder("proposal", b)
	p := &Proposal{}
	d.tag(TagProposal)
	p.Height = d.height("height")
	p.Round = d.round("round")
	p.POLRound = -1
	if d.bool("pol_round present") {
		pol := d.u32("pol_round")
		if d.err == nil && pol >= p.Round {
			d.fail("pol_round", "pol_round %d must be less than round %d", pol, p.Round)
		}
		p.POLRound = int32(pol)
	}
	d.fixed("block_hash", p.BlockHash[:])
	p.Proposer = d.validatorIndex("proposer")
	d.fixed("signature", p.Sig[:])
	if err := d.finish(); err != nil {
		return nil, err
	}
	return p, nil
}
