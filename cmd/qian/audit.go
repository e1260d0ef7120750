package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/audit"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/view"
)

func newAuditCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Re-check a whole chain from genesis: hashes, certificates, signatures, re-execution",
		Long: `Audit every block from genesis, trusting only the genesis file: the hash chain, each
block's transaction root and header, every commit certificate against the genesis
validators (the one recorded in the next block, and the node's own), every
transaction's signature (on all cores), and a re-execution of every transaction with
the contracts on a scratch store, comparing the results and app hashes with what the
node stored and the next header carries. docs/verification.md lists every check.

  qian audit --home DIR                         a stopped node's home, or a copy
                                                (genesis from DIR/genesis.json)
  qian audit --node URL --genesis genesis.json  a running node, through its API

Progress goes to standard error; the summary to standard output (--json for tools).
The exit code is 0 when every check passed, 1 on the first discrepancy, which is named
with its height, a stable code (ERR_AUDIT_...) and the reason.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runAudit(cmd, e) },
	}
	addClientFlags(cmd, false)
	cmd.Flags().String("genesis", "", "the chain's genesis.json (default: the home's)")
	cmd.Flags().Bool("json", false, "print the summary as JSON")
	cmd.Flags().Bool("quiet", false, "no progress bar")
	cmd.Flags().Int("workers", 0, "goroutines verifying signatures and reading ahead (default: the number of cores)")
	cmd.Flags().Uint64("to", 0, "stop after this height (default: the tip)")
	return cmd
}

func runAudit(cmd *cobra.Command, e *env) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	quiet, _ := cmd.Flags().GetBool("quiet")
	workers, _ := cmd.Flags().GetInt("workers")
	to, _ := cmd.Flags().GetUint64("to")
	c, err := loadClient(cmd)
	if err != nil {
		return err
	}
	var src audit.Source
	var where, genesisFile string
	if cmd.Flags().Changed("home") || c.Node == "" {
		home := config.ResolveHome(cmd.Flags())
		h, err := audit.OpenHome(home)
		if err != nil {
			return err
		}
		src, where, genesisFile = h, h.Dir, h.GenesisFile
	} else {
		if g, _ := cmd.Flags().GetString("genesis"); g == "" {
			return usagef("auditing through a node needs the chain's genesis file: give --genesis genesis.json")
		}
		src, where = audit.NewRemote(c.Node, nil), c.Node
	}
	defer src.Close()
	doc, err := loadGenesis(cmd, genesisFile)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bar := &progressBar{w: e.stderr, quiet: quiet}
	sum, err := audit.Run(ctx, src, audit.Options{Genesis: doc, Workers: workers, To: to, Progress: bar.update})
	bar.done()
	if err != nil {
		return remoteError(err, where)
	}
	if asJSON {
		b, _ := json.MarshalIndent(sum, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
	} else {
		printAudit(e.stdout, doc, where, sum)
	}
	if p := sum.Problem; p != nil {
		return coded(p.Code, fmt.Sprintf("height %d: %s", p.Height, p.Reason))
	}
	return nil
}

func printAudit(w io.Writer, doc *genesis.Doc, where string, s *audit.Summary) {
	fmt.Fprintf(w, "audit of chain %s (genesis %s) from %s\n", s.ChainID, s.GenesisHash.Short(), where)
	if s.Tip == 0 && s.Problem == nil {
		fmt.Fprintln(w, "OK: the source matches genesis and holds no block yet")
		return
	}
	fmt.Fprintf(w, "  heights:     1 to %d checked of %d, in %.1f s\n", s.Height, s.Tip, s.Seconds)
	fmt.Fprintf(w, "  blocks:      %s (%s blocks/s)\n", thousands(s.Blocks), thousands(uint64(s.BlocksPerSecond+0.5)))
	fmt.Fprintf(w, "  txs:         %s (%s tx/s); %s refused by the contracts, as recorded\n", thousands(s.Txs), thousands(uint64(s.TxsPerSecond+0.5)), thousands(s.TxsRefused))
	fmt.Fprintf(w, "  signatures:  %s verified (transactions' and validators' precommits) on %d workers\n", thousands(s.Signatures), s.Workers)
	fmt.Fprintf(w, "  app hash:    %s after height %d, re-executed from genesis\n", s.AppHash, s.Height)
	if p := s.Problem; p != nil {
		fmt.Fprintf(w, "FAILED at height %d: %s: %s\n", p.Height, p.Code, p.Reason)
		return
	}
	fmt.Fprintf(w, "OK: every block, certificate, signature, result and app hash checked against genesis %s\n", doc.Hash().Short())
}

func thousands(n uint64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// progressBar draws "[#####.....] 1,234/5,000 blocks  850 blocks/s  12,000 tx/s"
// on one line of standard error, at most ten times a second.
type progressBar struct {
	w     io.Writer
	quiet bool
	last  time.Time
	drawn bool
}

func (p *progressBar) update(pr audit.Progress) {
	if p.quiet || (time.Since(p.last) < 100*time.Millisecond && pr.Height != pr.Tip) {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := width
	if pr.Tip > 0 {
		filled = int(pr.Height * width / pr.Tip)
	}
	bar := strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
	var bps, tps float64
	if pr.Seconds > 0 {
		bps, tps = float64(pr.Height)/pr.Seconds, float64(pr.Txs)/pr.Seconds
	}
	fmt.Fprintf(p.w, "\r[%s] %s/%s blocks  %s blocks/s  %s tx/s ", bar, thousands(pr.Height), thousands(pr.Tip),
		thousands(uint64(bps+0.5)), thousands(uint64(tps+0.5)))
	p.drawn = true
}

func (p *progressBar) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// remoteError turns a node's answer to the audit into a coded error: its
// own code (ERR_PRUNED, ...); a node without the chain from genesis is
// named with the archive nodes it points to, which an audit needs. A home
// whose store does not start at genesis is ERR_PRUNED too.
func remoteError(err error, where string) error {
	var pe *store.PrunedError
	if errors.As(err, &pe) {
		// A home (audit --home) whose store starts above genesis.
		return coded(view.ErrPruned, fmt.Sprintf("the store at %s holds no blocks below height %d (it joined from a snapshot, or prunes), and an audit replays the chain from genesis: audit the chain's archive node instead: qian audit --node URL", where, pe.Lowest))
	}
	var ne *audit.NodeError
	if !errors.As(err, &ne) {
		return err
	}
	if ne.Body.Code != view.ErrPruned {
		return &apiError{ne.Body}
	}
	b := ne.Body
	var archive []string
	if b.Archive != nil {
		archive = *b.Archive
	}
	msg := fmt.Sprintf("the node at %s holds no blocks below height %d (it joined from a snapshot, or prunes), and an audit replays the chain from genesis: ", where, b.FirstHeight)
	if len(archive) == 0 {
		msg += "it names no archive node (storage.archive_urls); audit against the chain's archive node: qian audit --node URL"
	} else {
		msg += "audit against its archive node: qian audit --node " + archive[0]
	}
	b.Message = msg
	return &apiError{b}
}
