package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/genesis"
)

func newConsortiumAssembleCmd(e *env) *cobra.Command {
	def := genesis.DefaultConsensusParams()
	cmd := &cobra.Command{
		Use:   "assemble REQUEST... --chain-id ID -o genesis.json",
		Short: "Make genesis.json from the founding organisations' join requests",
		Long: `The coordinator's step: read every organisation's join request and write the
chain's genesis.json with the consensus parameters below. A request is refused
(nothing is written) when its signatures fail, when it was made for another chain
id, or when two requests found one organisation, or share an admin or validator
key, a node peer id or name, a GS1 company prefix (or overlapping ones) or a GLN.
The organisations are ordered by id, so the same requests and flags give the
same genesis whatever order the files are named in: anyone can assemble it again
with the printed --genesis-time to check the result.

genesis.json carries each request's signatures, so every organisation can check
that nothing was altered (qian consortium check), and each validator's peer id and
addresses, so every node finds the others with no p2p.peers to write.`,
		Args: func(cmd *cobra.Command, a []string) error {
			if len(a) == 0 {
				return usagef("consortium assemble takes one or more join request files")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, files []string) error {
			f := cmd.Flags()
			out, _ := f.GetString("out")
			chainID, _ := f.GetString("chain-id")
			if out == "" || chainID == "" {
				return usagef("consortium assemble needs --chain-id and -o")
			}
			o := genesis.AssembleOptions{ChainID: chainID, GenesisTime: time.Now().UTC().Truncate(time.Second)}
			if s, _ := f.GetString("genesis-time"); s != "" {
				t, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					return usagef("--genesis-time %q is not an RFC 3339 time such as 2026-12-01T00:00:00Z", s)
				}
				o.GenesisTime = t
			}
			c := &o.Consensus
			for name, dst := range map[string]*time.Duration{
				"timeout-propose": &c.TimeoutPropose, "timeout-propose-delta": &c.TimeoutProposeDelta,
				"timeout-prevote": &c.TimeoutPrevote, "timeout-prevote-delta": &c.TimeoutPrevoteDelta,
				"timeout-precommit": &c.TimeoutPrecommit, "timeout-precommit-delta": &c.TimeoutPrecommitDelta,
				"empty-block-interval": &c.EmptyBlockInterval,
			} {
				*dst, _ = f.GetDuration(name)
			}
			c.MaxBlockBytes, _ = f.GetUint64("max-block-bytes")
			c.MaxBlockTxs, _ = f.GetUint64("max-block-txs")
			c.MaxTxBytes, _ = f.GetUint64("max-tx-bytes")

			var reqs []*genesis.JoinRequest
			for _, p := range files {
				r, err := genesis.LoadJoinRequest(p)
				if err != nil {
					return err
				}
				reqs = append(reqs, r)
			}
			d, err := genesis.Assemble(reqs, o)
			if err != nil {
				return err
			}
			if err := d.Save(out); err != nil {
				return err
			}
			w := e.stdout
			fmt.Fprintf(w, "genesis of chain %s written to %s: %d founding organisations\n", d.ChainID, out, len(d.Organisations))
			printRequests(w, d)
			printConsensus(w, d)
			fmt.Fprintf(w, "genesis hash: %s\n", d.Hash())
			fmt.Fprintf(w, "Send %s to every organisation. Each runs qian consortium check and compares the genesis hash above with the others by phone.\n", out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringP("out", "o", "", "where to write genesis.json (required)")
	f.String("chain-id", "", "the chain id the requests were made for (required)")
	f.String("genesis-time", "", "the chain's genesis time, RFC 3339 (default: now, to the second)")
	f.Duration("timeout-propose", def.TimeoutPropose, "consensus: how long round 0 waits for a proposal")
	f.Duration("timeout-propose-delta", def.TimeoutProposeDelta, "consensus: added to the propose timeout each round")
	f.Duration("timeout-prevote", def.TimeoutPrevote, "consensus: how long round 0 waits for prevotes")
	f.Duration("timeout-prevote-delta", def.TimeoutPrevoteDelta, "consensus: added to the prevote timeout each round")
	f.Duration("timeout-precommit", def.TimeoutPrecommit, "consensus: how long round 0 waits for precommits")
	f.Duration("timeout-precommit-delta", def.TimeoutPrecommitDelta, "consensus: added to the precommit timeout each round")
	f.Duration("empty-block-interval", def.EmptyBlockInterval, "consensus: how long a proposer with nothing to propose waits before an empty block")
	f.Uint64("max-block-bytes", def.MaxBlockBytes, "consensus: largest encoded block")
	f.Uint64("max-block-txs", def.MaxBlockTxs, "consensus: most transactions in a block")
	f.Uint64("max-tx-bytes", def.MaxTxBytes, "consensus: largest encoded transaction")
	return cmd
}
