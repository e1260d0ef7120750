package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
)

func newConsortiumCheckCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check GENESIS --request MINE.request.json [--home DIR]",
		Short: "Check a consortium's genesis.json against this organisation's join request, and install it",
		Long: `What each founding organisation runs on the genesis.json the coordinator sends,
before starting its node. It checks that

  - every organisation, validator and observer in it came from a join request
    whose signatures hold (the coordinator altered or added nothing), and
  - each --request file (this organisation's own) is in it unchanged, for its chain,

and prints the founding organisations, the consensus parameters and the genesis
hash, to be compared with every other organisation by another channel (phone,
signed letter): the hash covers everything, including what no request signed
(the consensus parameters, the genesis time, which requests were included).

With --home, it also checks that the home holds the keys its request names and,
when everything holds, installs genesis.json in the home; then start the node
with qian start --home DIR.`,
		Args: args(1, "the genesis file"),
		RunE: func(cmd *cobra.Command, a []string) error {
			f := cmd.Flags()
			files, _ := f.GetStringSlice("request")
			if len(files) == 0 {
				return usagef("consortium check needs --request (this organisation's join request file)")
			}
			d, err := genesis.Load(a[0])
			if err != nil {
				return err
			}
			var mine []*genesis.JoinRequest
			for _, p := range files {
				r, err := genesis.LoadJoinRequest(p)
				if err != nil {
					return err
				}
				mine = append(mine, r)
			}
			if err := genesis.Check(d, mine); err != nil {
				return err
			}
			var home string
			if f.Changed(config.FlagHome) {
				home = config.ResolveHome(f)
				if err := checkHomeKeys(e, home, mine); err != nil {
					return err
				}
			}
			w := e.stdout
			fmt.Fprintf(w, "%s: chain %s, %d founding organisations, %d validator(s), %d observer(s)\n",
				a[0], d.ChainID, len(d.Organisations), len(d.Validators), len(d.Observers))
			fmt.Fprintf(w, "every entry comes from a join request whose signatures hold (%d requests)\n", len(d.JoinRequests()))
			for _, r := range mine {
				fmt.Fprintf(w, "your request %s: in the genesis, unchanged (digest %s)\n", r.Source, r.Message())
			}
			printRequests(w, d)
			printConsensus(w, d)
			if home != "" {
				msg, err := installGenesis(d, home)
				if err != nil {
					return err
				}
				fmt.Fprintln(w, msg)
			}
			fmt.Fprintf(w, "genesis hash: %s\n", d.Hash())
			fmt.Fprintln(w, "Compare the genesis hash with every other organisation by phone before starting the node.")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSlice("request", nil, "this organisation's join request file (required; repeat for more than one)")
	return cmd
}

// checkHomeKeys finds, among the requests, the one of the node in home and
// checks that the home holds every key it names: the node key, the
// validator key and the admin account. Only public keys are compared; no
// passphrase is needed.
func checkHomeKeys(e *env, home string, reqs []*genesis.JoinRequest) error {
	paths := config.Paths{Home: home}
	_, id, err := nodekey.LoadNodeKey(paths.NodeKeyFile())
	if err != nil {
		return &genesis.CeremonyError{Code: genesis.CodeHomeMismatch, Reason: fmt.Sprintf("home %s: %v", home, err)}
	}
	mismatch := func(format string, args ...any) error {
		return &genesis.CeremonyError{Code: genesis.CodeHomeMismatch, Reason: fmt.Sprintf("home %s: ", home) + fmt.Sprintf(format, args...)}
	}
	for _, r := range reqs {
		if v := r.Validator; v != nil && v.PeerID == id {
			vk, err := nodekey.LoadValidatorKey(paths.ValidatorKeyFile())
			if err != nil {
				return mismatch("%v", err)
			}
			if vk.PublicKey() != v.PubKey {
				return mismatch("its validator key is %s; request %s names %s", vk.PublicKey(), r.Source, v.PubKey)
			}
		} else if o := r.Observer; o == nil || o.PeerID != id {
			continue
		}
		kr, err := keyring.Open(paths.KeyringDir(), e.keyringOpts...)
		if err != nil {
			return mismatch("%v", err)
		}
		info, err := kr.Show(r.Organisation.ID)
		if err != nil {
			return mismatch("admin account: %v", err)
		}
		if info.PublicKey != r.Organisation.Admins[0] {
			return mismatch("admin account %s is %s; request %s names %s", info.Name, info.PublicKey, r.Source, r.Organisation.Admins[0])
		}
		return nil
	}
	return mismatch("its node key (peer id %s) is not the node of any --request given", id)
}

// installGenesis writes d as the home's genesis.json, unless the home has
// one already: the same genesis is fine, another is refused.
func installGenesis(d *genesis.Doc, home string) (string, error) {
	path := config.Paths{Home: home}.GenesisFile()
	switch old, err := genesis.Load(path); {
	case err == nil && old.Hash() == d.Hash():
		return fmt.Sprintf("%s already holds this genesis", path), nil
	case err == nil:
		return "", &genesis.CeremonyError{Code: genesis.CodeHomeMismatch, Reason: fmt.Sprintf("%s holds another genesis (hash %s); this home belongs to another chain", path, old.Hash())}
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if err := d.Save(path); err != nil {
		return "", err
	}
	return fmt.Sprintf("installed the genesis in %s; start the node with: qian start --home %s", path, home), nil
}
