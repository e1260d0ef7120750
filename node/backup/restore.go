package backup

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/node/config"
)

// maxManifest bounds the manifest read into memory.
const maxManifest = 1 << 20

// Restored says what Restore did.
type Restored struct {
	Manifest *Manifest
	Wrote    []string // the home's files written besides the store
	Kept     []string // the home's files the backup also holds, left as they were
}

// Restore unpacks the backup file into home: the store into data/chain,
// which must not exist (the node stopped, the damaged store moved aside),
// and the backup's config.toml and genesis.json where the home has none.
// It never writes a key, the signer's state or the WAL. Nothing is written
// into data/chain unless the whole store unpacked: it goes into a
// temporary directory first, renamed at the end.
func Restore(file, home string) (*Restored, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	m, err := readManifest(tr)
	if err != nil {
		return nil, err
	}
	paths := config.Paths{Home: home}
	if exists(paths.GenesisFile()) {
		doc, err := genesis.Load(paths.GenesisFile())
		if err != nil {
			return nil, err
		}
		if g := doc.Identity().GenesisHash(); g != m.GenesisHash {
			return nil, fail("backup_wrong_chain", "the backup is of chain %s (genesis %s); the home's genesis.json is genesis %s", m.ChainID, m.GenesisHash.Short(), g.Short())
		}
	}
	chain := filepath.Join(paths.DataDir(), "chain")
	if exists(chain) {
		return nil, fail("restore_target_exists", "%s exists: stop the node and move it aside first (leave data/%s and data/cs.wal where they are)",
			chain, "priv_validator_state.json")
	}
	if err := os.MkdirAll(paths.DataDir(), 0o700); err != nil {
		return nil, err
	}
	tmp := chain + ".restoring"
	if err := os.RemoveAll(tmp); err != nil { // a restore that was interrupted
		return nil, err
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	res := &Restored{Manifest: m}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fail("backup_invalid", "%s: %v", file, err)
		}
		if h.Typeflag != tar.TypeReg {
			return nil, fail("backup_invalid", "%s: entry %q is not a regular file", file, h.Name)
		}
		var dst string
		switch name := h.Name; {
		case strings.HasPrefix(name, storePrefix):
			base := strings.TrimPrefix(name, storePrefix)
			if base == "" || base == "." || base == ".." || strings.ContainsAny(base, `/\`) {
				return nil, fail("backup_invalid", "%s: entry %q is not a store file", file, name)
			}
			dst = filepath.Join(tmp, base)
		case name == config.FileName || name == config.GenesisFileName:
			if exists(filepath.Join(home, name)) {
				res.Kept = append(res.Kept, name)
				continue
			}
			dst = filepath.Join(home, name)
			res.Wrote = append(res.Wrote, name)
		default:
			return nil, fail("backup_invalid", "%s: unexpected entry %q (a backup holds %s, %s, %s and %s*)", file, name, ManifestName, config.FileName, config.GenesisFileName, storePrefix)
		}
		if err := extract(tr, dst, h); err != nil {
			return nil, err
		}
	}
	if err := checkStore(tmp, m); err != nil {
		return nil, fmt.Errorf("the restored store: %w", err)
	}
	if err := os.Rename(tmp, chain); err != nil {
		return nil, err
	}
	return res, syncDir(paths.DataDir())
}

func readManifest(tr *tar.Reader) (*Manifest, error) {
	h, err := tr.Next()
	if err != nil || h.Name != ManifestName {
		return nil, fail("backup_invalid", "not a qian backup: its first entry is not %s", ManifestName)
	}
	if h.Size > maxManifest {
		return nil, fail("backup_invalid", "%s is %d bytes", ManifestName, h.Size)
	}
	var m Manifest
	dec := json.NewDecoder(io.LimitReader(tr, maxManifest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fail("backup_invalid", "%s: %v", ManifestName, err)
	}
	if m.Format != Format {
		return nil, fail("backup_invalid", "backup format %d; this qian reads format %d", m.Format, Format)
	}
	return &m, nil
}

// extract writes the current entry to dst, durably; the entry's mode is
// kept but never wider than 0644.
func extract(r io.Reader, dst string, h *tar.Header) error {
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, os.FileMode(h.Mode).Perm()&0o644)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, r, h.Size); err != nil {
		f.Close()
		return fail("backup_invalid", "%s: %v", h.Name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
