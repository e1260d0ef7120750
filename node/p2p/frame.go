package p2p

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrFrameTooLarge is returned for a frame whose length prefix exceeds the
// protocol's cap. The frame's payload is never read.
var ErrFrameTooLarge = errors.New("frame exceeds the protocol's size limit")

// ErrPeerBudget is returned when a frame would take its peer past the
// memory its unfinished frames may hold (Config.PeerBudget).
var ErrPeerBudget = errors.New("frames in progress exceed the peer's memory budget")

// frameChunk is the first buffer of a frame's payload, allocated once its
// first byte has arrived.
const frameChunk = 64 << 10

// writeFrame writes a varint length and the payload.
func writeFrame(w io.Writer, payload []byte) error {
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(payload)))
	if _, err := w.Write(hdr[:n]); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

// readFrame reads one frame of at most limit bytes, charging the memory it
// holds to acct (nil: none).
//
// The length prefix is only a claim: the buffer is not allocated at the
// announced size, or at all, before payload bytes arrive. It starts at
// frameChunk once the first byte is there and doubles (up to the announced
// size) only when full, so a frame never holds more than twice what its
// sender has actually sent, and a peer announcing 64 MiB on many streams
// and sending nothing costs nothing. Each growth is charged to acct first;
// a growth the peer's budget cannot take fails the frame with
// ErrPeerBudget. Whatever happens, the charge is returned when readFrame
// returns: the frame then belongs to the caller.
func readFrame(r *bufio.Reader, limit int, acct *account) ([]byte, error) {
	n64, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n64 > uint64(limit) {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n64, limit)
	}
	n := int(n64)
	if n == 0 {
		return []byte{}, nil
	}
	acct.begin()
	held := 0
	defer func() { acct.end(held) }()
	if _, err := r.Peek(1); err != nil { // nothing is allocated until a byte is here
		return nil, err
	}
	var buf []byte
	for len(buf) < n {
		if len(buf) == cap(buf) {
			c := min(n, max(frameChunk, 2*cap(buf)))
			if !acct.take(c - cap(buf)) {
				return nil, fmt.Errorf("%w: %d bytes would be held", ErrPeerBudget, acct.held()+c-cap(buf))
			}
			held += c - cap(buf)
			grown := make([]byte, len(buf), c)
			copy(grown, buf)
			buf = grown
		}
		k, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err != nil && len(buf) < n {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return buf, nil
}
