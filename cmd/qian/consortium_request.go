package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/localnet"
)

func newConsortiumRequestCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "request --home DIR --chain-id ID --org ID --name NAME --role ROLE --address MULTIADDR -o FILE",
		Short: "Make this organisation's node home and keys, and write its signed join request",
		Long: `On the organisation's own machine: create the node home --home (else QIAN_HOME,
else ~/.qian) with its node key, its validator key (not with --observer) and the
organisation's admin account in HOME/keyring, named after --org and sealed with the
keyring passphrase (--passphrase-file, QIAN_PASSPHRASE or a prompt); keys already
in the home are reused, never replaced, so the command can be run again to correct
the request. Then write the join request to -o: the organisation entry, the node
entry (peer id, validator key and --power, the --address list where other nodes
dial it), signed by the admin key, the validator key and the node key. The request
holds no secret; send it to the coordinator, and read its digest to them by phone.
Everything is checked before the passphrase is asked for and before anything is
written.

A new home listens for libp2p on the --address list (or --listen, e.g.
/ip4/0.0.0.0/tcp/26656 behind NAT) and for HTTP on --http.`,
		Args: args(0, "no arguments (the organisation is given by flags)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			out, _ := f.GetString("out")
			chainID, _ := f.GetString("chain-id")
			org, err := orgFromFlags(f)
			if err != nil {
				return err
			}
			for name, v := range map[string]string{"--out": out, "--chain-id": chainID, "--org": org.ID, "--name": org.Name} {
				if v == "" {
					return usagef("consortium request needs %s", name)
				}
			}
			if len(org.Roles) == 0 {
				return usagef("consortium request needs --role (one or more)")
			}
			o := localnet.MemberOptions{Home: config.ResolveHome(f), ChainID: chainID, Org: org, KeyringOptions: e.keyringOpts}
			o.Moniker, _ = f.GetString("moniker")
			o.Observer, _ = f.GetBool("observer")
			o.Power, _ = f.GetUint64("power")
			if o.Observer && f.Changed("power") {
				return usagef("an observer has no voting power: leave out --power or --observer")
			}
			o.Addresses, _ = f.GetStringSlice("address")
			o.Listen, _ = f.GetStringSlice("listen")
			o.HTTPListen, _ = f.GetString("http")

			passFile, _ := f.GetString(config.FlagPassphraseFile)
			o.Passphrase = keyring.PassphraseSource{File: passFile, Env: keyring.EnvPassphrase, Prompter: e.prompter, What: "keyring"}.Get
			m, err := localnet.CreateMember(o)
			if err != nil {
				return err
			}
			m.Request.Source = out
			if err := m.Request.Save(out); err != nil {
				return err
			}
			printMember(e, m, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringP("out", "o", "", "where to write the join request (required), e.g. farm.request.json")
	f.String("chain-id", "", "the chain's id, agreed by the organisations beforehand (required): 1 to 64 characters of a-z, 0-9, '.', '_' and '-'")
	addOrgFlags(f, "", "")
	f.String("moniker", "", "the node's name (default: the organisation id)")
	f.Bool("observer", false, "the node follows the chain without voting: no validator key")
	f.Uint64("power", localnet.DefaultPower, "the validator's voting power")
	f.StringSlice("address", nil, "a public libp2p address where other nodes dial this one, without /p2p/ (e.g. /ip4/203.0.113.7/tcp/26656), repeated or comma-separated; required for a validator")
	f.StringSlice("listen", nil, "p2p.listen of a new home (default: the --address list)")
	f.String("http", config.DefaultHTTPListen, "http.listen of a new home")
	config.AddPassphraseFlag(f)
	return cmd
}

func printMember(e *env, m *localnet.Member, out string) {
	w := e.stdout
	r := m.Request
	o := r.Organisation
	fmt.Fprintf(w, "join request for chain %s written to %s\n", r.ChainID, out)
	name := o.Name
	if o.NameEN != "" {
		name += " / " + o.NameEN
	}
	roles := make([]string, len(o.Roles))
	for i, x := range o.Roles {
		roles[i] = string(x)
	}
	fmt.Fprintf(w, "organisation:   %s (%s), roles %s\n", o.ID, name, strings.Join(roles, ", "))
	if len(o.GS1Prefixes)+len(o.GLNs) > 0 {
		fmt.Fprintf(w, "GS1:            prefixes %s; GLNs %s\n", strings.Join(o.GS1Prefixes, ", "), strings.Join(o.GLNs, ", "))
	}
	fmt.Fprintf(w, "admin account:  %s %s (in %s)\n", m.Account.Name, m.Account.PublicKey, config.Paths{Home: m.Home}.KeyringDir())
	var addrs []string
	if v := r.Validator; v != nil {
		fmt.Fprintf(w, "node:           %s, validator of power %d\n", v.Name, v.Power)
		fmt.Fprintf(w, "validator key:  %s\n", v.PubKey)
		addrs = v.Addresses
	} else {
		fmt.Fprintf(w, "node:           %s, observer\n", r.Observer.Name)
		addrs = r.Observer.Addresses
	}
	fmt.Fprintf(w, "peer id:        %s\n", m.PeerID())
	for _, a := range addrs {
		fmt.Fprintf(w, "address:        %s\n", a)
	}
	fmt.Fprintf(w, "request digest: %s\n", r.Message())
	fmt.Fprintf(w, "home:           %s\n", m.Home)
	if len(m.Created) == 0 {
		fmt.Fprintf(w, "                (every key was already there and is reused)\n")
	}
	for _, p := range m.Created {
		rel, err := filepath.Rel(m.Home, p)
		if err != nil {
			rel = p
		}
		fmt.Fprintf(w, "  created       %s\n", rel)
	}
	fmt.Fprintf(w, "Send %s to the coordinator; read them the request digest by phone. When genesis.json comes back:\n", out)
	fmt.Fprintf(w, "  qian consortium check genesis.json --request %s --home %s\n", out, m.Home)
}
