package main

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/ledger/keyring"
)

// A client command built from the helpers resolves its settings and
// unlocks its signing key.
func TestClientHelpers(t *testing.T) {
	isolate(t)
	kr := filepath.Join(t.TempDir(), "kr")
	t.Setenv(keyring.EnvPassphrase, "pw")
	runQian(t, "", nil, "keys", "--keyring", kr, "new", "farm").want(t, 0)

	e := &env{keyringOpts: []keyring.Option{keyring.InsecureTestKDF()}}
	var signed bool
	cmd := &cobra.Command{Use: "probe", RunE: func(cmd *cobra.Command, _ []string) error {
		c, err := loadClient(cmd)
		if err != nil {
			return err
		}
		if c.Node != "http://127.0.0.1:9" || !c.JSON || !c.Async {
			t.Errorf("client %+v", c)
		}
		k, err := unlockSigner(e, c)
		if err != nil {
			return err
		}
		signed = !k.IsZero()
		return nil
	}}
	addClientFlags(cmd, true)
	cmd.Flags().String("home", t.TempDir(), "")
	t.Setenv("QIAN_KEY", "farm")
	cmd.SetArgs([]string{"--node", "http://127.0.0.1:9", "--keyring", kr, "--json", "--async"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !signed {
		t.Fatal("no key unlocked")
	}
	t.Setenv(keyring.EnvPassphrase, "bad")
	cmd.SetArgs([]string{"--keyring", kr})
	if err := cmd.Execute(); !errors.Is(err, keyring.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
}
