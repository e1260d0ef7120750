package upgrade

import (
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// State layout (docs/state.md, section 8):
//
//	u/plan          -> Plan: the scheduled upgrade (absent when none)
//	u/version       -> u64 protocol version (absent: Genesis)
//	u/done/{name}   -> u64 height of the first block executed with it
const (
	planKey     = "u/plan"
	versionKey  = "u/version"
	donePrefix  = "u/done/"
	planVersion = 1
)

// Plan is an upgrade governance scheduled: nodes commit Height with the
// rules they have and execute Height+1 with those of the upgrade Name.
type Plan struct {
	Name     string      `json:"name"`
	Height   uint64      `json:"height"`
	Proposal ledger.Hash `json:"proposal"` // the membership proposal that scheduled it
}

// Encode returns the plan's state encoding: u8 version 1, string name, u64
// height, 32-byte proposal id.
func (p *Plan) Encode() []byte {
	e := &codec.Encoder{}
	e.U8(planVersion)
	e.String(p.Name)
	e.U64(p.Height)
	e.Fixed(p.Proposal[:])
	return e.Buf
}

// DecodePlan decodes a plan record.
func DecodePlan(b []byte) (*Plan, error) {
	d := codec.NewDecoder("upgrade plan", b)
	if v := d.U8("version"); d.Err() == nil && v != planVersion {
		d.Fail("version", "unknown version %d", v)
	}
	p := &Plan{Name: d.String("name", MaxNameLen), Height: d.U64("height")}
	d.Fixed("proposal", p.Proposal[:])
	return p, d.Finish()
}

// Reader is read access to state.
type Reader = state.Store

// Writer is a transaction's overlay (a *state.Tx).
type Writer interface {
	Reader
	Set(key, value []byte)
	Delete(key []byte)
}

// GetPlan returns the scheduled upgrade, or nil.
func GetPlan(r Reader) (*Plan, error) {
	b, err := r.Get([]byte(planKey))
	if err != nil || b == nil {
		return nil, err
	}
	p, err := DecodePlan(b)
	if err != nil {
		return nil, fmt.Errorf("upgrade: corrupt plan: %w", err)
	}
	return p, nil
}

// SetPlan schedules p, replacing nothing: the caller checked there is none.
func SetPlan(w Writer, p *Plan) { w.Set([]byte(planKey), p.Encode()) }

// ClearPlan removes the scheduled upgrade.
func ClearPlan(w Writer) { w.Delete([]byte(planKey)) }

// StoredVersion returns the protocol version state holds (Genesis when it
// holds none): the version of the last block executed.
func StoredVersion(r Reader) (uint64, error) {
	b, err := r.Get([]byte(versionKey))
	if err != nil || b == nil {
		return Genesis, err
	}
	d := codec.NewDecoder("protocol version", b)
	v := d.U64("version")
	if err := d.Finish(); err != nil {
		return 0, fmt.Errorf("upgrade: corrupt protocol version: %w", err)
	}
	return v, nil
}

// Done returns the height from which the named upgrade applied, or 0.
func Done(r Reader, name string) (uint64, error) {
	b, err := r.Get([]byte(donePrefix + name))
	if err != nil || b == nil {
		return 0, err
	}
	d := codec.NewDecoder("upgrade done", b)
	h := d.U64("height")
	if err := d.Finish(); err != nil {
		return 0, fmt.Errorf("upgrade: corrupt record of %s: %w", name, err)
	}
	return h, nil
}

// Applied is an upgrade the chain went through.
type Applied struct {
	Name   string `json:"name"`
	Height uint64 `json:"height"` // the first height executed with it
}

// History lists the upgrades applied, by name.
func History(r Reader) ([]Applied, error) {
	var out []Applied
	var derr error
	err := r.Iterate([]byte(donePrefix), state.PrefixEnd([]byte(donePrefix)), func(k, v []byte) bool {
		d := codec.NewDecoder("upgrade done", v)
		a := Applied{Name: string(k[len(donePrefix):]), Height: d.U64("height")}
		if derr = d.Finish(); derr != nil {
			return false
		}
		out = append(out, a)
		return true
	})
	if err == nil {
		err = derr
	}
	return out, err
}

// ErrUnknownUpgrade: the chain scheduled an upgrade this binary does not
// know, and the height to execute is past it. Not a transaction's fault:
// the node must stop and be replaced by a binary that knows it.
var ErrUnknownUpgrade = errors.New("upgrade: this binary does not know the chain's scheduled upgrade")

// UnknownError names the upgrade a binary lacks.
type UnknownError struct {
	Plan Plan
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("the chain scheduled upgrade %q at height %d and this binary does not know it: it executes nothing after height %d", e.Plan.Name, e.Plan.Height, e.Plan.Height)
}

func (e *UnknownError) Is(target error) bool { return target == ErrUnknownUpgrade }

// Version returns the protocol version that executes block height: the
// stored one, or the version a scheduled upgrade brings once height is past
// the plan's. r is the committed state before height (CheckTx asks with the
// next height). An error when the plan is past and reg does not know it.
func Version(r Reader, reg Registry, height uint64) (uint64, error) {
	p, err := GetPlan(r)
	if err != nil {
		return 0, err
	}
	if p != nil && height > p.Height {
		v, ok := reg.Known(p.Name)
		if !ok {
			return 0, &UnknownError{Plan: *p}
		}
		return v, nil
	}
	return StoredVersion(r)
}

// Begin runs before block height's transactions: when the scheduled
// upgrade's height is height-1 (or earlier: a plan left behind can only be
// an error), it applies it to w — the new protocol version, the upgrade
// recorded as done at height, the plan cleared — and returns the upgrade
// applied. It returns *UnknownError when reg does not know it.
func Begin(w Writer, reg Registry, height uint64) (*Applied, error) {
	p, err := GetPlan(w)
	if err != nil || p == nil || height <= p.Height {
		return nil, err
	}
	v, ok := reg.Known(p.Name)
	if !ok {
		return nil, &UnknownError{Plan: *p}
	}
	e := &codec.Encoder{}
	e.U64(v)
	w.Set([]byte(versionKey), e.Buf)
	e = &codec.Encoder{}
	e.U64(height)
	w.Set([]byte(donePrefix+p.Name), e.Buf)
	ClearPlan(w)
	return &Applied{Name: p.Name, Height: height}, nil
}
