package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/bench"
	"github.com/qianchain/qianchain/node/config"
)

// DiskUsage is qian bench disk's report (JSON with --json).
type DiskUsage struct {
	Home         string             `json:"home"`
	Compacted    bool               `json:"compacted"`
	Height       uint64             `json:"height"`
	FirstBlock   uint64             `json:"first_block"` // the lowest block held: above 1 for a store joined from a snapshot, or pruned
	Txs          uint64             `json:"txs"`
	TxBytes      uint64             `json:"tx_bytes"` // the transactions' encodings, summed
	Tables       []store.TableUsage `json:"tables"`
	State        []StatePrefixUsage `json:"state_by_prefix"` // the state table by contract key prefix
	TablesBytes  uint64             `json:"tables_bytes"`
	DataDirBytes float64            `json:"data_dir_bytes"` // every file under data/: tables, write-ahead logs, consensus log
}

func newBenchDiskCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "disk --home DIR [--compact]",
		Short: "What a stopped node's store holds on disk, by table and per committed transaction",
		Long: `Open the store of a stopped node's home (not one in use) and report its bytes on disk by
table (blocks, headers, transaction index, results, state, ...) and per committed
transaction, and the whole data directory's size. --compact first compacts every table
into the bottom level, as Pebble would eventually: the figures are then exact and the
write-ahead logs hold nothing the tables do not (docs/benchmarks.md, Headroom).`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			compact, _ := cmd.Flags().GetBool("compact")
			jsonOut, _ := cmd.Flags().GetString("json")
			home := config.ResolveHome(cmd.Flags())
			data := config.Paths{Home: home}.DataDir()
			// The node's own spans (contracts.SeparatedRecords): a compaction
			// without them would write the records back into their tables.
			st, err := store.Open(filepath.Join(data, "chain"), &store.Options{SeparatedState: contracts.SeparatedRecords()})
			if err != nil {
				return fmt.Errorf("open the store of %s (is its node stopped?): %w", home, err)
			}
			defer st.Close()
			if compact {
				if err := st.Compact(context.Background()); err != nil {
					return err
				}
			}
			u := DiskUsage{Home: home, Compacted: compact, Height: st.Height(), FirstBlock: st.BlockBase() + 1}
			if u.Txs, u.TxBytes, err = st.CommittedTxs(); err != nil {
				return err
			}
			if u.Tables, err = st.Usage(); err != nil {
				return err
			}
			for _, t := range u.Tables {
				u.TablesBytes += t.Bytes
			}
			if u.State, err = stateByPrefix(st, e.stderr); err != nil {
				return err
			}
			u.DataDirBytes = bench.DirSize(data)
			perTx := func(b float64) string {
				if u.Txs == 0 {
					return "—"
				}
				return fmt.Sprintf("%.0f B/tx", b/float64(u.Txs))
			}
			w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "store\t%s, height %d, %d transactions%s\n", home, u.Height, u.Txs, map[bool]string{true: ", compacted", false: ""}[compact])
			if u.FirstBlock > 1 {
				fmt.Fprintf(w, "blocks\tfrom %d (none below: joined from a snapshot, or pruned); per transaction counts their transactions only, while the state holds every one's\n", u.FirstBlock)
			}
			if u.Txs > 0 {
				fmt.Fprintf(w, "transactions\t%.1f MiB\t%.0f B/tx encoded\n", float64(u.TxBytes)/(1<<20), float64(u.TxBytes)/float64(u.Txs))
			}
			for _, t := range u.Tables {
				fmt.Fprintf(w, "  %s ('%c')\t%.1f MiB\t%s\n", t.Name, t.Prefix, float64(t.Bytes)/(1<<20), perTx(float64(t.Bytes)))
			}
			fmt.Fprintf(w, "tables\t%.1f MiB\t%s\n", float64(u.TablesBytes)/(1<<20), perTx(float64(u.TablesBytes)))
			fmt.Fprintf(w, "state by key prefix\tkeys\tkey and value bytes\ton disk (estimated)\n")
			for _, p := range u.State {
				fmt.Fprintf(w, "  %s\t%d\t%s\t%s\n", p.Prefix, p.Keys, perTx(float64(p.KeyBytes+p.ValueBytes)), perTx(float64(p.DiskBytes)))
			}
			fmt.Fprintf(w, "data directory\t%.1f MiB\t%s\n", u.DataDirBytes/(1<<20), perTx(u.DataDirBytes))
			w.Flush()
			if jsonOut != "" {
				b, _ := json.MarshalIndent(u, "", "  ")
				return os.WriteFile(jsonOut, append(b, '\n'), 0o644)
			}
			return nil
		},
	}
	cmd.Flags().Bool("compact", false, "compact the whole store first (exact figures; takes a while on a large chain)")
	cmd.Flags().String("json", "", "write the report as JSON to this file")
	return cmd
}

// StatePrefixUsage is what one contract key prefix ("t/e/", "m/o/": the
// key up to its second '/') holds in the state table: its keys, their
// key and value bytes before compression, and Pebble's estimate of its
// bytes on disk, which leaves out the tables' indexes and filters.
type StatePrefixUsage struct {
	Prefix     string `json:"prefix"`
	Keys       uint64 `json:"keys"`
	KeyBytes   uint64 `json:"key_bytes"`
	ValueBytes uint64 `json:"value_bytes"`
	DiskBytes  uint64 `json:"disk_bytes"`
}

// stateByPrefix reads every state entry once, grouping by keyPrefix, and
// reports progress on progress every two seconds (a chain of millions of
// transactions holds several state entries for each).
func stateByPrefix(st *store.Store, progress io.Writer) ([]StatePrefixUsage, error) {
	by := map[string]*StatePrefixUsage{}
	var n uint64
	last := time.Now()
	err := st.Iterate(nil, nil, func(k, v []byte) bool {
		p := keyPrefix(k)
		u := by[string(p)]
		if u == nil {
			u = &StatePrefixUsage{Prefix: string(p)}
			by[u.Prefix] = u
		}
		u.Keys++
		u.KeyBytes += uint64(len(k))
		u.ValueBytes += uint64(len(v))
		if n++; n%(1<<16) == 0 && time.Since(last) > 2*time.Second {
			last = time.Now()
			fmt.Fprintf(progress, "reading the state: %d entries, at %q\n", n, p)
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("read the state: %w", err)
	}
	out := make([]StatePrefixUsage, 0, len(by))
	for _, u := range by {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Prefix < out[j].Prefix })
	for i := range out {
		if out[i].DiskBytes, err = st.StateUsage([]byte(out[i].Prefix)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// keyPrefix is a state key's contract prefix: up to and including its
// second '/' within the first 8 bytes ("t/e/", "u/done/"), else its first
// byte.
func keyPrefix(k []byte) []byte {
	slashes := 0
	for i := 0; i < len(k) && i < 8; i++ {
		if k[i] == '/' {
			if slashes++; slashes == 2 {
				return k[:i+1]
			}
		}
	}
	return k[:min(1, len(k))]
}
