package disk

import (
	"errors"
	"io/fs"
	"testing"
)

func TestMemCrashKeepsSyncedBytes(t *testing.T) {
	m := NewMem()
	f, _ := m.OpenAppend("a")
	f.Write([]byte("synced"))
	f.Sync()
	f.Write([]byte("-lost"))
	m.CrashTorn(func(name string, unsynced int) int {
		if unsynced != 5 {
			t.Fatalf("unsynced %d, want 5", unsynced)
		}
		return 2
	})
	if b, _ := m.ReadFile("a"); string(b) != "synced-l" {
		t.Fatalf("after a torn crash: %q", b)
	}
	if _, err := f.Write([]byte("x")); !errors.Is(err, ErrCrashed) {
		t.Fatalf("write through a handle from before the crash: %v", err)
	}
	m.Crash()
	if b, _ := m.ReadFile("a"); string(b) != "synced-l" {
		t.Fatalf("kept torn bytes are durable after the crash: %q", b)
	}
	if _, err := m.ReadFile("missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestMemRenameAndTruncate(t *testing.T) {
	m := NewMem()
	f, _ := m.Create("tmp")
	f.Write([]byte("state"))
	f.Sync()
	f.Close()
	if err := m.Rename("tmp", "final"); err != nil {
		t.Fatal(err)
	}
	if m.Size("tmp") != -1 || m.Size("final") != 5 {
		t.Fatal("rename did not move the file")
	}
	if err := m.Truncate("final", 2); err != nil || m.Size("final") != 2 {
		t.Fatalf("truncate: %v", err)
	}
	if err := m.Truncate("final", 9); err == nil {
		t.Fatal("truncate beyond the end accepted")
	}
}
