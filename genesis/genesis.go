package genesis

import (
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// Doc is a genesis document. A Doc returned by Parse or Load has passed
// Validate; one built in code should be validated before use.
type Doc struct {
	ChainID       string
	GenesisTime   time.Time
	Consensus     ConsensusParams
	Validators    []Validator    // index order is the validator set's order
	Observers     []Observer     // founding members' non-voting nodes, in file order
	Organisations []Organisation // founding members, in file order
}

// ConsensusParams are the chain-wide consensus settings. Every validator
// must use the same values, so they live here rather than in config.toml.
type ConsensusParams struct {
	// Round r of a height waits Timeout + r*Delta in each step before
	// giving up on it (Tendermint's timeoutPropose/Prevote/Precommit).
	TimeoutPropose        time.Duration
	TimeoutProposeDelta   time.Duration
	TimeoutPrevote        time.Duration
	TimeoutPrevoteDelta   time.Duration
	TimeoutPrecommit      time.Duration
	TimeoutPrecommitDelta time.Duration
	// EmptyBlockInterval is how long a proposer with an empty mempool waits
	// before proposing an empty block; 0 proposes at once.
	EmptyBlockInterval time.Duration
	MaxBlockBytes      uint64 // encoded block size limit
	MaxBlockTxs        uint64 // transactions per block
	MaxTxBytes         uint64 // encoded transaction size limit
}

// DefaultConsensusParams are the values `qian init` and `qian testnet`
// write: CometBFT's timeouts, one-second empty blocks, 8 MiB blocks of at
// most 10,000 transactions of at most 1 MiB each.
func DefaultConsensusParams() ConsensusParams {
	return ConsensusParams{
		TimeoutPropose:        3 * time.Second,
		TimeoutProposeDelta:   500 * time.Millisecond,
		TimeoutPrevote:        time.Second,
		TimeoutPrevoteDelta:   500 * time.Millisecond,
		TimeoutPrecommit:      time.Second,
		TimeoutPrecommitDelta: 500 * time.Millisecond,
		EmptyBlockInterval:    time.Second,
		MaxBlockBytes:         8 << 20,
		MaxBlockTxs:           10_000,
		MaxTxBytes:            1 << 20,
	}
}

// Step names a timed consensus step.
type Step int

const (
	StepPropose Step = iota
	StepPrevote
	StepPrecommit
)

// MaxRoundTimeout caps a step timeout however high the round climbs, so
// that Timeout never overflows and a stalled network retries at least
// hourly.
const MaxRoundTimeout = time.Hour

// Timeout is the time step waits in round: base + round*delta, capped at
// MaxRoundTimeout.
func (c ConsensusParams) Timeout(step Step, round uint32) time.Duration {
	var base, delta time.Duration
	switch step {
	case StepPropose:
		base, delta = c.TimeoutPropose, c.TimeoutProposeDelta
	case StepPrevote:
		base, delta = c.TimeoutPrevote, c.TimeoutPrevoteDelta
	default:
		base, delta = c.TimeoutPrecommit, c.TimeoutPrecommitDelta
	}
	if delta > 0 && time.Duration(round) > (MaxRoundTimeout-base)/delta {
		return MaxRoundTimeout
	}
	if t := base + time.Duration(round)*delta; t < MaxRoundTimeout {
		return t
	}
	return MaxRoundTimeout
}

// Validator is one genesis validator. Index order in Doc.Validators is the
// validator set's order: votes name validators by that index.
type Validator struct {
	Name   string           // operator's label, unique among validators and observers
	PubKey ledger.PublicKey // consensus key (BIP-340), signs votes and proposals
	PeerID peer.ID          // libp2p identity of the validator's node
	Power  uint64           // voting power, 1 to ledger.MaxVotingPower
	// Org is the id of the organisation that runs the validator: one of
	// Organisations. Governance changes to the validator set are proposed
	// and approved by organisations (contracts/membership), so every
	// validator has one; only a chain without organisations leaves it
	// empty, and such a chain has no governance.
	Org string
	// Addresses are where the other nodes dial this validator: libp2p
	// multiaddrs without the /p2p/ part (the peer id is PeerID), so that
	// `qian start` needs no hand-written p2p.peers.
	Addresses []string
}

// Observer is a founding member's node that follows the chain without
// voting. Validators admit it as they admit each other; it dials them.
type Observer struct {
	Name      string  // unique among validators and observers
	Org       string  // id of the founding organisation that runs it
	PeerID    peer.ID // libp2p identity of the node
	Addresses []string
}

// Organisation is a founding member of the chain.
type Organisation struct {
	ID          string             // stable identifier, e.g. "meitan-tea-farm"
	Name        string             // legal or trading name, any script
	NameEN      string             // optional English gloss
	Roles       []Role             // at least one, no repeats
	GS1Prefixes []string           // GS1 company prefixes licensed to it
	GLNs        []string           // its Global Location Numbers, under its prefixes
	Admins      []ledger.PublicKey // account keys that administer it
	// Join holds the signatures of the join request the organisation
	// founded the chain with (`qian consortium request`), so that every
	// organisation can check that no entry was altered after it was
	// signed; nil for an organisation written by a single party
	// (`qian testnet`).
	Join *JoinSignatures
}

// ValidatorSet builds the ledger's validator set from the validators in
// file order.
func (d *Doc) ValidatorSet() (*ledger.ValidatorSet, error) {
	vals := make([]ledger.Validator, len(d.Validators))
	for i, v := range d.Validators {
		vals[i] = ledger.Validator{PubKey: v.PubKey, Power: v.Power}
	}
	s, err := ledger.NewValidatorSet(vals)
	if err != nil {
		return nil, fmt.Errorf("genesis validators: %w", err)
	}
	return s, nil
}

// ValidatorNames maps each genesis validator's key to its name, for
// reports that name the validators who signed (ledger/proof.Anchor).
func (d *Doc) ValidatorNames() map[ledger.PublicKey]string {
	out := make(map[ledger.PublicKey]string, len(d.Validators))
	for _, v := range d.Validators {
		out[v.PubKey] = v.Name
	}
	return out
}
