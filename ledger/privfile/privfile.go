// Package privfile reads and writes the files that hold secrets (account
// keys in ledger/keyring, node and validator keys in node/nodekey): a file
// is read only when the group and others cannot access it, and written
// only where nothing is, with mode 0600, durably. The stable errors a
// caller's own callers test for are the caller's: Read wraps the ones it is
// given.
package privfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Read reads the file at path, at most max bytes, after checking that it
// is a regular file that neither the group nor others can access. The mode
// is checked on the open descriptor, so a file swapped between the check
// and the read is still checked. A file the group or others can access is
// refused with an error wrapping insecure, one larger than max with an
// error wrapping tooLarge.
func Read(path string, max int64, insecure, tooLarge error) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, which lets the group or others read it; run: chmod 600 %s", insecure, path, m, path)
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, at most %d expected", tooLarge, path, fi.Size(), max)
	}
	return io.ReadAll(io.LimitReader(f, max+1))
}

// WriteNew writes data to path with mode 0600, durably, and only if path
// does not exist: it writes a temporary file in path's directory, syncs
// it, and links it into place, which fails with an error wrapping
// fs.ErrExist ("PATH: file already exists") instead of replacing anything;
// then it syncs the directory. The directory must exist.
func WriteNew(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	for _, step := range []func() error{
		func() error { return tmp.Chmod(0o600) },
		func() error { _, err := tmp.Write(data); return err },
		tmp.Sync,
	} {
		if err := step(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmpName, path); err != nil {
		if os.IsExist(err) {
			return fmt.Errorf("%s: %w", path, os.ErrExist)
		}
		return err
	}
	return SyncDir(dir)
}

// SyncDir makes a change of a directory's entries durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
