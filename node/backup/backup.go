// Package backup makes and restores a node's backup: one tar file holding a
// consistent checkpoint of the store (Pebble's, taken while the node runs,
// through its control socket; or from the stopped store), the home's
// config.toml and genesis.json, and a manifest (backup.json, first).
//
// A backup holds no secret and no signing state, by design:
//   - no key (keys/, keyring/): a backup is copied to places a key must not
//     go (a file server, a colleague's disk); keys are saved once, apart,
//     by whoever holds them (docs/operations.md, "Keys");
//   - not the signer's state (data/priv_validator_state.json) nor the
//     consensus WAL (data/cs.wal): they record what the validator signed;
//     restoring an old copy of them is what makes a validator sign twice.
//     Restore never writes them: the ones on the machine stay as they are.
//
// Restore writes the store into HOME/data/chain, which must not exist, and
// config.toml and genesis.json where the home has none; a home that has a
// genesis.json must have the backup's. What a restored validator may sign
// is the node's double-sign guard's business (node/signerguard.go).
package backup

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/config"
)

// Format is the version of the backup file's layout.
const Format = 1

// ManifestName is the backup's first entry.
const ManifestName = "backup.json"

// storePrefix is where the store's files are in the tar and in the home.
const storePrefix = "data/chain/"

// Manifest describes a backup.
type Manifest struct {
	Format      int         `json:"format"`
	ChainID     string      `json:"chain_id"`
	GenesisHash ledger.Hash `json:"genesis_hash"`
	Height      uint64      `json:"height"` // the store's last block
	Software    string      `json:"software"`
	Created     time.Time   `json:"created"`
	Online      bool        `json:"online"` // taken from a running node
	// Files are the home's files besides the store, relative to the home.
	Files []string `json:"files"`
	// Excluded says what a backup never holds.
	Excluded string `json:"excluded"`
}

const excluded = "keys/, keyring/ (secrets: saved apart, by whoever holds them), data/priv_validator_state.json and data/cs.wal " +
	"(what the validator signed: an old copy of them makes a validator sign twice; restore keeps the machine's own)"

// Error is a refusal with a stable code (docs/bad-input.md).
type Error struct {
	Code string
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func fail(code, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Create writes a backup of the node whose home is home into out (through a
// temporary file, renamed when complete). A running node makes the
// checkpoint through its control socket; otherwise the store is opened
// here, which fails while some process holds it.
func Create(ctx context.Context, home, out, software string) (*Manifest, error) {
	paths := config.Paths{Home: home}
	doc, err := genesis.Load(paths.GenesisFile())
	if err != nil {
		return nil, err
	}
	m := &Manifest{Format: Format, ChainID: doc.ChainID, GenesisHash: doc.Identity().GenesisHash(), Software: software,
		Created: time.Now().UTC().Truncate(time.Second), Excluded: excluded}
	data := paths.DataDir()
	var dir string
	r, err := node.RequestCheckpoint(ctx, data)
	switch {
	case err == nil:
		dir, m.Height, m.Online = r.Dir, r.Height, true
	case errors.Is(err, node.ErrNoControl):
		if dir, m.Height, err = offlineCheckpoint(data); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := checkStore(dir, m); err != nil {
		return nil, err
	}
	for _, name := range []string{config.FileName, config.GenesisFileName} {
		if _, err := os.Stat(filepath.Join(home, name)); err == nil {
			m.Files = append(m.Files, name)
		}
	}
	if err := write(out, home, dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

// offlineCheckpoint checkpoints the store of a stopped node.
func offlineCheckpoint(data string) (string, uint64, error) {
	// A writer (the checkpoint flushes the write-ahead log): with the
	// node's separated records (store.Options.SeparatedState).
	st, err := store.Open(filepath.Join(data, "chain"), &store.Options{SeparatedState: contracts.SeparatedRecords()})
	if err != nil {
		return "", 0, fmt.Errorf("no node answers on %s and the store does not open (is the node running with a home path too long for a socket? stop it, or use a shorter home): %w",
			filepath.Join(data, node.ControlSocketName), err)
	}
	defer st.Close()
	dir := filepath.Join(data, "backup-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	h, err := st.Checkpoint(dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", 0, err
	}
	return dir, h, nil
}

// checkStore opens the store at dir and checks it belongs to m's chain at
// m's height.
func checkStore(dir string, m *Manifest) error {
	st, err := store.Open(dir, &store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	g, err := st.GenesisHash()
	if err != nil {
		return fmt.Errorf("the store copy: %w", err)
	}
	if g != m.GenesisHash {
		return fail("backup_wrong_chain", "the store belongs to genesis %s, the home's genesis.json is %s", g.Short(), m.GenesisHash.Short())
	}
	if st.Height() != m.Height {
		return fmt.Errorf("the store copy is at height %d, the checkpoint said %d", st.Height(), m.Height)
	}
	return nil
}

// write packs the manifest, the home's files and the store at dir into out.
func write(out, home, dir string, m *Manifest) (err error) {
	tmp := out + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	tw := tar.NewWriter(f)
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o644, Size: int64(len(mj)), ModTime: m.Created, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(mj); err != nil {
		return err
	}
	for _, name := range m.Files {
		if err := addFile(tw, filepath.Join(home, name), name); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			return fmt.Errorf("the store copy holds %s, not a regular file", e.Name())
		}
		if err := addFile(tw, filepath.Join(dir, e.Name()), storePrefix+e.Name()); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

func addFile(tw *tar.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: int64(fi.Mode().Perm()), Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	return nil
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
