package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/qianchain/qianchain/consensus/signer"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/config"
)

// SignerStateFile is the signer's last-signed state in a home's data
// directory (consensus/signer). A backup never contains it and a restore
// never writes it (see backup.go).
const SignerStateFile = "priv_validator_state.json"

// guardWindow is how many of the latest stored heights the double-sign guard
// reads. A rolled-back signer can sign twice only at a height where the
// lost state had signed and the chain has not yet decided past: the guard
// runs after block sync, so those are the heights near the tip; and another
// running copy of the validator signs at the tip. A signature older than the
// window cannot conflict with anything this node signs from the tip on.
const guardWindow = 10_000

// ErrSignerBehind is matched (errors.Is) by *SignerBehindError.
var ErrSignerBehind = errors.New("the signer state is behind the chain")

// SignerBehindError: the chain holds a signature of this validator at a
// height after the last one its signer state records. The state was rolled
// back (a restore of an old home or data directory) or another copy of the
// validator is signing; either way, signing now could sign twice.
type SignerBehindError struct {
	Path   string           // the signer state file
	Last   uint64           // the height it last signed (0: none, or no file)
	Height uint64           // the highest height whose stored commit holds the signature
	Key    ledger.PublicKey // the validator key that signed it
}

func (e *SignerBehindError) Error() string {
	return fmt.Sprintf("refusing to sign: the chain holds a precommit of this validator (key %s) at height %d, but its signer state %s last signed height %d. "+
		"The signer state was rolled back (a restore of an old home or data directory) or another copy of this validator is running; signing now could sign twice. "+
		"Make sure no other copy of this validator runs, then put back its newest %s, or run `qian validator signer-advance --home HOME` to move the signer state past height %d "+
		"(docs/operations.md, \"The double-sign guard\")",
		e.Key.Short(), e.Height, e.Path, e.Last, SignerStateFile, e.Height)
}

func (e *SignerBehindError) Is(target error) bool { return target == ErrSignerBehind }

// ReadSignerState reads the signer state file at path; a missing file is
// the state of a signer that never signed (height 0).
func ReadSignerState(path string) (signer.LastSigned, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return signer.LastSigned{}, nil
	}
	if err != nil {
		return signer.LastSigned{}, fmt.Errorf("read the signer state: %w", err)
	}
	last, err := signer.DecodeState(data)
	if err != nil {
		return signer.LastSigned{}, fmt.Errorf("%s: %w", path, err)
	}
	return *last, nil
}

// LastChainSignature returns the highest height in (after, tip] (the last
// guardWindow heights at most) whose stored commit holds a precommit by one
// of keys, with the key; 0 when none does. setAt gives each height's
// validator set, whose indices the commit's signatures name.
func LastChainSignature(st *store.Store, setAt func(uint64) *ledger.ValidatorSet, keys []ledger.PublicKey, after uint64) (uint64, ledger.PublicKey, error) {
	tip := st.Height()
	lo := after + 1
	if tip > guardWindow && lo < tip-guardWindow+1 {
		lo = tip - guardWindow + 1
	}
	for h := tip; h >= lo && h > 0; h-- {
		c, err := st.Commit(h)
		if errors.Is(err, store.ErrNotFound) {
			continue // a height a snapshot restore has no certificate for
		}
		if err != nil {
			return 0, ledger.PublicKey{}, fmt.Errorf("double-sign guard: %w", err)
		}
		vals := setAt(h)
		for _, s := range c.Sigs {
			if int(s.Validator) >= vals.Size() {
				continue
			}
			pub := vals.Validators[s.Validator].PubKey
			for _, k := range keys {
				if pub == k {
					return h, k, nil
				}
			}
		}
	}
	return 0, ledger.PublicKey{}, nil
}

// checkSigner is the double-sign guard, run before consensus starts (after
// block sync, so the store holds what the peers have decided): it refuses
// when the chain shows this validator signed after its signer state's last
// height.
func (n *Node) checkSigner() error {
	keys := n.validatorKeys()
	if len(keys) == 0 {
		return nil
	}
	path := filepath.Join(n.cfg.Paths().DataDir(), SignerStateFile)
	last, err := ReadSignerState(path)
	if err != nil {
		return err
	}
	h, k, err := LastChainSignature(n.Store, n.Chain.sets.at, keys, last.Height)
	if err != nil || h == 0 {
		return err
	}
	return &SignerBehindError{Path: path, Last: last.Height, Height: h, Key: k}
}

// AdvanceSigner is the way out of a refusal by the guard, for an operator
// who has made sure no other copy of the validator runs and has no newer
// signer state to put back: with the node stopped, it moves the signer
// state of the home cfg to the last step of height tip+1, tip being the
// store's last block (block sync brought it level with the peers before the
// guard refused). The validator then signs nothing at tip+1 or below, the
// heights a lost state may have signed at, and signs again from tip+2.
// A state already at or past that point is left as it is. It returns the
// state written (or kept).
func AdvanceSigner(cfg *config.Config) (signer.LastSigned, error) {
	if cfg.Role != config.RoleValidator {
		return signer.LastSigned{}, fmt.Errorf("the home %s is not a validator's (role %s)", cfg.Home, cfg.Role)
	}
	key, err := loadValidatorKey(cfg)
	if err != nil {
		return signer.LastSigned{}, err
	}
	st, err := store.Open(filepath.Join(cfg.Paths().DataDir(), "chain"), &store.Options{ReadOnly: true})
	if err != nil {
		return signer.LastSigned{}, fmt.Errorf("%w (stop the node first)", err)
	}
	tip := st.Height()
	st.Close()
	path := filepath.Join(cfg.Paths().DataDir(), SignerStateFile)
	last, err := ReadSignerState(path)
	if err != nil {
		return signer.LastSigned{}, err
	}
	next := signer.LastSigned{Height: tip + 1, Round: ^uint32(0), Step: signer.StepPrecommit, PubKey: last.PubKey}
	if last.Height == 0 {
		next.PubKey = key.PublicKey()
	}
	if last.Height > next.Height || (last.Height == next.Height && last.Round == next.Round && last.Step == next.Step) {
		return last, nil
	}
	return next, writeSignerState(path, &next)
}

// writeSignerState replaces the state file durably, as the signer does:
// temporary file, fsync, rename, fsync of the directory.
func writeSignerState(path string, l *signer.LastSigned) error {
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
