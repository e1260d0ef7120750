package snapshot

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// A snapshot file is one file an operator can hand over:
//
//	"QIANSNAP" ‖ u32 Format
//	chunk 0 ‖ chunk 1 ‖ … (sizes in the manifest)
//	manifest (JSON) ‖ proof (JSON, or nothing when the file carries none)
//	trailer: u64 manifest offset ‖ u32 manifest length ‖ u32 proof length ‖ "QIANSNAP"
//
// integers big-endian. The manifest comes after the chunks because it names
// their hashes, which are known once they are written; the trailer has a
// fixed size so a reader finds it from the end.

var magic = []byte("QIANSNAP")

const (
	headerSize  = 12
	trailerSize = 24
)

// countingWriter counts what it writes.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeHeader(w io.Writer) error {
	_, err := w.Write(binary.BigEndian.AppendUint32(append([]byte(nil), magic...), Format))
	return err
}

func writeTail(cw *countingWriter, m *Manifest, p *Proof) error {
	off := cw.n
	mj := m.Marshal()
	var pj []byte
	if p != nil {
		pj = p.Marshal()
	}
	t := make([]byte, 0, len(mj)+len(pj)+trailerSize)
	t = append(append(t, mj...), pj...)
	t = binary.BigEndian.AppendUint64(t, uint64(off))
	t = binary.BigEndian.AppendUint32(t, uint32(len(mj)))
	t = binary.BigEndian.AppendUint32(t, uint32(len(pj)))
	_, err := cw.Write(append(t, magic...))
	return err
}

// File is an open snapshot file. Its manifest and proof are parsed but not
// verified (Verify does that).
type File struct {
	f        *os.File
	Manifest *Manifest
	Proof    *Proof // nil when the file carries none
	offsets  []int64
}

// OpenFile opens and parses a snapshot file.
func OpenFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	sf, err := readFile(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return sf, nil
}

func readFile(f *os.File) (*File, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < headerSize+trailerSize {
		return nil, fail(ErrFormat, "%s: %d bytes is too short for a snapshot file", f.Name(), size)
	}
	head := make([]byte, headerSize)
	tail := make([]byte, trailerSize)
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, err
	}
	if _, err := f.ReadAt(tail, size-trailerSize); err != nil {
		return nil, err
	}
	if !bytes.Equal(head[:8], magic) || !bytes.Equal(tail[16:], magic) {
		return nil, fail(ErrFormat, "%s is not a qian snapshot file", f.Name())
	}
	if v := binary.BigEndian.Uint32(head[8:]); v != Format {
		return nil, fail(ErrFormat, "%s: snapshot format %d; this build reads format %d", f.Name(), v, Format)
	}
	off := binary.BigEndian.Uint64(tail)
	ml, pl := int64(binary.BigEndian.Uint32(tail[8:])), int64(binary.BigEndian.Uint32(tail[12:]))
	if off < headerSize || off > uint64(size) || ml > MaxManifestSize || pl > MaxProofSize || int64(off)+ml+pl != size-trailerSize {
		return nil, fail(ErrFormat, "%s: the trailer's offsets do not fit the file", f.Name())
	}
	raw := make([]byte, ml+pl)
	if _, err := f.ReadAt(raw, int64(off)); err != nil {
		return nil, err
	}
	m, err := ParseManifest(raw[:ml])
	if err != nil {
		return nil, err
	}
	sf := &File{f: f, Manifest: m}
	if pl > 0 {
		if sf.Proof, err = ParseProof(raw[ml:]); err != nil {
			return nil, err
		}
	}
	pos := int64(headerSize)
	for _, c := range m.Chunks {
		sf.offsets = append(sf.offsets, pos)
		pos += int64(c.Size)
	}
	if pos != int64(off) {
		return nil, fail(ErrFormat, "%s: the manifest's chunks take %d bytes, the file holds %d", f.Name(), pos-headerSize, int64(off)-headerSize)
	}
	return sf, nil
}

// Chunk reads chunk i (not checked: Restorer.Add checks it).
func (f *File) Chunk(i int) ([]byte, error) {
	if i < 0 || i >= len(f.offsets) {
		return nil, fmt.Errorf("chunk %d of %d", i, len(f.offsets))
	}
	buf := make([]byte, f.Manifest.Chunks[i].Size)
	if _, err := f.f.ReadAt(buf, f.offsets[i]); err != nil {
		return nil, fmt.Errorf("read chunk %d: %w", i, err)
	}
	return buf, nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// AttachProof rewrites the file's tail with p: for a snapshot made at the
// tip, whose proving header did not exist yet.
func AttachProof(path string, p *Proof) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	sf, err := readFile(f)
	if err != nil {
		return err
	}
	end := int64(headerSize)
	for _, c := range sf.Manifest.Chunks {
		end += int64(c.Size)
	}
	if err := f.Truncate(end); err != nil {
		return err
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		return err
	}
	cw := &countingWriter{w: f, n: end}
	if err := writeTail(cw, sf.Manifest, p); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return nil
}
