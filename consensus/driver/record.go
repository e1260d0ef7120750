package driver

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/consensus"
	"github.com/qianchain/qianchain/consensus/wire"
	"github.com/qianchain/qianchain/ledger"
)

// WAL records. Each is one type byte and a body:
//
//	0x01 message   wire bytes of a proposal, vote or decided message, as received
//	               (own messages too, after signing)
//	0x02 timeout   height u64 | round u32 | step u8
//	0x03 block     height u64 | round u32 | ledger block encoding: a block to propose
//	0x04 state     height u64 | round u32 | step u8 | lockedRound i32 | locked hash? |
//	               validRound i32 | valid hash?   (hash?: 0x00, or 0x01 and 32 bytes)
const (
	recMessage byte = 0x01
	recTimeout byte = 0x02
	recBlock   byte = 0x03
	recState   byte = 0x04
)

var errRecord = errors.New("driver: malformed WAL record")

func encodeTimeout(t consensus.Timeout) []byte {
	b := []byte{recTimeout}
	b = binary.BigEndian.AppendUint64(b, t.Height)
	b = binary.BigEndian.AppendUint32(b, t.Round)
	return append(b, byte(t.Step))
}

func encodeBlock(h uint64, r uint32, blk *ledger.Block) []byte {
	b := make([]byte, 0, 1+8+4+blk.EncodedLen())
	b = append(b, recBlock)
	b = binary.BigEndian.AppendUint64(b, h)
	b = binary.BigEndian.AppendUint32(b, r)
	return blk.AppendEncoding(b)
}

func appendOptHash(b []byte, h *ledger.Hash) []byte {
	if h == nil {
		return append(b, 0)
	}
	return append(append(b, 1), h[:]...)
}

func encodeState(s consensus.State) []byte {
	b := []byte{recState}
	b = binary.BigEndian.AppendUint64(b, s.Height)
	b = binary.BigEndian.AppendUint32(b, s.Round)
	b = append(b, byte(s.Step))
	b = binary.BigEndian.AppendUint32(b, uint32(s.LockedRound))
	b = appendOptHash(b, s.LockedHash)
	b = binary.BigEndian.AppendUint32(b, uint32(s.ValidRound))
	return appendOptHash(b, s.ValidHash)
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = errRecord
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u64() uint64 { return binary.BigEndian.Uint64(r.take(8)) }
func (r *reader) u32() uint32 { return binary.BigEndian.Uint32(r.take(4)) }
func (r *reader) u8() uint8   { return r.take(1)[0] }

func (r *reader) optHash() *ledger.Hash {
	switch r.u8() {
	case 0:
		return nil
	case 1:
		var h ledger.Hash
		copy(h[:], r.take(32))
		return &h
	}
	r.err = errRecord
	return nil
}

// decoded is one WAL record.
type decoded struct {
	kind  byte
	msg   wire.Message
	input consensus.Input
	state consensus.State
}

func decodeRecord(rec []byte) (decoded, error) {
	if len(rec) == 0 {
		return decoded{}, errRecord
	}
	d := decoded{kind: rec[0]}
	r := &reader{b: rec[1:]}
	switch rec[0] {
	case recMessage:
		m, err := wire.Decode(rec[1:])
		if err != nil {
			return d, fmt.Errorf("%w: %v", errRecord, err)
		}
		d.msg = m
		return d, nil
	case recTimeout:
		d.input = consensus.TimeoutFired{Timeout: consensus.Timeout{Height: r.u64(), Round: r.u32(), Step: consensus.Step(r.u8())}}
	case recBlock:
		h, rd := r.u64(), r.u32()
		if r.err != nil {
			return d, r.err
		}
		blk, err := ledger.DecodeBlock(r.b)
		if err != nil {
			return d, fmt.Errorf("%w: %v", errRecord, err)
		}
		r.b = nil
		d.input = consensus.BlockToPropose{Height: h, Round: rd, Block: blk}
	case recState:
		d.state = consensus.State{Height: r.u64(), Round: r.u32(), Step: consensus.Step(r.u8())}
		d.state.LockedRound = int32(r.u32())
		d.state.LockedHash = r.optHash()
		d.state.ValidRound = int32(r.u32())
		d.state.ValidHash = r.optHash()
	default:
		return d, errRecord
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errRecord
	}
	return d, r.err
}

// inputOf converts a received wire message into a machine input.
func inputOf(m wire.Message) consensus.Input {
	switch m := m.(type) {
	case *wire.Proposal:
		return consensus.ProposalMessage{Proposal: m.Proposal, Block: m.Block}
	case *wire.Vote:
		return consensus.VoteMessage{Vote: m.Vote}
	case *wire.Decided:
		return consensus.CatchUp{Block: m.Block, Commit: m.Commit}
	}
	return nil
}

// wireOf converts a machine message to a wire message.
func wireOf(m consensus.Message) wire.Message {
	if m.Vote != nil {
		return &wire.Vote{Vote: m.Vote}
	}
	return &wire.Proposal{Proposal: m.Proposal, Block: m.Block}
}
