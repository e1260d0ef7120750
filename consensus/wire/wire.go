// Package wire is the byte form of consensus messages between nodes: a
// proposal with its block, a vote, a decided block with its commit (for a
// peer that is behind), and a status saying which height a node is at.
//
// Each message is one kind byte followed by the message's fields, built from
// the ledger's canonical encodings:
//
//	proposal (0x01): len(P) P len(B) B   P = ledger.Proposal.Encode, B = ledger.Block.Encode
//	vote     (0x02): V                   V = ledger.Vote.Encode (the rest of the message)
//	decided  (0x03): len(B) B len(C) C   C = ledger.Commit.Encode
//	status   (0x04): height              u64 big-endian, at least 1
//
// where len is an unsigned LEB128 varint in its shortest form. Every message
// has exactly one encoding: Decode rejects unknown kinds, non-minimal
// lengths, trailing bytes, anything the ledger decoders reject, and messages
// whose parts disagree (a proposal naming another block than the one it
// carries, a commit for another block). A message is at most MaxMessageBytes;
// a transport should refuse longer frames before reading them.
//
// Signatures are not checked here: the consensus machine checks them against
// the validator set of the height.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

// MaxMessageBytes caps a message: the largest block, its commit and
// headroom.
const MaxMessageBytes = ledger.MaxBlockBytes + 256<<10

// Kind is a message's first byte.
type Kind uint8

const (
	KindProposal Kind = 0x01
	KindVote     Kind = 0x02
	KindDecided  Kind = 0x03
	KindStatus   Kind = 0x04
)

func (k Kind) String() string {
	switch k {
	case KindProposal:
		return "proposal"
	case KindVote:
		return "vote"
	case KindDecided:
		return "decided"
	case KindStatus:
		return "status"
	}
	return fmt.Sprintf("Kind(0x%02x)", uint8(k))
}

// Message is one of *Proposal, *Vote, *Decided, *Status.
type Message interface {
	Kind() Kind
	// Height is the consensus height the message is about.
	Height() uint64
}

// Proposal is a signed proposal and the block it names.
type Proposal struct {
	Proposal *ledger.Proposal
	Block    *ledger.Block
}

// Vote is a signed prevote or precommit.
type Vote struct {
	Vote *ledger.Vote
}

// Decided is a decided block and a commit certificate for it: the answer to
// a peer that is behind.
type Decided struct {
	Block  *ledger.Block
	Commit *ledger.Commit
}

// Status says the sender is working on Height. A peer that has already
// decided that height answers with Decided.
type Status struct {
	At uint64
}

func (*Proposal) Kind() Kind { return KindProposal }
func (*Vote) Kind() Kind     { return KindVote }
func (*Decided) Kind() Kind  { return KindDecided }
func (*Status) Kind() Kind   { return KindStatus }

func (m *Proposal) Height() uint64 { return m.Proposal.Height }
func (m *Vote) Height() uint64     { return m.Vote.Height }
func (m *Decided) Height() uint64  { return m.Commit.Height }
func (m *Status) Height() uint64   { return m.At }

// Encode returns the message's canonical bytes. It panics on a message with
// a nil part, which is a programming error in the caller.
func Encode(m Message) []byte {
	switch m := m.(type) {
	case *Proposal:
		p, n := m.Proposal.Encode(), m.Block.EncodedLen()
		out := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(p)+n)
		out = append(out, byte(KindProposal))
		out = appendBytes(out, p)
		return appendBlock(out, m.Block, n)
	case *Vote:
		v := m.Vote.Encode()
		return append([]byte{byte(KindVote)}, v...)
	case *Decided:
		n, c := m.Block.EncodedLen(), m.Commit.Encode()
		out := make([]byte, 0, 1+2*binary.MaxVarintLen64+n+len(c))
		out = append(out, byte(KindDecided))
		out = appendBlock(out, m.Block, n)
		return appendBytes(out, c)
	case *Status:
		return binary.BigEndian.AppendUint64([]byte{byte(KindStatus)}, m.At)
	}
	panic(fmt.Sprintf("wire: cannot encode %T", m))
}

func appendBytes(out, b []byte) []byte {
	out = binary.AppendUvarint(out, uint64(len(b)))
	return append(out, b...)
}

// appendBlock appends a block as appendBytes would its encoding, of n bytes
// (Block.EncodedLen), without encoding it into a buffer of its own first: a
// proposal's block is megabytes.
func appendBlock(out []byte, blk *ledger.Block, n int) []byte {
	out = binary.AppendUvarint(out, uint64(n))
	return blk.AppendEncoding(out)
}

// ErrMalformed matches every decoding error (errors.Is).
var ErrMalformed = errors.New("wire: malformed message")

// DecodeError says why bytes are not a canonical message.
type DecodeError struct {
	Field  string
	Reason string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("wire: malformed message: %s: %s", e.Field, e.Reason)
}

func (e *DecodeError) Is(target error) bool { return target == ErrMalformed }

func fail(field, format string, args ...any) error {
	return &DecodeError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Decode parses a message, rejecting anything Encode would not produce.
// The result never aliases b.
func Decode(b []byte) (Message, error) { return DecodeKnown(b, nil) }

// DecodeKnown is Decode, taking the transactions of a block from known
// where it has them (ledger.DecodeBlockKnown): a validator's mempool holds
// most of a proposal's transactions, decoded already. The result still
// never aliases b, but its block may share transactions with known's owner.
func DecodeKnown(b []byte, known ledger.KnownTx) (Message, error) {
	if len(b) > MaxMessageBytes {
		return nil, fail("(whole)", "%d bytes exceeds limit %d", len(b), MaxMessageBytes)
	}
	if len(b) == 0 {
		return nil, fail("kind", "empty message")
	}
	body := b[1:]
	switch Kind(b[0]) {
	case KindProposal:
		pb, rest, err := takeBytes("proposal", body)
		if err != nil {
			return nil, err
		}
		bb, rest, err := takeBytes("block", rest)
		if err != nil {
			return nil, err
		}
		if len(rest) != 0 {
			return nil, fail("(end)", "%d trailing bytes", len(rest))
		}
		p, err := ledger.DecodeProposal(pb)
		if err != nil {
			return nil, fail("proposal", "%v", err)
		}
		blk, err := ledger.DecodeBlockKnown(bb, known)
		if err != nil {
			return nil, fail("block", "%v", err)
		}
		if h := blk.Hash(); h != p.BlockHash {
			return nil, fail("block", "proposal names block %s, message carries %s", p.BlockHash.Short(), h.Short())
		}
		if blk.Header.Height != p.Height {
			return nil, fail("block", "block height %d, proposal height %d", blk.Header.Height, p.Height)
		}
		return &Proposal{Proposal: p, Block: blk}, nil
	case KindVote:
		v, err := ledger.DecodeVote(body)
		if err != nil {
			return nil, fail("vote", "%v", err)
		}
		return &Vote{Vote: v}, nil
	case KindDecided:
		bb, rest, err := takeBytes("block", body)
		if err != nil {
			return nil, err
		}
		cb, rest, err := takeBytes("commit", rest)
		if err != nil {
			return nil, err
		}
		if len(rest) != 0 {
			return nil, fail("(end)", "%d trailing bytes", len(rest))
		}
		blk, err := ledger.DecodeBlockKnown(bb, known)
		if err != nil {
			return nil, fail("block", "%v", err)
		}
		c, err := ledger.DecodeCommit(cb)
		if err != nil {
			return nil, fail("commit", "%v", err)
		}
		if h := blk.Hash(); h != c.BlockHash || blk.Header.Height != c.Height {
			return nil, fail("commit", "commit is for block %s at height %d, message carries %s at height %d", c.BlockHash.Short(), c.Height, h.Short(), blk.Header.Height)
		}
		return &Decided{Block: blk, Commit: c}, nil
	case KindStatus:
		if len(body) != 8 {
			return nil, fail("height", "status body is %d bytes, want 8", len(body))
		}
		h := binary.BigEndian.Uint64(body)
		if h == 0 {
			return nil, fail("height", "height must be at least 1")
		}
		return &Status{At: h}, nil
	}
	return nil, fail("kind", "unknown message kind 0x%02x", b[0])
}

// takeBytes reads a shortest-form length and that many bytes.
func takeBytes(field string, b []byte) (v, rest []byte, err error) {
	n, k := binary.Uvarint(b)
	switch {
	case k == 0:
		return nil, nil, fail(field+" length", "truncated varint")
	case k < 0:
		return nil, nil, fail(field+" length", "varint overflows 64 bits")
	case k != len(binary.AppendUvarint(nil, n)):
		return nil, nil, fail(field+" length", "non-minimal varint")
	case n > uint64(len(b)-k):
		return nil, nil, fail(field, "length %d exceeds the %d bytes left", n, len(b)-k)
	}
	return b[k : k+int(n)], b[k+int(n):], nil
}
