package consensus

import (
	"errors"
	"time"

	"github.com/qianchain/qianchain/ledger"
)

// Config is what a Machine needs besides its inputs. It holds no key: the
// machine only ever asks its caller to sign.
type Config struct {
	// Chain is the chain's identity (chain id and genesis hash, from
	// genesis.Doc.Identity), covered by every signature the machine
	// checks; blocks must carry its chain id.
	Chain ledger.ChainIdentity
	// Timeouts says how long each step waits; they grow with the round.
	Timeouts Timeouts
	// Verifier checks signatures. Nil means KeyVerifier, which checks each
	// one with the BIP-340 verification of ledger.PublicKey. A caller may
	// supply a caching verifier (the simulator does): the result of a
	// verification depends only on its three arguments.
	Verifier Verifier
	// MaxFutureMessages bounds how many messages for the next height are
	// kept until the caller starts it. Zero means 64 + 4 per validator.
	MaxFutureMessages int
}

// Verifier reports whether sig is key's signature of msg.
type Verifier interface {
	Verify(key ledger.PublicKey, msg ledger.Hash, sig ledger.Signature) bool
}

// KeyVerifier verifies every signature with ledger.PublicKey.Verify.
type KeyVerifier struct{}

func (KeyVerifier) Verify(key ledger.PublicKey, msg ledger.Hash, sig ledger.Signature) bool {
	return key.Verify(msg, sig)
}

// Timeouts are the step timeouts of Algorithm 1 (timeoutPropose(r),
// timeoutPrevote(r), timeoutPrecommit(r)): each is Base + r*Delta, so that
// after the network stabilises some round's timeouts exceed the message
// delay and the round can succeed (the paper's partial-synchrony argument).
type Timeouts struct {
	Propose, ProposeDelta     time.Duration
	Prevote, PrevoteDelta     time.Duration
	Precommit, PrecommitDelta time.Duration
}

// DefaultTimeouts suit a validator set spread over a wide-area network.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		Propose: 3 * time.Second, ProposeDelta: 500 * time.Millisecond,
		Prevote: 1 * time.Second, PrevoteDelta: 500 * time.Millisecond,
		Precommit: 1 * time.Second, PrecommitDelta: 500 * time.Millisecond,
	}
}

// For returns the duration of step's timeout in round r.
func (t Timeouts) For(step Step, r uint32) time.Duration {
	switch step {
	case StepPropose:
		return t.Propose + time.Duration(r)*t.ProposeDelta
	case StepPrevote:
		return t.Prevote + time.Duration(r)*t.PrevoteDelta
	default:
		return t.Precommit + time.Duration(r)*t.PrecommitDelta
	}
}

func (t Timeouts) validate() error {
	if t.Propose <= 0 || t.Prevote <= 0 || t.Precommit <= 0 {
		return errors.New("consensus: timeouts must be positive")
	}
	if t.ProposeDelta < 0 || t.PrevoteDelta < 0 || t.PrecommitDelta < 0 {
		return errors.New("consensus: timeout deltas must not be negative")
	}
	return nil
}

// Application answers the one question consensus asks of the application:
// is this block valid at the machine's current height? Header building,
// execution and storage stay with the caller.
//
// ValidateBlock must be deterministic given the committed chain (every honest
// validator must reach the same answer for the same block at the same
// height), must not keep a reference to the block, and is called at most once
// per distinct block per height. The machine has already checked that the
// block's chain id and height are right and that its header matches its
// contents (ledger.Block.ValidateContents). An error means "invalid": the
// machine prevotes nil for it (Algorithm 1 lines 23, 29) and never locks on
// or decides it.
type Application interface {
	ValidateBlock(b *ledger.Block) error
}
