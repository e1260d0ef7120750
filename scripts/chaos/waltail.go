package main

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/qianchain/qianchain/consensus/wal"
	"github.com/qianchain/qianchain/consensus/wire"
)

// walTail follows one node's consensus write-ahead log (data/cs.wal) as it
// grows and hands every signed message in it — the node's own votes and
// proposals, and those it received — to a voteBook. The log's format is
// consensus/wal's (frames of length u32, CRC-32C u32, payload; payload
// kind 0x01 is a record) and consensus/driver's (record type 0x01 is a
// consensus wire message).
//
// The log is rotated by renaming a fresh file over it; the tail keeps the
// old file open, reads it to its end, then moves to the new one, so no
// record is missed. A restart may truncate a torn tail, which only ever
// removes bytes the tail has not accepted (it accepts whole frames with a
// good checksum only). Safe for concurrent use.
type walTail struct {
	mu    sync.Mutex
	path  string
	where string // name for reports, e.g. "node2 WAL"
	book  *voteBook

	f    *os.File
	off  int64  // bytes of f consumed (whole frames)
	buf  []byte // bytes read past off that do not yet form a frame
	bad  int    // frames that did not decode (reported, not fatal)
	read int64  // total bytes consumed, over all files
}

const (
	walFrameHeader = 8
	walKindRecord  = 0x01
	walRecMessage  = 0x01
)

var walCRC = crc32.MakeTable(crc32.Castagnoli)

func newWALTail(path, where string, book *voteBook) *walTail {
	return &walTail{path: path, where: where, book: book}
}

// Poll reads whatever the log gained since the last poll.
func (t *walTail) Poll() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.poll()
}

func (t *walTail) poll() error {
	if t.f == nil {
		f, err := os.Open(t.path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		t.f, t.off, t.buf = f, 0, nil
	}
	if err := t.drain(); err != nil {
		return err
	}
	// Rotated (or removed and recreated)? Finish the old file, then switch.
	cur, err := t.f.Stat()
	if err != nil {
		return err
	}
	now, err := os.Stat(t.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !os.SameFile(cur, now) {
		if err := t.drain(); err != nil {
			return err
		}
		t.f.Close()
		t.f = nil
		return t.poll()
	}
	if now.Size() < t.off {
		// Truncated under us (a restart dropped a torn tail we had not
		// accepted): carry on from the new end.
		t.off, t.buf = now.Size(), nil
	}
	return nil
}

// AfterExit is called once the node's process has exited: it reads the
// log to its end and forgets a torn last frame, which the restarted node
// will cut off before appending.
func (t *walTail) AfterExit() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.poll()
	t.buf = nil
	return err
}

// Close releases the file (before the node's data is wiped).
func (t *walTail) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}

func (t *walTail) drain() error {
	chunk := make([]byte, 1<<20)
	for {
		n, err := t.f.ReadAt(chunk, t.off+int64(len(t.buf)))
		t.buf = append(t.buf, chunk[:n]...)
		used := t.frames(t.buf)
		t.off += int64(used)
		t.read += int64(used)
		t.buf = append(t.buf[:0], t.buf[used:]...)
		if err == io.EOF || n == 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// frames consumes the whole, checksummed frames at the start of b and
// returns how many bytes they took.
func (t *walTail) frames(b []byte) int {
	off := 0
	for {
		rest := b[off:]
		if len(rest) < walFrameHeader {
			return off
		}
		n := int(binary.BigEndian.Uint32(rest[0:4]))
		if n == 0 || n > wal.MaxRecordBytes || len(rest)-walFrameHeader < n {
			return off // not yet written (or zeros ahead of a write)
		}
		payload := rest[walFrameHeader : walFrameHeader+n]
		if crc32.Checksum(payload, walCRC) != binary.BigEndian.Uint32(rest[4:8]) {
			if len(rest) == walFrameHeader+n {
				return off // the last frame, half written: wait for the rest
			}
			t.bad++ // damaged in the middle: skip it
			off += walFrameHeader + n
			continue
		}
		off += walFrameHeader + n
		if payload[0] != walKindRecord || len(payload) < 2 || payload[1] != walRecMessage {
			continue // a height marker, a timeout, a block to propose, a state
		}
		m, err := wire.Decode(payload[2:])
		if err != nil {
			t.bad++
			continue
		}
		switch m := m.(type) {
		case *wire.Vote:
			t.book.AddVote(m.Vote, t.where)
		case *wire.Proposal:
			t.book.AddProposal(m.Proposal, t.where)
		case *wire.Decided:
			t.book.AddCommit(m.Commit, t.where)
		}
	}
}

// bytesRead is how many bytes of whole frames the tail has read.
func (t *walTail) bytesRead() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.read
}
