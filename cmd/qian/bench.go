package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/bench"
	"github.com/qianchain/qianchain/node/localnet"
)

func newBenchCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench --nodes URL[,URL...] --keyring DIR",
		Short: "Load a network with signed transactions and measure what it commits",
		Long: `Register operator accounts for the demo organisations whose admin keys are in --keyring
(a testnet's DIR/keys), sign transactions from them ahead of time, spread them over the
--nodes at --rate per second (or as fast as the nodes admit them, --max), and measure
committed transactions per second (from the blocks), latency from submission to commit
(p50, p95, p99), rejections by code and block intervals. It first measures this
machine's signature-verification rate and reports the run as a share of the ceiling it
implies (verifications per second on all cores over the validators sharing the machine).
A progress line every second; a summary table at the end; --json FILE writes it.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			nodesFlag, _ := cmd.Flags().GetString("nodes")
			dur, _ := cmd.Flags().GetDuration("duration")
			rate, _ := cmd.Flags().GetInt("rate")
			maxRate, _ := cmd.Flags().GetBool("max")
			kind, _ := cmd.Flags().GetString("kind")
			jsonOut, _ := cmd.Flags().GetString("json")
			accounts, _ := cmd.Flags().GetInt("accounts")
			here, _ := cmd.Flags().GetInt("validators-here")
			workers, _ := cmd.Flags().GetInt("workers")
			batch, _ := cmd.Flags().GetInt("batch")
			inflight, _ := cmd.Flags().GetInt("inflight")
			perTx, _ := cmd.Flags().GetInt("per-tx")
			label, _ := cmd.Flags().GetString("label")
			dataDirs, _ := cmd.Flags().GetString("data-dirs")
			cpuProfile, _ := cmd.Flags().GetString("cpuprofile")
			if nodesFlag == "" {
				return usagef("bench needs --nodes URL[,URL...]")
			}
			if rate < 0 {
				return usagef("--rate must be a positive number of transactions per second")
			}
			if (rate > 0) == maxRate {
				return usagef("give exactly one of --rate N and --max")
			}
			switch kind {
			case bench.KindTrace, bench.KindNotary, bench.KindMixed, bench.KindLifecycle:
			default:
				return usagef("--kind must be trace, notary, mixed or lifecycle")
			}
			if kind == bench.KindLifecycle && perTx != 1 {
				return usagef("--kind lifecycle sends one record per transaction: leave --per-tx at 1")
			}
			c, err := loadClient(cmd)
			if err != nil {
				return err
			}
			admins, err := unlockAdmins(e, c.Keyring, c.PassphraseSource(e.prompter))
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o := bench.Options{
				Nodes: strings.Split(nodesFlag, ","), Admins: admins, Duration: dur, Rate: rate, Kind: kind,
				Accounts: accounts, ValidatorsHere: here, Out: e.stdout, Workers: workers, Batch: batch, Inflight: inflight, PerTx: perTx,
				Label: label, DataDirs: splitList(dataDirs),
			}
			var profile *os.File
			if cpuProfile != "" {
				if profile, err = os.Create(cpuProfile); err != nil {
					return err
				}
				o.CPUProfile = profile
			}
			sum, err := bench.Run(ctx, o)
			if profile != nil {
				if cerr := profile.Close(); err == nil && cerr != nil {
					err = fmt.Errorf("--cpuprofile: %w", cerr)
				}
			}
			if err != nil {
				return err
			}
			printSummary(e, sum)
			if jsonOut != "" {
				b, _ := json.MarshalIndent(sum, "", "  ")
				if err := os.WriteFile(jsonOut, append(b, '\n'), 0o644); err != nil {
					return err
				}
			}
			return nil
		},
	}
	addClientFlags(cmd, false)
	cmd.Flags().String("nodes", "", "comma-separated node API URLs to spread the load over")
	cmd.Flags().Duration("duration", 60*time.Second, "how long to offer load")
	cmd.Flags().Int("rate", 0, "offered transactions per second")
	cmd.Flags().Bool("max", false, "offer load as fast as the nodes admit it")
	cmd.Flags().String("kind", bench.KindMixed, "trace (commissioning lots), notary, mixed (half each) or lifecycle (mixed, half of the trace load inspecting lots commissioned about 2 s before)")
	cmd.Flags().String("json", "", "write the summary as JSON to this file")
	cmd.Flags().Int("accounts", 16, "operator accounts per organisation to send from")
	cmd.Flags().Int("validators-here", 0, "validators sharing this machine, for the ceiling (0: all of the chain's)")
	cmd.Flags().Int("workers", 16, "concurrent submissions per node")
	cmd.Flags().Int("per-tx", 1, "records per transaction: events of a trace.capture_batch or items of a notary.anchor_batch")
	cmd.Flags().Int("inflight", 4000, "with --max: most transactions submitted and not yet committed")
	cmd.Flags().Int("batch", 1, "transactions per submission request (POST /v1/txs/batch when above 1), as a client gateway would send them")
	cmd.Flags().String("label", "", "name of the run in its summary (qian bench table groups runs by it)")
	cmd.Flags().String("cpuprofile", "", "write a CPU profile of the bench itself during the load and its drain (not the signing before it) to this file (go tool pprof)")
	cmd.Flags().String("data-dirs", "", "comma-separated data directories of the nodes, in --nodes order: disk per transaction is measured there (every file) instead of read from the store's metric")
	cmd.AddCommand(newBenchChartCmd(e), newBenchTableCmd(e), newBenchDiskCmd(e))
	return cmd
}

func newBenchChartCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "chart SUMMARY.json... -o CHART.svg",
		Short: "Draw offered load against committed throughput and p99 latency from bench summaries",
		Args: func(cmd *cobra.Command, a []string) error {
			if len(a) == 0 {
				return usagef("bench chart takes one or more summary files (qian bench --json)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, files []string) error {
			out, _ := cmd.Flags().GetString("out")
			title, _ := cmd.Flags().GetString("title")
			if out == "" {
				return usagef("bench chart needs -o FILE.svg")
			}
			var runs []*bench.Summary
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				var s bench.Summary
				if err := json.Unmarshal(raw, &s); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				runs = append(runs, &s)
			}
			return os.WriteFile(out, bench.Chart(title, runs), 0o644)
		},
	}
	cmd.Flags().StringP("out", "o", "", "the SVG file to write")
	cmd.Flags().String("title", "Qianchain: offered load, committed throughput and p99 latency", "the chart's title")
	return cmd
}

func newBenchTableCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "table SUMMARY.json...",
		Short: "Tabulate bench summaries: median and worst of the runs of each label",
		Long: `Read qian bench --json summaries (and scripts/cometload's), group them by their
label, and print a Markdown table: committed tx/s, p50 and p99 latency, CPU µs per
committed transaction per node, peak RSS of the highest node and disk bytes per
transaction, each as "median (worst)" over the runs, and the transactions refused.`,
		Args: func(cmd *cobra.Command, a []string) error {
			if len(a) == 0 {
				return usagef("bench table takes one or more summary files (qian bench --json)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, files []string) error {
			var runs []*bench.Summary
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				var s bench.Summary
				if err := json.Unmarshal(raw, &s); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				runs = append(runs, &s)
			}
			return bench.WriteTable(e.stdout, bench.Rows(runs))
		},
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// unlockAdmins unlocks every demo organisation admin key found in the
// keyring.
func unlockAdmins(e *env, dir string, src keyring.PassphraseSource) (map[membership.Role]ledger.PrivateKey, error) {
	kr, err := keyring.Open(dir, e.keyringOpts...)
	if err != nil {
		return nil, err
	}
	pass, err := src.Get(false)
	if err != nil {
		return nil, err
	}
	out := map[membership.Role]ledger.PrivateKey{}
	for _, role := range localnet.DemoRoles() {
		k, err := kr.Unlock(string(role), pass)
		if errors.Is(err, keyring.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("unlock %s: %w", role, err)
		}
		out[membership.Role(role)] = k
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the keyring %s holds none of the demo organisations' admin keys", dir)
	}
	return out, nil
}

func printSummary(e *env, s *bench.Summary) {
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	offered := "max"
	if s.OfferedTPS > 0 {
		offered = fmt.Sprintf("%.0f tx/s (at most %.0f ms behind its schedule)", s.OfferedTPS, s.ScheduleLateMs)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "load\t%s, %s offered, %d nodes, %d validators, %.0f s, %d per request\n", s.Kind, offered, s.Nodes, s.Validators, s.DurationS, s.Batch)
	fmt.Fprintf(w, "committed\t%d of %d submitted: %.0f tx/s\n", s.Committed, s.Submitted, s.CommittedTPS)
	if s.RecordsPerTx > 1 {
		fmt.Fprintf(w, "records\t%d per transaction: %.0f records/s\n", s.RecordsPerTx, s.RecordsPerS)
	}
	fmt.Fprintf(w, "latency\tp50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms\n", s.P50ms, s.P95ms, s.P99ms, s.MaxMs)
	fmt.Fprintf(w, "blocks\t%d, %.0f tx/block, interval mean %.2f s, p50 %.2f s, max %.2f s\n", s.Blocks, s.TxsPerBlock, s.BlockIntervalS.Mean, s.BlockIntervalS.P50, s.BlockIntervalS.Max)
	var codes []string
	for c, n := range s.Rejected {
		codes = append(codes, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(codes)
	if len(codes) == 0 {
		codes = []string{"none"}
	}
	fmt.Fprintf(w, "rejected\t%s\n", strings.Join(codes, ", "))
	fmt.Fprintf(w, "ceiling\t%.0f verifications/s on this machine -> %.0f tx/s; this run reached %.0f%%\n", s.VerifyPerSecond, s.CeilingTPS, 100*s.ShareOfCeiling)
	for i, c := range s.Costs {
		line := fmt.Sprintf("CPU %.0f µs/tx (%.2f cores), RSS %.0f MiB idle, %.0f MiB peak", c.CPUusPerTx, c.Cores, c.IdleRSS/(1<<20), c.PeakRSS/(1<<20))
		if c.DiskBytes > 0 && c.ChainTxs > 0 {
			line += fmt.Sprintf(", disk %.0f MiB (%.0f B per committed tx)", c.DiskBytes/(1<<20), c.DiskBytes/c.ChainTxs)
		}
		if c.CacheHitShare > 0 {
			line += fmt.Sprintf(", block cache hits %.1f%%", 100*c.CacheHitShare)
		}
		if c.ClientBatch > 0 || c.GossipBatch > 0 {
			line += fmt.Sprintf(", admitted in batches of %.0f (clients) and %.0f (gossip)", c.ClientBatch, c.GossipBatch)
		}
		fmt.Fprintf(w, "node %d\t%s\n", i, line)
	}
	if len(s.Costs) > 0 {
		fmt.Fprintf(w, "cost\tCPU %.0f µs per committed tx per node (mean), peak RSS %.0f MiB (highest node); the bench used %.1f CPU s\n", s.MeanCPUusPerTx(), s.MaxPeakRSS()/(1<<20), s.BenchCPUs)
	}
	w.Flush()
}
