package config

import (
	"errors"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
)

// PassphraseSource is where this client's keyring passphrase comes from:
// --passphrase-file, then QIAN_PASSPHRASE, then prompter (nil when there is
// no terminal; see keyring.TerminalPrompter).
func (c *Client) PassphraseSource(prompter keyring.Prompter) keyring.PassphraseSource {
	return keyring.PassphraseSource{File: c.PassphraseFile, Env: keyring.EnvPassphrase, Prompter: prompter, What: "keyring"}
}

// OpenKeyring opens the client's keyring directory.
func (c *Client) OpenKeyring(opts ...keyring.Option) (*keyring.Keyring, error) {
	return keyring.Open(c.Keyring, opts...)
}

// UnlockKey unlocks the account named by --key (QIAN_KEY, client.key) with
// the client's passphrase source: what a command that signs a transaction
// calls. The key stays in the caller's memory only.
func (c *Client) UnlockKey(prompter keyring.Prompter, opts ...keyring.Option) (ledger.PrivateKey, error) {
	if c.Key == "" {
		return ledger.PrivateKey{}, errors.New("no signing key: use --key NAME, QIAN_KEY or client.key in config.toml")
	}
	kr, err := c.OpenKeyring(opts...)
	if err != nil {
		return ledger.PrivateKey{}, err
	}
	if _, err := kr.Show(c.Key); err != nil {
		return ledger.PrivateKey{}, err // before asking for a passphrase
	}
	pass, err := c.PassphraseSource(prompter).Get(false)
	if err != nil {
		return ledger.PrivateKey{}, err
	}
	return kr.Unlock(c.Key, pass)
}
