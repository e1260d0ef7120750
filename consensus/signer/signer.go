// Package signer is the validator's crash-safe signer: it signs proposals
// and votes with the validator's key, and never signs two different messages
// for one height, round and step, across crashes and restarts.
//
// Before a signature leaves Sign, the signer writes its last signed
// (height, round, step), the sign bytes (a hash; see ledger.Vote.SignBytes,
// which covers the chain's identity: chain id and genesis hash) and the
// signature to a state file: a temporary file written and fsynced,
// renamed over the state file, and the directory fsynced. After a crash at
// any instant the state file holds either the previous state or the new one,
// never a mix, and the new one is there whenever a signature could have been
// seen by anyone.
//
// Rules, after CometBFT's privval/file.go:
//   - a request for an older (height, round, step) than the last signed is
//     refused (ErrRegression);
//   - a request for the same (height, round, step) with the same sign bytes
//     returns the stored signature, so a validator that crashed between
//     persisting and sending can send it after restarting;
//   - the same (height, round, step) with different sign bytes is refused
//     (ErrConflict): that would be a double sign.
//
// Steps are ordered proposal < prevote < precommit within a round.
//
// # Key rotation
//
// A signer may hold two keys: the validator's key and the key a governance
// rotation will replace it with (OpenKeys). It signs with one at a time
// (Use), and the caller chooses, at each height, the key the height's
// validator set contains; a rotation replaces the key in the set, so no set
// contains both. The rules above apply to the node, not to a key: one state
// file records the last (height, round, step) signed with either key, so
// the validator never signs at one height with both, even across a crash at
// the switch.
package signer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/qianchain/qianchain/consensus/disk"
	"github.com/qianchain/qianchain/ledger"
)

// Step orders the messages of one round.
type Step uint8

const (
	StepProposal  Step = 1
	StepPrevote   Step = 2
	StepPrecommit Step = 3
)

var (
	// ErrConflict: a different message was already signed for this height,
	// round and step.
	ErrConflict = errors.New("signer: refusing to sign a conflicting message for a height/round/step already signed")
	// ErrRegression: the request is for a height/round/step before the last
	// one signed.
	ErrRegression = errors.New("signer: refusing to sign for a height/round/step before the last one signed")
)

// LastSigned is the persisted state.
type LastSigned struct {
	Height    uint64           `json:"height"`
	Round     uint32           `json:"round"`
	Step      Step             `json:"step"`
	SignBytes ledger.Hash      `json:"sign_bytes"`
	Signature ledger.Signature `json:"signature"`
	PubKey    ledger.PublicKey `json:"pub_key"`
}

func (l *LastSigned) cmp(h uint64, r uint32, s Step) int {
	switch {
	case h != l.Height:
		return cmp(h, l.Height)
	case r != l.Round:
		return cmp(uint64(r), uint64(l.Round))
	default:
		return cmp(uint64(s), uint64(l.Step))
	}
}

func cmp(a, b uint64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// Signer signs for one validator on one chain, with its key or, after a
// rotation, its next key. It is not safe for concurrent use: the consensus
// driver's goroutine owns it.
type Signer struct {
	fs    disk.FS
	path  string
	keys  []ledger.PrivateKey // the held keys; key is one of them
	key   ledger.PrivateKey
	pub   ledger.PublicKey
	chain ledger.ChainIdentity
	last  LastSigned
}

// Open loads the state file at path, or starts from nothing if it does not
// exist. A state file that cannot be parsed, or that belongs to another key,
// is an error: the signer never forgets what it signed. The signer signs on
// chain, whose identity every sign bytes it persists covers: a state file
// left by a build whose sign bytes covered the chain id alone loads as it
// is, and its last (height, round, step) is never signed again (its stored
// sign bytes match no new message, so a request for it is a conflict), so
// nothing is double-signed across the change.
func Open(fsys disk.FS, path string, key ledger.PrivateKey, chain ledger.ChainIdentity) (*Signer, error) {
	return OpenKeys(fsys, path, []ledger.PrivateKey{key}, chain)
}

// OpenKeys is Open for a validator holding more than one key: its key and
// the key a rotation moves it to. It signs with keys[0] until Use says
// otherwise; the state file may belong to any of the keys.
func OpenKeys(fsys disk.FS, path string, keys []ledger.PrivateKey, chain ledger.ChainIdentity) (*Signer, error) {
	if len(keys) == 0 {
		return nil, errors.New("signer: no key")
	}
	for _, k := range keys {
		if k.IsZero() {
			return nil, errors.New("signer: no key")
		}
	}
	if err := chain.Validate(); err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	s := &Signer{fs: fsys, path: path, keys: keys, key: keys[0], pub: keys[0].PublicKey(), chain: chain}
	_ = fsys.Remove(path + ".tmp") // a write that never reached its rename
	data, err := fsys.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.last = LastSigned{PubKey: s.pub}
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("signer: read %s: %w", path, err)
	}
	last, err := DecodeState(data)
	if err != nil {
		return nil, fmt.Errorf("signer: %s: %w", path, err)
	}
	if !s.Holds(last.PubKey) {
		held := make([]string, len(keys))
		for i, k := range keys {
			p := k.PublicKey()
			held[i] = p.Short()
		}
		return nil, fmt.Errorf("signer: %s belongs to key %s, not %v", path, last.PubKey.Short(), held)
	}
	s.last = *last
	return s, nil
}

// Holds reports whether pub is one of the signer's keys.
func (s *Signer) Holds(pub ledger.PublicKey) bool {
	for _, k := range s.keys {
		if k.PublicKey() == pub {
			return true
		}
	}
	return false
}

// Keys returns the public keys the signer holds, in the order given.
func (s *Signer) Keys() []ledger.PublicKey {
	out := make([]ledger.PublicKey, len(s.keys))
	for i, k := range s.keys {
		out[i] = k.PublicKey()
	}
	return out
}

// Use makes the signer sign with the held key pub from now on; the caller
// switches at a height boundary, to the key of that height's set.
func (s *Signer) Use(pub ledger.PublicKey) error {
	for _, k := range s.keys {
		if k.PublicKey() == pub {
			s.key, s.pub = k, pub
			return nil
		}
	}
	return fmt.Errorf("signer: key %s is not held", pub.Short())
}

// DecodeState parses a state file strictly: unknown fields, trailing data or
// a missing field are errors.
func DecodeState(data []byte) (*LastSigned, error) {
	var raw struct {
		Height    *uint64           `json:"height"`
		Round     *uint32           `json:"round"`
		Step      *Step             `json:"step"`
		SignBytes *ledger.Hash      `json:"sign_bytes"`
		Signature *ledger.Signature `json:"signature"`
		PubKey    *ledger.PublicKey `json:"pub_key"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	if dec.More() {
		return nil, errors.New("state file: trailing data")
	}
	if raw.Height == nil || raw.Round == nil || raw.Step == nil || raw.SignBytes == nil || raw.Signature == nil || raw.PubKey == nil {
		return nil, errors.New("state file: missing field")
	}
	if *raw.Step > StepPrecommit || (*raw.Height > 0 && *raw.Step == 0) {
		return nil, fmt.Errorf("state file: step %d out of range", *raw.Step)
	}
	return &LastSigned{Height: *raw.Height, Round: *raw.Round, Step: *raw.Step, SignBytes: *raw.SignBytes, Signature: *raw.Signature, PubKey: *raw.PubKey}, nil
}

// PublicKey is the key the signer signs with.
func (s *Signer) PublicKey() ledger.PublicKey { return s.pub }

// Last returns the last signed state.
func (s *Signer) Last() LastSigned { return s.last }

// SignVote sets v.Sig, or refuses.
func (s *Signer) SignVote(v *ledger.Vote) error {
	step := StepPrevote
	if v.Type == ledger.Precommit {
		step = StepPrecommit
	} else if v.Type != ledger.Prevote {
		return fmt.Errorf("signer: unknown vote type %d", v.Type)
	}
	sig, err := s.sign(v.Height, v.Round, step, v.SignBytes(s.chain))
	if err != nil {
		return fmt.Errorf("%s at height %d round %d: %w", v.Type, v.Height, v.Round, err)
	}
	v.Sig = sig
	return nil
}

// SignProposal sets p.Sig, or refuses.
func (s *Signer) SignProposal(p *ledger.Proposal) error {
	sig, err := s.sign(p.Height, p.Round, StepProposal, p.SignBytes(s.chain))
	if err != nil {
		return fmt.Errorf("proposal at height %d round %d: %w", p.Height, p.Round, err)
	}
	p.Sig = sig
	return nil
}

func (s *Signer) sign(h uint64, r uint32, step Step, msg ledger.Hash) (ledger.Signature, error) {
	if h == 0 {
		return ledger.Signature{}, errors.New("signer: height 0")
	}
	switch c := s.last.cmp(h, r, step); {
	case c < 0:
		return ledger.Signature{}, ErrRegression
	case c == 0 && s.last.Height > 0:
		if msg == s.last.SignBytes && s.last.PubKey == s.pub {
			return s.last.Signature, nil
		}
		return ledger.Signature{}, ErrConflict
	}
	sig, err := s.key.Sign(msg)
	if err != nil {
		return ledger.Signature{}, err
	}
	next := LastSigned{Height: h, Round: r, Step: step, SignBytes: msg, Signature: sig, PubKey: s.pub}
	if err := s.persist(&next); err != nil {
		return ledger.Signature{}, err
	}
	s.last = next
	return sig, nil
}

// persist writes the state durably: temp file, fsync, rename, fsync dir.
func (s *Signer) persist(l *LastSigned) error {
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	tmp := s.path + ".tmp"
	f, err := s.fs.Create(tmp)
	if err != nil {
		return fmt.Errorf("signer: persist: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("signer: persist: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("signer: persist: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("signer: persist: %w", err)
	}
	if err := s.fs.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("signer: persist: %w", err)
	}
	if err := s.fs.SyncDir(dirOf(s.path)); err != nil {
		return fmt.Errorf("signer: persist: %w", err)
	}
	return nil
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			if i == 0 {
				return "/"
			}
			return path[:i]
		}
	}
	return "."
}
