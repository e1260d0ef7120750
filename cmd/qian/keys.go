package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
)

// Export passphrase sources, separate from the keyring passphrase so that
// an exported key never travels under the keyring's passphrase.
const (
	envExportPassphrase    = "QIAN_EXPORT_PASSPHRASE"
	flagExportPassphraseFn = "export-passphrase-file"
)

func newKeysCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage account keys in an encrypted keyring",
		Long: `Manage account keys (secp256k1 BIP-340) in a keyring directory: one file per key,
encrypted with a passphrase-derived key (scrypt, XChaCha20-Poly1305), mode 0600.

The keyring is --keyring, else QIAN_KEYRING, else client.keyring in the home's
config.toml, else HOME/keyring. The passphrase comes from --passphrase-file,
else QIAN_PASSPHRASE, else a terminal prompt.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	pf := cmd.PersistentFlags()
	config.AddKeyringFlag(pf)
	config.AddPassphraseFlag(pf)
	pf.Bool(config.FlagJSON, false, "print JSON")
	cmd.AddCommand(keysNewCmd(e), keysListCmd(e), keysShowCmd(e), keysExportCmd(e), keysImportCmd(e), keysDeleteCmd(e))
	return cmd
}

// keysCtx is what every keys subcommand needs.
type keysCtx struct {
	client *config.Client
	kr     *keyring.Keyring
}

func openKeys(e *env, cmd *cobra.Command) (*keysCtx, error) {
	c, err := config.LoadClient(config.ResolveHome(cmd.Flags()), cmd.Flags())
	if err != nil {
		return nil, err
	}
	kr, err := c.OpenKeyring(e.keyringOpts...)
	if err != nil {
		return nil, err
	}
	return &keysCtx{client: c, kr: kr}, nil
}

func (k *keysCtx) passphrase(e *env, confirm bool) ([]byte, error) {
	return k.client.PassphraseSource(e.prompter).Get(confirm)
}

// newName checks that name may be given to a new key: a valid name that no
// key has yet (asked before any passphrase, so that a mistake costs none).
func (k *keysCtx) newName(name string) error {
	if err := keyring.ValidateName(name); err != nil {
		return err
	}
	if _, err := k.kr.Show(name); err == nil {
		return fmt.Errorf("%w: %q in %s", keyring.ErrExists, name, k.kr.Dir())
	}
	return nil
}

func addExportPassphraseFlag(cmd *cobra.Command) {
	cmd.Flags().String(flagExportPassphraseFn, "", "read the export passphrase from the first line of this file (else $"+envExportPassphrase+", else a prompt)")
}

func exportPassphrase(e *env, cmd *cobra.Command, confirm bool) ([]byte, error) {
	file, _ := cmd.Flags().GetString(flagExportPassphraseFn)
	return keyring.PassphraseSource{File: file, Env: envExportPassphrase, Prompter: e.prompter, What: "export"}.Get(confirm)
}

func printInfo(e *env, k *keysCtx, info keyring.Info, verb string) error {
	if k.client.JSON {
		return writeJSON(e.stdout, info)
	}
	if verb != "" {
		fmt.Fprintf(e.stdout, "%s key %s in %s\n", verb, info.Name, k.kr.Dir())
	}
	fmt.Fprintf(e.stdout, "public key: %s\n", info.PublicKey)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func keysNewCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "new NAME",
		Short: "Create a key",
		Long:  "Create a new account key named NAME (1 to 40 characters of a-z, 0-9, '_' and '-').",
		Args:  args(1, "one argument, NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			k, err := openKeys(e, cmd)
			if err != nil {
				return err
			}
			if err := k.newName(a[0]); err != nil {
				return err
			}
			pass, err := k.passphrase(e, true)
			if err != nil {
				return err
			}
			info, err := k.kr.Create(a[0], pass)
			if err != nil {
				return err
			}
			return printInfo(e, k, info, "created")
		},
	}
}

func keysListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List keys and their public keys (no passphrase needed)",
		Args:  args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := openKeys(e, cmd)
			if err != nil {
				return err
			}
			infos, err := k.kr.List()
			if err != nil {
				return err
			}
			if k.client.JSON {
				if infos == nil {
					infos = []keyring.Info{}
				}
				return writeJSON(e.stdout, infos)
			}
			if len(infos) == 0 {
				fmt.Fprintf(e.stderr, "no keys in %s\n", k.kr.Dir())
				return nil
			}
			for _, i := range infos {
				fmt.Fprintf(e.stdout, "%-16s %s\n", i.Name, i.PublicKey)
			}
			return nil
		},
	}
}

func keysShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME",
		Short: "Print a key's public key (no passphrase needed)",
		Args:  args(1, "one argument, NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			k, err := openKeys(e, cmd)
			if err != nil {
				return err
			}
			info, err := k.kr.Show(a[0])
			if err != nil {
				return err
			}
			if k.client.JSON {
				return writeJSON(e.stdout, info)
			}
			fmt.Fprintln(e.stdout, info.PublicKey)
			return nil
		},
	}
}

func keysExportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export NAME",
		Short: "Export a key as an armor encrypted under a separate export passphrase",
		Long: `Unlock NAME with the keyring passphrase and print it re-encrypted under an export
passphrase (--export-passphrase-file, else QIAN_EXPORT_PASSPHRASE, else a prompt),
as a "QIAN ENCRYPTED PRIVATE KEY" armor, to standard output or --out FILE.`,
		Args: args(1, "one argument, NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			k, err := openKeys(e, cmd)
			if err != nil {
				return err
			}
			if _, err := k.kr.Show(a[0]); err != nil {
				return err
			}
			pass, err := k.passphrase(e, false)
			if err != nil {
				return err
			}
			if _, err := k.kr.Unlock(a[0], pass); err != nil {
				return err // before asking for a second passphrase
			}
			xpass, err := exportPassphrase(e, cmd, true)
			if err != nil {
				return err
			}
			armor, err := k.kr.Export(a[0], pass, xpass)
			if err != nil {
				return err
			}
			out, _ := cmd.Flags().GetString("out")
			if out == "" {
				_, err := e.stdout.Write(armor)
				return err
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if _, err := f.Write(armor); err != nil {
				f.Close()
				return fmt.Errorf("export: %w", err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			fmt.Fprintf(e.stderr, "exported key %s to %s\n", a[0], out)
			return nil
		},
	}
	cmd.Flags().String("out", "", "write the armor to this new file (mode 0600) instead of standard output")
	addExportPassphraseFlag(cmd)
	return cmd
}

func keysImportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import NAME FILE",
		Short: "Import an exported key armor as NAME",
		Long: `Read an armor made by "qian keys export" from FILE ("-" for standard input), open
it with its export passphrase (--export-passphrase-file, else QIAN_EXPORT_PASSPHRASE,
else a prompt) and store it as NAME under the keyring passphrase.`,
		Args: args(2, "two arguments, NAME and FILE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			k, err := openKeys(e, cmd)
			if err != nil {
				return err
			}
			if err := k.newName(a[0]); err != nil {
				return err
			}
			var r io.Reader = e.stdin
			if a[1] != "-" {
				f, err := os.Open(a[1])
				if err != nil {
					return fmt.Errorf("import: %w", err)
				}
				defer f.Close()
				r = f
			}
			armor, err := keyring.ReadArmor(r)
			if err != nil {
				return fmt.Errorf("import %s: %w", filepath.Base(a[1]), err)
			}
			xpass, err := exportPassphrase(e, cmd, false)
			if err != nil {
				return err
			}
			pass, err := k.passphrase(e, true)
			if err != nil {
				return err
			}
			info, err := k.kr.Import(a[0], armor, xpass, pass)
			if err != nil {
				return err
			}
			return printInfo(e, k, info, "imported")
		},
	}
	addExportPassphraseFlag(cmd)
	return cmd
}

func keysDeleteCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key (asks for confirmation, or --yes)",
		Args:  args(1, "one argument, NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			k, err := openKeys(e, cmd)
			if err != nil {
				return err
			}
			info, err := k.kr.Show(a[0])
			if err != nil && !isCorrupt(err) {
				return err
			}
			yes, _ := cmd.Flags().GetBool("yes")
			if !yes && !e.confirm(fmt.Sprintf("Delete key %s (public key %s) from %s? It cannot be recovered without a backup.", a[0], info.PublicKey, k.kr.Dir())) {
				if e.prompter == nil {
					return usagef("refusing to delete key %s without confirmation: add --yes", a[0])
				}
				return fmt.Errorf("key %s not deleted", a[0])
			}
			if err := k.kr.Delete(a[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "deleted key %s\n", a[0])
			return nil
		},
	}
	cmd.Flags().Bool("yes", false, "delete without asking")
	return cmd
}
