package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
)

// Membership: admins manage their organisation's keys; founding and
// regulator organisations propose and approve adding or suspending
// organisations. See docs/traceability.md ("membership").

func newAccountCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "account",
		Short: "Add, rotate and revoke your organisation's account keys (admins)",
		Args:  args(0, "a subcommand"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	add := &cobra.Command{
		Use:   "add (--pubkey HEX | --new NAME)",
		Short: "Register a key as an operator (or admin) of the --key admin's organisation",
		Long: `Register a public key in the organisation of the --key account, which must be one of
its admins. --new NAME first creates NAME in the keyring (with the same passphrase)
and registers its public key.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			pubHex, _ := cmd.Flags().GetString("pubkey")
			newName, _ := cmd.Flags().GetString("new")
			roleName, _ := cmd.Flags().GetString("role")
			label, _ := cmd.Flags().GetString("label")
			role, err := membership.ParseAccountRole(roleName)
			if err != nil {
				return usagef("--role: %v", err)
			}
			if (pubHex == "") == (newName == "") {
				return usagef("give exactly one of --pubkey HEX and --new NAME")
			}
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			var pub ledger.PublicKey
			if pubHex != "" {
				if pub, err = ledger.ParsePublicKey(pubHex); err != nil {
					return usagef("--pubkey: %v", err)
				}
			} else {
				kr, err := s.cfg.OpenKeyring(e.keyringOpts...)
				if err != nil {
					return err
				}
				pass, err := s.cfg.PassphraseSource(e.prompter).Get(false)
				if err != nil {
					return err
				}
				info, err := kr.Create(newName, pass)
				if err != nil {
					return err
				}
				pub = info.PublicKey
				fmt.Fprintf(e.stderr, "created key %s in %s: %s\n", newName, kr.Dir(), pub)
			}
			if label == "" {
				label = newName
			}
			p := &membership.AddAccount{Key: pub, Role: role, Label: label}
			return sendOne(s, membership.MethodAddAccount, p.Encode(), "add "+pub.Short())
		},
	}
	add.Flags().String("pubkey", "", "the key to register (64 hex digits)")
	add.Flags().String("new", "", "create this key in the keyring and register it")
	add.Flags().String("role", "operator", "operator or admin")
	add.Flags().String("label", "", "a label for people (default: the --new name)")
	addClientFlags(add, true)

	rotate := &cobra.Command{
		Use:   "rotate OLD_PUBKEY NEW_PUBKEY",
		Short: "Replace a key of your organisation (the old one is revoked, the new takes its role)",
		Args:  args(2, "two public keys"),
		RunE: func(cmd *cobra.Command, a []string) error {
			old, err := ledger.ParsePublicKey(a[0])
			if err != nil {
				return usagef("OLD_PUBKEY: %v", err)
			}
			nw, err := ledger.ParsePublicKey(a[1])
			if err != nil {
				return usagef("NEW_PUBKEY: %v", err)
			}
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			p := &membership.RotateKey{Old: old, New: nw}
			return sendOne(s, membership.MethodRotateKey, p.Encode(), "rotate "+old.Short())
		},
	}
	addClientFlags(rotate, true)

	revoke := &cobra.Command{
		Use:   "revoke PUBKEY",
		Short: "Revoke a key of your organisation; what it wrote stays",
		Args:  args(1, "a public key"),
		RunE: func(cmd *cobra.Command, a []string) error {
			k, err := ledger.ParsePublicKey(a[0])
			if err != nil {
				return usagef("PUBKEY: %v", err)
			}
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			p := &membership.RevokeKey{Key: k}
			return sendOne(s, membership.MethodRevokeKey, p.Encode(), "revoke "+k.Short())
		},
	}
	addClientFlags(revoke, true)
	cmd.AddCommand(add, rotate, revoke)
	return cmd
}

func sendOne(s *txSession, method string, payload []byte, label string) error {
	tx, err := s.tx(membership.Contract, method, payload)
	if err != nil {
		return err
	}
	r, err := s.send(tx, label)
	if err != nil {
		return err
	}
	s.print(r)
	return finish([]*txResult{r})
}

func newOrgCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "org",
		Short: "Propose and approve adding, suspending or reinstating an organisation",
		Long: `Adding or suspending an organisation is a proposal that passes when more than two
thirds of the organisations with founding status or the regulator role approve it.
The proposer's approval counts.`,
		Args: args(0, "a subcommand"),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	proposeAdd := &cobra.Command{
		Use:   "propose-add SPEC.json",
		Short: "Propose a new organisation described in SPEC.json",
		Long: `SPEC.json: {"id": "...", "name": "...", "roles": ["farm"], "prefixes": ["6923104"],
"glns": ["6923104000007"], "admins": ["<64 hex digits>"]}`,
		Args: args(1, "a JSON file"),
		RunE: func(cmd *cobra.Command, a []string) error {
			raw, err := os.ReadFile(a[0])
			if err != nil {
				return err
			}
			var spec membership.OrgSpec
			if err := json.Unmarshal(raw, &spec); err != nil {
				return fmt.Errorf("%s: %w", a[0], err)
			}
			if err := spec.Normalize(); err != nil {
				return err
			}
			reason, _ := cmd.Flags().GetString("reason")
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			p := &membership.Propose{Kind: membership.AddOrg, Org: spec, Reason: reason}
			return sendProposal(s, p)
		},
	}
	proposeAdd.Flags().String("reason", "", "why, for the other organisations")
	addClientFlags(proposeAdd, true)
	status := func(use string, kind membership.ProposalKind, short string) *cobra.Command {
		c := &cobra.Command{
			Use:   use + " ORG_ID --reason TEXT",
			Short: short,
			Args:  args(1, "an organisation id"),
			RunE: func(cmd *cobra.Command, a []string) error {
				reason, _ := cmd.Flags().GetString("reason")
				s, err := openTxSession(cmd, e)
				if err != nil {
					return err
				}
				return sendProposal(s, &membership.Propose{Kind: kind, OrgID: a[0], Reason: reason})
			},
		}
		c.Flags().String("reason", "", "why, for the other organisations")
		addClientFlags(c, true)
		return c
	}
	approve := &cobra.Command{
		Use:   "approve PROPOSAL_ID",
		Short: "Approve a pending proposal (its id is the proposing transaction's hash)",
		Args:  args(1, "a proposal id"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := ledger.ParseHash(a[0])
			if err != nil {
				return usagef("PROPOSAL_ID: %v", err)
			}
			s, err := openTxSession(cmd, e)
			if err != nil {
				return err
			}
			p := &membership.Approve{Proposal: id}
			return sendOne(s, membership.MethodApprove, p.Encode(), "approve "+id.Short())
		},
	}
	addClientFlags(approve, true)
	cmd.AddCommand(proposeAdd,
		status("propose-suspend", membership.SuspendOrg, "Propose suspending an organisation: it can no longer write"),
		status("propose-reinstate", membership.ReinstateOrg, "Propose reinstating a suspended organisation"),
		approve)
	return cmd
}

func sendProposal(s *txSession, p *membership.Propose) error {
	tx, err := s.tx(membership.Contract, membership.MethodPropose, p.Encode())
	if err != nil {
		return err
	}
	r, err := s.send(tx, "proposal "+tx.Hash().String())
	if err != nil {
		return err
	}
	s.print(r)
	return finish([]*txResult{r})
}
