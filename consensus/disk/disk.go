// Package disk is the small file-system surface the WAL and the signer need,
// so that the same code runs on the operating system's files (OS) and, in the
// simulator, on an in-memory file system that can crash (Mem).
//
// The durability contract is the POSIX one the code relies on: bytes written
// to a file survive a crash only after File.Sync returns; a rename survives
// only after SyncDir of its directory returns.
package disk

import (
	"os"
	"path/filepath"
)

// FS is a file system.
type FS interface {
	// ReadFile returns a file's contents; an absent file gives an error
	// matching fs.ErrNotExist.
	ReadFile(name string) ([]byte, error)
	// OpenAppend opens a file for appending, creating it if absent.
	OpenAppend(name string) (File, error)
	// Create creates or truncates a file for writing.
	Create(name string) (File, error)
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// Truncate cuts a file to size bytes.
	Truncate(name string, size int64) error
	// Remove deletes a file; an absent file is not an error.
	Remove(name string) error
	// SyncDir makes the directory's entries (renames, creations) durable.
	SyncDir(dir string) error
	// MkdirAll creates a directory and its parents.
	MkdirAll(dir string) error
}

// File is an open file.
type File interface {
	// Write appends p. As io.Writer's, it must not keep p: the WAL
	// reuses its buffer.
	Write(p []byte) (int, error)
	Sync() error
	Close() error
}

// OS is the operating system's file system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (osFS) OpenAppend(name string) (File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

func (osFS) Create(name string) (File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_TRUNC|os.O_CREATE, 0o600)
}

func (osFS) Rename(oldname, newname string) error   { return os.Rename(oldname, newname) }
func (osFS) Truncate(name string, size int64) error { return os.Truncate(name, size) }
func (osFS) MkdirAll(dir string) error              { return os.MkdirAll(dir, 0o700) }

func (osFS) Remove(name string) error {
	if err := os.Remove(name); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
