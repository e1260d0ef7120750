package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/qianchain/qianchain/genesis"
)

func newConsortiumCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "consortium",
		Short: "Found a chain with other organisations, no one holding another's keys",
		Long: `The founding ceremony of a consortium chain (docs/operations.md, "Founding a
consortium"). Each organisation, on its own machine:

  qian consortium request --home DIR --chain-id ID --org ID ... -o ORG.request.json

and sends the request file (public: no secret in it) to a coordinator, who runs

  qian consortium assemble *.request.json --chain-id ID -o genesis.json

and sends genesis.json back. Each organisation checks it against its own request
and installs it in its home, compares the printed genesis hash with the others by
another channel (phone, signed letter), and starts its node:

  qian consortium check genesis.json --request ORG.request.json --home DIR
  qian start --home DIR`,
		Args: args(0, "a subcommand"),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newConsortiumRequestCmd(e), newConsortiumAssembleCmd(e), newConsortiumCheckCmd(e))
	return cmd
}

// addOrgFlags registers the flags of an organisation entry, shared by
// `consortium request` and `init`.
func addOrgFlags(fs *pflag.FlagSet, defID, defName string) {
	fs.String("org", defID, "organisation id: 1 to 32 characters of a-z, 0-9, '_' and '-', starting with a letter; also the name of its admin account in HOME/keyring")
	fs.String("name", defName, "the organisation's legal or trading name, in any script (e.g. 湄潭云雾茶园)")
	fs.String("name-en", "", "an English gloss of the name (optional)")
	names := make([]string, 0, 9)
	for _, r := range genesis.Roles() {
		names = append(names, string(r))
	}
	fs.StringSlice("role", nil, "the organisation's role(s), repeated or comma-separated: "+strings.Join(names, ", "))
	fs.StringSlice("prefix", nil, "a GS1 company prefix licensed to the organisation (6 to 12 digits), repeated or comma-separated")
	fs.StringSlice("gln", nil, "a Global Location Number of the organisation, under one of its prefixes, repeated or comma-separated")
}

// orgFromFlags reads the organisation entry of addOrgFlags.
func orgFromFlags(fs *pflag.FlagSet) (genesis.Organisation, error) {
	var o genesis.Organisation
	o.ID, _ = fs.GetString("org")
	o.Name, _ = fs.GetString("name")
	o.NameEN, _ = fs.GetString("name-en")
	roles, _ := fs.GetStringSlice("role")
	for _, s := range roles {
		r, err := genesis.ParseRole(s)
		if err != nil {
			return o, usagef("--role: %v", err)
		}
		o.Roles = append(o.Roles, r)
	}
	o.GS1Prefixes, _ = fs.GetStringSlice("prefix")
	o.GLNs, _ = fs.GetStringSlice("gln")
	return o, nil
}

// printRequests lists the requests a genesis is made of: organisation, its
// node, the node's role and power, and the request digest (the message
// its keys signed), which an organisation can read out to confirm its
// request arrived unchanged.
func printRequests(w io.Writer, d *genesis.Doc) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORGANISATION\tNODE\tROLE\tPOWER\tPEER ID\tREQUEST DIGEST")
	for _, r := range d.JoinRequests() {
		role, power, id, name := "observer", "-", "", ""
		if v := r.Validator; v != nil {
			role, power, id, name = "validator", fmt.Sprint(v.Power), v.PeerID.String(), v.Name
		} else {
			id, name = r.Observer.PeerID.String(), r.Observer.Name
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Organisation.ID, name, role, power, id, r.Message())
	}
	tw.Flush()
	total := d.TotalPower()
	fmt.Fprintf(w, "voting power: %d in all, %d validator(s); a block needs more than 2/3, i.e. %d\n", total, len(d.Validators), total*2/3+1)
}

// printConsensus states the consensus parameters on one line each, for the
// organisations to read through before they compare the hash.
func printConsensus(w io.Writer, d *genesis.Doc) {
	c := d.Consensus
	fmt.Fprintf(w, "genesis time: %s\n", d.GenesisTime.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"))
	fmt.Fprintf(w, "timeouts: propose %s (+%s a round), prevote %s (+%s), precommit %s (+%s); empty blocks every %s\n",
		c.TimeoutPropose, c.TimeoutProposeDelta, c.TimeoutPrevote, c.TimeoutPrevoteDelta, c.TimeoutPrecommit, c.TimeoutPrecommitDelta, c.EmptyBlockInterval)
	fmt.Fprintf(w, "limits: blocks of at most %d bytes and %d transactions, transactions of at most %d bytes\n", c.MaxBlockBytes, c.MaxBlockTxs, c.MaxTxBytes)
}
