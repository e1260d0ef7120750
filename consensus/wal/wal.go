// Package wal is the consensus write-ahead log: an append-only file of
// records, each framed with its length and a CRC-32C, with height markers so
// that a restarted node replays only the height it was working on.
//
// Frame layout (big-endian):
//
//	length u32 | crc32c(payload) u32 | payload (length bytes, 1 to MaxRecordBytes)
//	payload = 0x00 | height u64      a height marker
//	        | 0x01 | data            a record
//
// Durability: Append with sync=true returns only after the record and every
// record before it are on disk. A crash can cut the last frame short (or
// leave it with a bad checksum, or leave zeros where it should be); Open
// drops such a torn tail and truncates the file to the last whole frame. Any
// other damage (a bad frame followed by more data) is ErrCorrupt: the log
// cannot be trusted and the operator must decide.
//
// What goes into records, and in which order, is the caller's protocol
// (see consensus/driver): inputs before they are handled, own messages with
// a synced write, a marker when a height starts.
package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"

	"github.com/qianchain/qianchain/consensus/disk"
	"github.com/qianchain/qianchain/consensus/wire"
)

// MaxRecordBytes bounds a record: a consensus message and headroom.
const MaxRecordBytes = wire.MaxMessageBytes + 4096

// DefaultRotateBytes is the size above which StartHeight starts a new file.
const DefaultRotateBytes = 4 << 20

const (
	frameHeader = 8
	kindMarker  = 0x00
	kindRecord  = 0x01
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt matches errors for a log damaged somewhere other than its tail.
var ErrCorrupt = errors.New("wal: corrupt")

// CorruptError locates the damage.
type CorruptError struct {
	Offset int64
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("wal: corrupt at byte %d: %s", e.Offset, e.Reason)
}

func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// Replay is what Open found in the log.
type Replay struct {
	// Height is the height of the last marker, 0 if there is none.
	Height uint64
	// Records are the records after the last marker, in order.
	Records [][]byte
	// TornBytes is how many bytes of a torn tail were dropped.
	TornBytes int
}

// WAL is an open log. It is not safe for concurrent use.
type WAL struct {
	fs   disk.FS
	path string
	f    disk.File
	size int64
	// RotateBytes: StartHeight writes its marker into a fresh file once the
	// log is larger than this. Zero means DefaultRotateBytes.
	RotateBytes int64
	// buf is the last frame written, kept for the next: a validator logs
	// every proposal it receives (hundreds of kilobytes under load), and a
	// fresh buffer per frame is a large allocation each time. A buffer of
	// more than maxKeptBuf bytes' capacity is not kept. It relies on
	// disk.File.Write not keeping what it is given.
	buf []byte
}

// maxKeptBuf bounds the frame buffer a WAL keeps between appends: a
// proposal's block under load, not the largest record allowed.
const maxKeptBuf = 2 << 20

// Open opens (creating if absent) the log at path, drops a torn tail, and
// returns what it holds for the last height.
func Open(fsys disk.FS, path string) (*WAL, *Replay, error) {
	_ = fsys.Remove(path + ".new") // a rotation that never reached its rename
	data, err := fsys.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("wal: read %s: %w", path, err)
	}
	rep, good, err := Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("wal: %s: %w", path, err)
	}
	if good < len(data) {
		if err := fsys.Truncate(path, int64(good)); err != nil {
			return nil, nil, fmt.Errorf("wal: drop torn tail of %s: %w", path, err)
		}
	}
	f, err := fsys.OpenAppend(path)
	if err != nil {
		return nil, nil, fmt.Errorf("wal: open %s: %w", path, err)
	}
	if good < len(data) {
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("wal: sync %s: %w", path, err)
		}
	}
	return &WAL{fs: fsys, path: path, f: f, size: int64(good)}, rep, nil
}

// Parse reads a log's bytes. It returns the replay, and the length of the
// prefix made of whole frames (the rest is a torn tail), or a *CorruptError.
func Parse(data []byte) (*Replay, int, error) {
	rep := &Replay{}
	off := 0
	for off < len(data) {
		rest := data[off:]
		if len(rest) < frameHeader {
			break // torn header
		}
		n := int(binary.BigEndian.Uint32(rest[0:4]))
		sum := binary.BigEndian.Uint32(rest[4:8])
		if n == 0 || n > MaxRecordBytes {
			if allZero(rest) {
				break // zeros where a frame was about to be written
			}
			return nil, 0, &CorruptError{Offset: int64(off), Reason: fmt.Sprintf("frame length %d out of range", n)}
		}
		if len(rest)-frameHeader < n {
			break // torn payload
		}
		payload := rest[frameHeader : frameHeader+n]
		if crc32.Checksum(payload, castagnoli) != sum {
			if frameHeader+n == len(rest) {
				break // the last frame, half written
			}
			return nil, 0, &CorruptError{Offset: int64(off), Reason: "checksum mismatch"}
		}
		switch payload[0] {
		case kindMarker:
			if n != 9 {
				return nil, 0, &CorruptError{Offset: int64(off), Reason: fmt.Sprintf("height marker of %d bytes", n)}
			}
			rep.Height = binary.BigEndian.Uint64(payload[1:])
			rep.Records = nil
		case kindRecord:
			rep.Records = append(rep.Records, append([]byte(nil), payload[1:]...))
		default:
			return nil, 0, &CorruptError{Offset: int64(off), Reason: fmt.Sprintf("unknown frame kind 0x%02x", payload[0])}
		}
		off += frameHeader + n
	}
	rep.TornBytes = len(data) - off
	return rep, off, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func frame(kind byte, body []byte) []byte { return appendFrame(nil, kind, body) }

// appendFrame appends to dst one frame of kind whose payload continues with
// the concatenation of parts.
func appendFrame(dst []byte, kind byte, parts ...[]byte) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, frameHeader)...)
	dst = append(dst, kind)
	for _, p := range parts {
		dst = append(dst, p...)
	}
	out := dst[start:]
	binary.BigEndian.PutUint32(out[0:4], uint32(len(out)-frameHeader))
	binary.BigEndian.PutUint32(out[4:8], crc32.Checksum(out[frameHeader:], castagnoli))
	return dst
}

// Append writes a record; with sync, it returns after the record (and all
// before it) is durable.
func (w *WAL) Append(rec []byte, sync bool) error { return w.AppendParts(sync, rec) }

// AppendParts writes one record whose bytes are the concatenation of parts,
// as Append does: a caller that tags a large message with a byte of its own
// need not copy the message to join them.
func (w *WAL) AppendParts(sync bool, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n+1 > MaxRecordBytes {
		return fmt.Errorf("wal: record of %d bytes exceeds limit %d", n, MaxRecordBytes-1)
	}
	b := appendFrame(w.buf[:0], kindRecord, parts...)
	if cap(b) <= maxKeptBuf {
		w.buf = b
	}
	if _, err := w.f.Write(b); err != nil {
		return fmt.Errorf("wal: append: %w", err)
	}
	w.size += int64(len(b))
	if sync {
		return w.Sync()
	}
	return nil
}

// Sync makes every appended record durable.
func (w *WAL) Sync() error {
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("wal: sync: %w", err)
	}
	return nil
}

// StartHeight writes a synced marker for height h: a later Open replays only
// what follows it. When the log has grown past RotateBytes, the marker goes
// into a fresh file that atomically replaces the old one.
func (w *WAL) StartHeight(h uint64) error {
	var body [8]byte
	binary.BigEndian.PutUint64(body[:], h)
	b := frame(kindMarker, body[:])
	limit := w.RotateBytes
	if limit == 0 {
		limit = DefaultRotateBytes
	}
	if w.size <= limit {
		if _, err := w.f.Write(b); err != nil {
			return fmt.Errorf("wal: marker: %w", err)
		}
		w.size += int64(len(b))
		return w.Sync()
	}
	tmp := w.path + ".new"
	f, err := w.fs.Create(tmp)
	if err != nil {
		return fmt.Errorf("wal: rotate: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("wal: rotate: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("wal: rotate: %w", err)
	}
	f.Close()
	w.f.Close()
	if err := w.fs.Rename(tmp, w.path); err != nil {
		return fmt.Errorf("wal: rotate: %w", err)
	}
	if err := w.fs.SyncDir(dirOf(w.path)); err != nil {
		return fmt.Errorf("wal: rotate: %w", err)
	}
	nf, err := w.fs.OpenAppend(w.path)
	if err != nil {
		return fmt.Errorf("wal: rotate: %w", err)
	}
	w.f, w.size = nf, int64(len(b))
	return nil
}

// Close closes the file. Unsynced records may be lost.
func (w *WAL) Close() error { return w.f.Close() }

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
