package keyring

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// readPrivate reads a secret-bearing file of at most max bytes after
// checking that it is a regular file that neither the group nor others can
// access. The mode is checked on the open descriptor, so a file swapped
// between the check and the read is still checked.
func readPrivate(path string, max int64) ([]byte, error) {
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
		return nil, fmt.Errorf("%w: %s has mode %04o, which lets the group or others read it; run: chmod 600 %s", ErrInsecureMode, path, m, path)
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, at most %d expected", ErrCorrupt, path, fi.Size(), max)
	}
	return io.ReadAll(io.LimitReader(f, max+1))
}

// writeNew writes data to dir/name with mode 0600, durably, and only if
// dir/name does not exist: it writes a temporary file, syncs it, and links
// it into place, which fails with fs.ErrExist instead of replacing anything.
func writeNew(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".tmp-"+name+"-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmpName, filepath.Join(dir, name)); err != nil {
		if os.IsExist(err) {
			return fmt.Errorf("%s: %w", filepath.Join(dir, name), os.ErrExist)
		}
		return err
	}
	return syncDir(dir)
}

// syncDir makes a directory entry change durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
