package wal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/qianchain/qianchain/consensus/disk"
)

func rec(i int) []byte { return []byte(fmt.Sprintf("record %d", i)) }

func TestReplayAfterLastMarker(t *testing.T) {
	fs := disk.NewMem()
	w, rep, err := Open(fs, "wal")
	if err != nil || rep.Height != 0 || len(rep.Records) != 0 {
		t.Fatalf("fresh log: %v %+v", err, rep)
	}
	must(t, w.StartHeight(1))
	must(t, w.Append(rec(1), false))
	must(t, w.StartHeight(2))
	must(t, w.Append(rec(2), false))
	must(t, w.Append(rec(3), true))
	_, rep, err = Open(fs, "wal")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Height != 2 || len(rep.Records) != 2 || !bytes.Equal(rep.Records[0], rec(2)) || !bytes.Equal(rep.Records[1], rec(3)) {
		t.Fatalf("replay = height %d, %q", rep.Height, rep.Records)
	}
}

func TestCrashLosesOnlyUnsynced(t *testing.T) {
	fs := disk.NewMem()
	w, _, _ := Open(fs, "wal")
	must(t, w.StartHeight(5))
	must(t, w.Append(rec(1), true))
	must(t, w.Append(rec(2), false))
	fs.Crash()
	_, rep, err := Open(fs, "wal")
	if err != nil || rep.Height != 5 || len(rep.Records) != 1 {
		t.Fatalf("after crash: %v height %d records %q", err, rep.Height, rep.Records)
	}
}

// TestTornTail cuts the last frame at every possible byte: each cut is a
// torn tail that Open drops (keeping the synced records), never an error.
func TestTornTail(t *testing.T) {
	base := disk.NewMem()
	w, _, _ := Open(base, "wal")
	must(t, w.StartHeight(1))
	must(t, w.Append(rec(1), true))
	synced := base.Size("wal")
	must(t, w.Append(bytes.Repeat([]byte("x"), 40), false))
	full := base.Size("wal")
	for keep := 0; keep < full-synced; keep++ {
		fs := disk.NewMem()
		w, _, _ := Open(fs, "wal")
		must(t, w.StartHeight(1))
		must(t, w.Append(rec(1), true))
		must(t, w.Append(bytes.Repeat([]byte("x"), 40), false))
		fs.CrashTorn(func(string, int) int { return keep })
		w2, rep, err := Open(fs, "wal")
		if err != nil {
			t.Fatalf("keep %d: %v", keep, err)
		}
		if len(rep.Records) != 1 || rep.TornBytes != keep || fs.Size("wal") != synced {
			t.Fatalf("keep %d: records %d torn %d size %d", keep, len(rep.Records), rep.TornBytes, fs.Size("wal"))
		}
		// The log stays usable after the tail is dropped.
		must(t, w2.Append(rec(9), true))
		if _, rep, err := Open(fs, "wal"); err != nil || len(rep.Records) != 2 {
			t.Fatalf("keep %d: append after recovery: %v %d", keep, err, len(rep.Records))
		}
	}
}

func TestTornLastChecksumAndZeros(t *testing.T) {
	fs := disk.NewMem()
	w, _, _ := Open(fs, "wal")
	must(t, w.StartHeight(1))
	must(t, w.Append(rec(1), true))
	must(t, w.Append(rec(2), true))
	fs.Corrupt("wal", fs.Size("wal")-1, 0xff) // last frame's payload
	if _, rep, err := Open(fs, "wal"); err != nil || len(rep.Records) != 1 {
		t.Fatalf("bad checksum on the last frame: %v, %d records", err, len(rep.Records))
	}
	z := disk.NewMem()
	w, _, _ = Open(z, "wal")
	must(t, w.Append(rec(1), true))
	f, _ := z.OpenAppend("wal")
	_, _ = f.Write(make([]byte, 4096))
	_ = f.Sync()
	if _, rep, err := Open(z, "wal"); err != nil || len(rep.Records) != 1 || rep.TornBytes != 4096 {
		t.Fatalf("zero tail: %v %+v", err, rep)
	}
}

func TestCorruptionIsAnError(t *testing.T) {
	fs := disk.NewMem()
	w, _, _ := Open(fs, "wal")
	must(t, w.StartHeight(1))
	must(t, w.Append(rec(1), true))
	must(t, w.Append(rec(2), true))
	fs.Corrupt("wal", 20, 0x01) // inside the first record, which is followed by another
	_, _, err := Open(fs, "wal")
	var ce *CorruptError
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
	// A bad length in the middle is corruption too.
	fs2 := disk.NewMem()
	w, _, _ = Open(fs2, "wal")
	must(t, w.Append(rec(1), true))
	must(t, w.Append(rec(2), true))
	fs2.Corrupt("wal", 0, 0x80)
	if _, _, err := Open(fs2, "wal"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("bad length: got %v", err)
	}
}

func TestRotation(t *testing.T) {
	fs := disk.NewMem()
	w, _, _ := Open(fs, "dir/wal")
	w.RotateBytes = 100
	for h := uint64(1); h <= 20; h++ {
		must(t, w.StartHeight(h))
		for i := range 3 {
			must(t, w.Append(rec(i), false))
		}
	}
	must(t, w.Sync())
	if fs.Size("dir/wal") > 300 {
		t.Fatalf("log did not rotate: %d bytes", fs.Size("dir/wal"))
	}
	_, rep, err := Open(fs, "dir/wal")
	if err != nil || rep.Height != 20 || len(rep.Records) != 3 {
		t.Fatalf("after rotation: %v %+v", err, rep)
	}
}

func TestOSFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cs.wal")
	w, _, err := Open(disk.OS, path)
	must(t, err)
	must(t, w.StartHeight(3))
	must(t, w.Append(rec(1), true))
	must(t, w.Close())
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	_, _ = f.Write([]byte{0, 0, 0, 50, 1, 2}) // a torn header and payload
	f.Close()
	w, rep, err := Open(disk.OS, path)
	if err != nil || rep.Height != 3 || len(rep.Records) != 1 || rep.TornBytes != 6 {
		t.Fatalf("%v %+v", err, rep)
	}
	w.Close()
}

// FuzzParse: Parse never panics, and accepts exactly the frames it reports.
func FuzzParse(f *testing.F) {
	f.Add([]byte{})
	f.Add(frame(kindMarker, []byte{0, 0, 0, 0, 0, 0, 0, 7}))
	f.Add(append(frame(kindMarker, []byte{0, 0, 0, 0, 0, 0, 0, 1}), frame(kindRecord, []byte("hello"))...))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, good, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("unexpected error type %v", err)
			}
			return
		}
		if good > len(b) || rep.TornBytes != len(b)-good {
			t.Fatalf("good %d torn %d len %d", good, rep.TornBytes, len(b))
		}
		again, good2, err := Parse(b[:good])
		if err != nil || good2 != good || len(again.Records) != len(rep.Records) {
			t.Fatalf("the whole-frame prefix does not parse the same")
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteSeedCorpus writes testdata/fuzz/FuzzParse when
// QIAN_WRITE_CORPUS=1; the files are committed.
func TestWriteSeedCorpus(t *testing.T) {
	if os.Getenv("QIAN_WRITE_CORPUS") != "1" {
		t.Skip("set QIAN_WRITE_CORPUS=1 to rewrite the committed seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	must(t, os.MkdirAll(dir, 0o755))
	marker := frame(kindMarker, []byte{0, 0, 0, 0, 0, 0, 0, 1})
	seeds := map[string][]byte{
		"marker-and-record": append(append([]byte{}, marker...), frame(kindRecord, []byte("hello"))...),
		"torn-tail":         append(append([]byte{}, marker...), frame(kindRecord, []byte("hello"))[:7]...),
		"zero-tail":         append(append([]byte{}, marker...), make([]byte, 16)...),
		"bad-kind":          frame(0x07, []byte("x")),
	}
	for name, b := range seeds {
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)), 0o644))
	}
}

// TestAppendPartsIsOneRecord: a record appended in parts replays as their
// concatenation, and the frame buffer the log reuses between appends never
// changes a record already written.
func TestAppendPartsIsOneRecord(t *testing.T) {
	fs := disk.NewMem()
	w, _, _ := Open(fs, "wal")
	must(t, w.StartHeight(1))
	must(t, w.AppendParts(false, []byte{0x01}, []byte("a proposal"), nil, []byte("!")))
	must(t, w.Append([]byte("x"), false))
	must(t, w.AppendParts(true, bytes.Repeat([]byte("y"), 300)))
	_, rep, err := Open(fs, "wal")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{[]byte("\x01a proposal!"), []byte("x"), bytes.Repeat([]byte("y"), 300)}
	if len(rep.Records) != len(want) {
		t.Fatalf("replayed %d records, want %d", len(rep.Records), len(want))
	}
	for i := range want {
		if !bytes.Equal(rep.Records[i], want[i]) {
			t.Fatalf("record %d = %q, want %q", i, rep.Records[i], want[i])
		}
	}
	big := make([]byte, MaxRecordBytes/2)
	if err := w.AppendParts(false, big, big); err == nil {
		t.Fatal("parts summing past MaxRecordBytes were appended")
	}
}

// TestAppendReusesItsFrameBuffer: appending to a log on disk allocates
// nothing once its frame buffer has grown, and a frame larger than
// maxKeptBuf is written but its buffer not kept.
func TestAppendReusesItsFrameBuffer(t *testing.T) {
	w, _, err := Open(disk.OS, filepath.Join(t.TempDir(), "wal"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	must(t, w.StartHeight(1))
	tag, msg := []byte{0x01}, bytes.Repeat([]byte("p"), 200<<10)
	if n := testing.AllocsPerRun(20, func() { must(t, w.AppendParts(false, tag, msg)) }); n != 0 {
		t.Fatalf("an append of a 200 KiB record allocated %.0f times", n)
	}
	must(t, w.Append(make([]byte, maxKeptBuf), false))
	if cap(w.buf) > maxKeptBuf {
		t.Fatalf("kept a frame buffer of %d bytes, more than %d", cap(w.buf), maxKeptBuf)
	}
}
