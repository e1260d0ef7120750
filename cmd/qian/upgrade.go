package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/upgrade"
)

// Upgrades at an agreed height: an elector organisation proposes a name
// and a height (its approval counts), the others approve with `qian org
// approve`; every node commits the height, then goes on with the
// upgrade's rules or stops (docs/operations.md, "Upgrading at an agreed
// height").

func newUpgradeCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Schedule or cancel an upgrade at an agreed height; list the upgrades this qian knows",
		Long: `An upgrade is a proposal that passes when more than two thirds of the organisations
with founding status or the regulator role approve it (qian org approve PROPOSAL_ID);
the proposer's approval counts. Once passed, every node commits the upgrade's height
with the rules it has; a qian that knows the upgrade executes the next height with
the upgrade's rules, one that does not stops there (exit code 3) and refuses to
start until a qian that knows it is installed. qian status shows the plan.`,
		Args: args(0, "a subcommand"),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	propose := &cobra.Command{
		Use:   "propose NAME --height H",
		Short: "Propose an upgrade: nodes commit height H, then run the upgrade NAME",
		Args:  args(1, "an upgrade name"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := upgrade.ValidName(a[0]); err != nil {
				return usagef("%v", err)
			}
			h, _ := cmd.Flags().GetUint64("height")
			if h == 0 {
				return usagef("--height: the last height executed before the upgrade (after the current one)")
			}
			reason, _ := cmd.Flags().GetString("reason")
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			return sendProposal(s, &membership.Propose{Kind: membership.ScheduleUpgrade, Upgrade: &membership.UpgradeSpec{Name: a[0], Height: h}, Reason: reason})
		},
	}
	propose.Flags().Uint64("height", 0, "the last height executed before the upgrade; leave the organisations time to install the new qian")
	propose.Flags().String("reason", "", "why, for the other organisations")
	addClientFlags(propose, true)
	cancel := &cobra.Command{
		Use:   "propose-cancel NAME",
		Short: "Propose cancelling the scheduled upgrade NAME",
		Args:  args(1, "an upgrade name"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := upgrade.ValidName(a[0]); err != nil {
				return usagef("%v", err)
			}
			reason, _ := cmd.Flags().GetString("reason")
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			return sendProposal(s, &membership.Propose{Kind: membership.CancelUpgrade, Upgrade: &membership.UpgradeSpec{Name: a[0]}, Reason: reason})
		},
	}
	cancel.Flags().String("reason", "", "why, for the other organisations")
	addClientFlags(cancel, true)
	known := &cobra.Command{
		Use:   "known",
		Short: "List the upgrades compiled into this qian and the protocol version each brings",
		Args:  args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg := upgrade.Compiled()
			fmt.Fprintf(e.stdout, "qian %s\n", versionString())
			if len(reg) == 0 {
				fmt.Fprintln(e.stdout, "no upgrades: this qian runs protocol version 1 only")
				return nil
			}
			for _, n := range reg.Names() {
				v, _ := reg.Known(n)
				fmt.Fprintf(e.stdout, "%s\tprotocol version %d\n", n, v)
			}
			return nil
		},
	}
	cmd.AddCommand(propose, cancel, known)
	return cmd
}
