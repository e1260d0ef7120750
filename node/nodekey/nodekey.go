package nodekey

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	nodeKeyType    = "qian-node-key"
	nodeKeyVersion = 1
	nodeKeyAlgo    = "ed25519"
)

type nodeKeyFile struct {
	Type       string `json:"type"`
	Version    int    `json:"version"`
	KeyType    string `json:"key_type"`
	PrivateKey string `json:"private_key"`
	PeerID     string `json:"peer_id"`
}

// GenerateNodeKey makes a new Ed25519 libp2p identity and writes it to path
// (mode 0600, directory 0700). It fails with ErrExists rather than replace
// an existing key.
func GenerateNodeKey(path string) (crypto.PrivKey, peer.ID, error) {
	sk, id, err := NewNodeKey()
	if err != nil {
		return nil, "", err
	}
	if err := WriteNodeKey(path, sk); err != nil {
		return nil, "", err
	}
	return sk, id, nil
}

// NewNodeKey makes a new Ed25519 libp2p identity in memory, for a caller
// that checks what it will do with it before writing it (WriteNodeKey).
func NewNodeKey() (crypto.PrivKey, peer.ID, error) {
	seed := make([]byte, ed25519.SeedSize)
	defer clear(seed)
	if _, err := rand.Read(seed); err != nil {
		return nil, "", fmt.Errorf("generate node key: %w", err)
	}
	return nodeKeyFromSeed(seed)
}

// WriteNodeKey writes an Ed25519 node key to path (mode 0600, directory
// 0700). It fails with ErrExists rather than replace an existing key.
func WriteNodeKey(path string, sk crypto.PrivKey) error {
	if sk.Type() != crypto.Ed25519 {
		return fmt.Errorf("write node key: a %s key; node keys are Ed25519", sk.Type())
	}
	raw, err := sk.Raw() // seed || public key
	if err != nil {
		return fmt.Errorf("write node key: %w", err)
	}
	defer clear(raw)
	id, err := peer.IDFromPrivateKey(sk)
	if err != nil {
		return fmt.Errorf("write node key: %w", err)
	}
	f := nodeKeyFile{Type: nodeKeyType, Version: nodeKeyVersion, KeyType: nodeKeyAlgo,
		PrivateKey: hex.EncodeToString(raw[:ed25519.SeedSize]), PeerID: id.String()}
	if err := writeNew(path, f); err != nil {
		return fmt.Errorf("write node key: %w", err)
	}
	return nil
}

func nodeKeyFromSeed(seed []byte) (crypto.PrivKey, peer.ID, error) {
	sk, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		return nil, "", err
	}
	id, err := peer.IDFromPrivateKey(sk)
	if err != nil {
		return nil, "", err
	}
	return sk, id, nil
}

// LoadNodeKey reads the node key at path and returns it with its peer id.
func LoadNodeKey(path string) (crypto.PrivKey, peer.ID, error) {
	b, err := readPrivate(path)
	if err != nil {
		return nil, "", fmt.Errorf("load node key: %w", err)
	}
	return parseNodeKey(path, b)
}

func parseNodeKey(path string, b []byte) (crypto.PrivKey, peer.ID, error) {
	var f nodeKeyFile
	if err := decodeStrict(path, b, &f); err != nil {
		return nil, "", fmt.Errorf("load node key: %w", err)
	}
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("load node key: %w: %s: %s: %s", ErrCorrupt, path, field, fmt.Sprintf(format, args...))
	}
	if f.Type != nodeKeyType {
		return nil, "", bad("type", "%q, want %q", f.Type, nodeKeyType)
	}
	if f.Version != nodeKeyVersion {
		return nil, "", bad("version", "%d is not supported (this program reads %d)", f.Version, nodeKeyVersion)
	}
	if f.KeyType != nodeKeyAlgo {
		return nil, "", bad("key_type", "%q, want %q", f.KeyType, nodeKeyAlgo)
	}
	seed := make([]byte, ed25519.SeedSize)
	if err := decodeHex(f.PrivateKey, seed); err != nil {
		return nil, "", bad("private_key", "%v", err)
	}
	sk, id, err := nodeKeyFromSeed(seed)
	if err != nil {
		return nil, "", bad("private_key", "%v", err)
	}
	if f.PeerID != id.String() {
		return nil, "", bad("peer_id", "%q does not match the private key, whose peer id is %s", f.PeerID, id)
	}
	return sk, id, nil
}
