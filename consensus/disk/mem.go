package disk

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"sync"
)

// Mem is an in-memory file system for tests and the simulator that models
// what a crash loses: Crash keeps of every file only the bytes that were
// synced, and CrashTorn additionally keeps a prefix of the unsynced bytes,
// as a write cut off by power loss would. Handles opened before a crash fail
// afterwards. Renames, truncations and creations are durable at once (the
// code under test syncs the directory right after each of them anyway).
//
// Mem is safe for concurrent use, but the simulator uses it from one
// goroutine.
type Mem struct {
	mu    sync.Mutex
	files map[string]*memFile
	epoch int // incremented by every crash
}

type memFile struct {
	data    []byte
	durable int // bytes of data known to be on "disk": the length at the last Sync
}

// NewMem returns an empty file system.
func NewMem() *Mem { return &Mem{files: make(map[string]*memFile)} }

// ErrCrashed is returned by handles opened before a crash.
var ErrCrashed = errors.New("disk: file handle from before a crash")

func (m *Mem) ReadFile(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.files[name]
	if f == nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return append([]byte(nil), f.data...), nil
}

func (m *Mem) OpenAppend(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files[name] == nil {
		m.files[name] = &memFile{}
	}
	return &memHandle{m: m, name: name, epoch: m.epoch}, nil
}

func (m *Mem) Create(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[name] = &memFile{}
	return &memHandle{m: m, name: name, epoch: m.epoch}, nil
}

func (m *Mem) Rename(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.files[oldname]
	if f == nil {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	delete(m.files, oldname)
	m.files[newname] = f
	return nil
}

func (m *Mem) Truncate(name string, size int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.files[name]
	if f == nil {
		return &fs.PathError{Op: "truncate", Path: name, Err: fs.ErrNotExist}
	}
	if size < 0 || size > int64(len(f.data)) {
		return fmt.Errorf("disk: truncate %s to %d: file has %d bytes", name, size, len(f.data))
	}
	f.data = f.data[:size]
	f.durable = min(f.durable, int(size))
	return nil
}

func (m *Mem) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.files, name)
	return nil
}

func (m *Mem) SyncDir(string) error  { return nil }
func (m *Mem) MkdirAll(string) error { return nil }

// Crash loses every unsynced byte.
func (m *Mem) Crash() { m.CrashTorn(func(string, int) int { return 0 }) }

// CrashTorn loses unsynced bytes, except that for each file with n unsynced
// bytes it keeps the first keep(name, n) of them (0 <= keep <= n). Files are
// visited in name order, so a deterministic keep gives a deterministic crash.
func (m *Mem) CrashTorn(keep func(name string, unsynced int) int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.epoch++
	names := make([]string, 0, len(m.files))
	for n := range m.files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := m.files[n]
		unsynced := len(f.data) - f.durable
		k := 0
		if unsynced > 0 {
			k = max(0, min(unsynced, keep(n, unsynced)))
		}
		f.data = f.data[:f.durable+k]
		f.durable = len(f.data)
	}
}

// Size returns a file's length, or -1 if it does not exist.
func (m *Mem) Size(name string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f := m.files[name]; f != nil {
		return len(f.data)
	}
	return -1
}

// Corrupt flips the bits of mask into the byte at off of a file, as a
// failing disk might. For tests.
func (m *Mem) Corrupt(name string, off int, mask byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f := m.files[name]; f != nil && off < len(f.data) {
		f.data[off] ^= mask
	}
}

type memHandle struct {
	m      *Mem
	name   string
	epoch  int
	closed bool
}

func (h *memHandle) file() (*memFile, error) {
	if h.closed {
		return nil, fs.ErrClosed
	}
	if h.epoch != h.m.epoch {
		return nil, ErrCrashed
	}
	f := h.m.files[h.name]
	if f == nil {
		return nil, &fs.PathError{Op: "write", Path: h.name, Err: fs.ErrNotExist}
	}
	return f, nil
}

func (h *memHandle) Write(p []byte) (int, error) {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	f, err := h.file()
	if err != nil {
		return 0, err
	}
	f.data = append(f.data, p...)
	return len(p), nil
}

func (h *memHandle) Sync() error {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	f, err := h.file()
	if err != nil {
		return err
	}
	f.durable = len(f.data)
	return nil
}

func (h *memHandle) Close() error {
	h.closed = true
	return nil
}
