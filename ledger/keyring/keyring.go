package keyring

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/privfile"
)

// fileExt is the suffix of key files: DIR/NAME.json.
const fileExt = ".json"

// Keyring is a directory of named, passphrase-encrypted account keys. It
// holds no secrets in memory: every Unlock reads and decrypts the file
// again. Methods may be called from several goroutines; two processes that
// create the same name race safely (one gets ErrExists).
type Keyring struct {
	dir string
	kdf ScryptParams
}

// Option changes how a keyring seals new keys.
type Option func(*Keyring)

// InsecureTestKDF seals new keys with the cheapest scrypt setting the
// keyring accepts (n=1024), so that tests do not spend seconds per key. Keys
// sealed this way are easy to brute-force: never use it outside tests.
func InsecureTestKDF() Option {
	return func(k *Keyring) { k.kdf = insecureTestScrypt }
}

// WithScrypt seals new keys with p (validated when a key is sealed).
func WithScrypt(p ScryptParams) Option {
	return func(k *Keyring) { k.kdf = p }
}

// Info is what a keyring tells without a passphrase.
type Info struct {
	Name      string           `json:"name"`
	PublicKey ledger.PublicKey `json:"public_key"`
}

// Open returns the keyring in dir. The directory need not exist yet: it is
// created with mode 0700 when the first key is stored, and an absent keyring
// lists as empty. An existing directory that the group or others can access
// is refused (ErrInsecureMode).
func Open(dir string, opts ...Option) (*Keyring, error) {
	if dir == "" {
		return nil, errors.New("keyring directory is not set (use --keyring or QIAN_KEYRING)")
	}
	k := &Keyring{dir: filepath.Clean(dir), kdf: DefaultScrypt}
	for _, o := range opts {
		o(k)
	}
	if err := k.checkDir(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return k, nil
}

// Dir is the keyring's directory.
func (k *Keyring) Dir() string { return k.dir }

func (k *Keyring) checkDir() error {
	fi, err := os.Stat(k.dir)
	if err != nil {
		return fmt.Errorf("keyring %s: %w", k.dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("keyring %s is not a directory", k.dir)
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return fmt.Errorf("%w: keyring directory %s has mode %04o, which lets the group or others in; run: chmod 700 %s", ErrInsecureMode, k.dir, m, k.dir)
	}
	return nil
}

func (k *Keyring) path(name string) string { return filepath.Join(k.dir, name+fileExt) }

// Create generates a new key, seals it under passphrase and stores it as name.
func (k *Keyring) Create(name string, passphrase []byte) (Info, error) {
	key, err := ledger.GenerateKey()
	if err != nil {
		return Info{}, err
	}
	return k.Add(name, key, passphrase)
}

// Add seals key under passphrase and stores it as name. It never replaces
// an existing key (ErrExists).
func (k *Keyring) Add(name string, key ledger.PrivateKey, passphrase []byte) (Info, error) {
	if err := ValidateName(name); err != nil {
		return Info{}, err
	}
	if key.IsZero() {
		return Info{}, errors.New("add key: the private key is empty")
	}
	if _, err := os.Lstat(k.path(name)); err == nil {
		return Info{}, fmt.Errorf("%w: %q in %s", ErrExists, name, k.dir)
	}
	s, err := seal(key, passphrase, k.kdf, domainFile)
	if err != nil {
		return Info{}, fmt.Errorf("seal key %q: %w", name, err)
	}
	if err := k.ensureDir(); err != nil {
		return Info{}, err
	}
	if err := privfile.WriteNew(k.path(name), marshalFile(s)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Info{}, fmt.Errorf("%w: %q in %s", ErrExists, name, k.dir)
		}
		return Info{}, fmt.Errorf("store key %q: %w", name, err)
	}
	return Info{Name: name, PublicKey: s.pub}, nil
}

func (k *Keyring) ensureDir() error {
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return fmt.Errorf("create keyring %s: %w", k.dir, err)
	}
	return k.checkDir()
}

// read loads and parses name's key file, checking its mode first.
func (k *Keyring) read(name string) (*sealed, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	p := k.path(name)
	b, err := privfile.Read(p, maxFileBytes, ErrInsecureMode, ErrCorrupt)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q in %s", ErrNotFound, name, k.dir)
	}
	if err != nil {
		return nil, err
	}
	s, err := parseFile(b)
	if err != nil {
		return nil, fmt.Errorf("key %q (%s): %w", name, p, err)
	}
	return s, nil
}

// Show returns name's public information without a passphrase.
func (k *Keyring) Show(name string) (Info, error) {
	s, err := k.read(name)
	if err != nil {
		return Info{}, err
	}
	return Info{Name: name, PublicKey: s.pub}, nil
}

// List returns every key in name order. A file that cannot be read or
// parsed fails the whole listing with an error naming it: a keyring with a
// damaged key should be noticed, not silently shortened.
func (k *Keyring) List() ([]Info, error) {
	ents, err := os.ReadDir(k.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read keyring %s: %w", k.dir, err)
	}
	var out []Info
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), fileExt)
		if !ok || ValidateName(name) != nil {
			continue // temporary files and anything else that is not a key
		}
		info, err := k.Show(name)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Unlock decrypts name's key with passphrase.
func (k *Keyring) Unlock(name string, passphrase []byte) (ledger.PrivateKey, error) {
	s, err := k.read(name)
	if err != nil {
		return ledger.PrivateKey{}, err
	}
	key, err := s.open(passphrase, domainFile)
	if err != nil {
		return ledger.PrivateKey{}, fmt.Errorf("unlock key %q: %w", name, err)
	}
	return key, nil
}

// Export unlocks name with passphrase and returns it re-sealed under
// exportPassphrase as an ASCII armor (see armor.go), with fresh salt and
// nonce and this keyring's scrypt parameters.
func (k *Keyring) Export(name string, passphrase, exportPassphrase []byte) ([]byte, error) {
	key, err := k.Unlock(name, passphrase)
	if err != nil {
		return nil, err
	}
	s, err := seal(key, exportPassphrase, k.kdf, domainExport)
	if err != nil {
		return nil, fmt.Errorf("export key %q: %w", name, err)
	}
	return marshalArmor(s), nil
}

// Import opens armor with exportPassphrase and stores the key as name,
// sealed under passphrase. It never replaces an existing key.
func (k *Keyring) Import(name string, armor, exportPassphrase, passphrase []byte) (Info, error) {
	if err := ValidateName(name); err != nil {
		return Info{}, err
	}
	s, err := parseArmor(armor)
	if err != nil {
		return Info{}, fmt.Errorf("import key %q: %w", name, err)
	}
	key, err := s.open(exportPassphrase, domainExport)
	if err != nil {
		return Info{}, fmt.Errorf("import key %q: export passphrase: %w", name, err)
	}
	return k.Add(name, key, passphrase)
}

// Delete removes name's key file. It does not ask for the passphrase: file
// permissions already decide who may delete; the CLI asks for confirmation.
func (k *Keyring) Delete(name string) error {
	if _, err := k.read(name); err != nil && !errors.Is(err, ErrCorrupt) {
		return err // a corrupt key may still be deleted
	}
	if err := os.Remove(k.path(name)); err != nil {
		return fmt.Errorf("delete key %q: %w", name, err)
	}
	return privfile.SyncDir(k.dir)
}

// ReadArmor reads an export armor from r, at most 4096 bytes.
func ReadArmor(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxArmorBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxArmorBytes {
		return nil, fmt.Errorf("%w: armor is larger than %d bytes", ErrCorrupt, maxArmorBytes)
	}
	return b, nil
}
