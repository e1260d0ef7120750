package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/ledger/snapshot"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/config"
)

func newSnapshotCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Make a snapshot of a node's state, or start a new node from one",
		Long: `A snapshot of height H is the contract state and transaction index after H, in chunks,
with a manifest naming each chunk's hash and what the app hash of H is made of, and a
proof: header H+1, which carries that app hash, and its certificate. A node restored
from it checks everything against its genesis file alone (docs/architecture.md,
"Snapshots and state sync"); it holds no block before H+1.

  qian snapshot create --home DIR -o FILE    the state after the home's tip (running or stopped)
  qian snapshot prove FILE --home DIR        attach the proof once the home holds H+1
  qian snapshot restore FILE --home DIR      verify and restore into a fresh home
  qian snapshot show FILE                    print the manifest`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newSnapshotCreateCmd(e), newSnapshotProveCmd(e), newSnapshotRestoreCmd(e), newSnapshotShowCmd(e))
	return cmd
}

// chainDir is the home's Pebble store.
func chainDir(cmd *cobra.Command) string {
	return filepath.Join(config.Paths{Home: config.ResolveHome(cmd.Flags())}.DataDir(), "chain")
}

// openHomeStore opens the home's store; read-only for reading a stopped
// node's chain.
func openHomeStore(dir string, readOnly bool) (*store.Store, error) {
	// A writer (restore) gives the node's separated records
	// (store.Options.SeparatedState); they are ignored with Pebble options.
	opt := &store.Options{SeparatedState: contracts.SeparatedRecords()}
	if readOnly {
		po := store.DefaultPebbleOptions()
		po.ReadOnly, po.Logger = true, quietStoreLog{}
		defer po.Cache.Unref()
		opt.Pebble = po
	}
	st, err := store.Open(dir, opt)
	if err != nil && strings.Contains(err.Error(), "lock") {
		return nil, fmt.Errorf("%s is in use, probably by a running node: stop it first (%v)", dir, err)
	}
	return st, err
}

func newSnapshotCreateCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Write a snapshot of the state after the home's tip to one file",
		Long: `Write a snapshot of the state after the home's last committed height to FILE.

When the home's node is running, it makes the snapshot itself (through its control
socket, as qian backup does), consistently while it keeps committing, and attaches
the proof (the next header and its certificate) once it has stored that header
(waiting up to --wait). Otherwise the store is opened read-only; the file then
carries no proof when the home does not hold the next header yet: start the node,
let it commit one more block, stop it and run "qian snapshot prove FILE --home DIR".
--height, when given, must be the tip: a store keeps only the current state.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, _ := cmd.Flags().GetString("output")
			if out == "" {
				return usagef("give the snapshot file to write: -o FILE")
			}
			done, err := snapshotRunningNode(cmd, e, out)
			if done || err != nil {
				return err
			}
			st, err := openHomeStore(chainDir(cmd), true)
			if err != nil {
				return err
			}
			defer st.Close()
			if h, _ := cmd.Flags().GetUint64("height"); cmd.Flags().Changed("height") && h != st.Height() {
				return usagef("the home is at height %d; a snapshot is of the state after the tip (a store keeps no older state)", st.Height())
			}
			size, _ := cmd.Flags().GetInt("chunk-mib")
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			pr := newSnapProgress(e.stderr, "written")
			start := time.Now()
			m, err := snapshot.Create(st, f, snapshot.Options{ChunkSize: size << 20, Progress: pr.update})
			if err == nil {
				err = f.Sync()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			pr.done()
			if err != nil {
				os.Remove(out)
				return err
			}
			fi, _ := os.Stat(out)
			fmt.Fprintf(e.stdout, "snapshot of height %d: %d state entries, %d transactions, %d chunks, %s in %s\n",
				m.Height, m.StateEntries, m.TxEntries, len(m.Chunks), mib(fi.Size()), time.Since(start).Round(time.Millisecond))
			fmt.Fprintf(e.stdout, "app hash %s (carried by header %d)\n", m.AppHash, m.Height+1)
			if st.Height() == m.Height {
				fmt.Fprintf(e.stdout, "no proof yet: once the home holds height %d, run qian snapshot prove %s --home DIR\n", m.Height+1, out)
			}
			return nil
		},
	}
	cmd.Flags().StringP("output", "o", "", "the snapshot file to write")
	cmd.Flags().Uint64("height", 0, "the height to snapshot: must be the tip")
	cmd.Flags().Int("chunk-mib", snapshot.DefaultChunkSize>>20, "chunk size in MiB (a stopped node only; a running one uses the default)")
	cmd.Flags().Duration("wait", time.Minute, "how long a running node may wait for the next header to attach the proof")
	return cmd
}

func newSnapshotProveCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "prove FILE",
		Short: "Attach header H+1 and its certificate from a home that holds it",
		Args:  args(1, "the snapshot file"),
		RunE: func(cmd *cobra.Command, a []string) error {
			f, err := snapshot.OpenFile(a[0])
			if err != nil {
				return err
			}
			h := f.Manifest.Height
			f.Close()
			st, err := openHomeStore(chainDir(cmd), true)
			if err != nil {
				return err
			}
			defer st.Close()
			if st.Height() <= h {
				return fmt.Errorf("the home is at height %d; the proof of a snapshot of %d is header %d", st.Height(), h, h+1)
			}
			p, err := snapshot.BuildProof(st, h)
			if err != nil {
				return err
			}
			if err := snapshot.AttachProof(a[0], p); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "attached header %d and its certificate to %s\n", h+1, a[0])
			return nil
		},
	}
}

func newSnapshotRestoreCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Verify a snapshot against the genesis file and restore it into a fresh home",
		Long: `Verify FILE against the chain's genesis file (the home's genesis.json, or --genesis):
the validator-set transitions from genesis, the certificates of headers H and H+1, the
app hash header H+1 carries, every chunk's hash and the digest of the whole state.
Only then is the state written, in one batch, into the home's empty store. The node
then starts at H: "qian start" block-syncs from H+1. Nothing is written on a refusal,
which names its code (ERR_SNAPSHOT_...).`,
		Args: args(1, "the snapshot file"),
		RunE: func(cmd *cobra.Command, a []string) error {
			g, err := loadAnchor(cmd, "")
			if err != nil {
				return err
			}
			anchor := g.Proof()
			dir := chainDir(cmd)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			st, err := openHomeStore(dir, false)
			if err != nil {
				return err
			}
			defer st.Close()
			pr := newSnapProgress(e.stderr, "restored")
			start := time.Now()
			m, err := snapshot.RestoreFile(a[0], st, snapshot.Anchor{Chain: anchor.Chain, Validators: anchor.Validators}, pr.update)
			pr.done()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "restored height %d (%d state entries, %d transactions) in %s: verified from genesis through header %d\n",
				m.Height, m.StateEntries, m.TxEntries, time.Since(start).Round(time.Millisecond), m.Height+1)
			fmt.Fprintf(e.stdout, "this node holds no block at or below %d: point readers of older heights to an archive node\n", m.Height)
			return nil
		},
	}
	cmd.Flags().String("genesis", "", "the chain's genesis.json (default: the home's)")
	return cmd
}

func newSnapshotShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show FILE",
		Short: "Print a snapshot's manifest (not verified)",
		Args:  args(1, "the snapshot file"),
		RunE: func(cmd *cobra.Command, a []string) error {
			f, err := snapshot.OpenFile(a[0])
			if err != nil {
				return err
			}
			defer f.Close()
			m := f.Manifest
			var size int64
			for _, c := range m.Chunks {
				size += int64(c.Size)
			}
			fmt.Fprintf(e.stdout, "chain %s (genesis %s)\nheight %d, app hash %s\nstate digest %s\n%d state entries, %d transactions, %d chunks, %s\nproof attached: %v\n",
				m.ChainID, m.GenesisHash, m.Height, m.AppHash, m.StateDigest, m.StateEntries, m.TxEntries, len(m.Chunks), mib(size), f.Proof != nil)
			return nil
		},
	}
}

// snapProgress prints "chunks 12/40  96.0 MiB  85.3 MiB/s  0:03 left" on one
// line of standard error, at most ten times a second.
type snapProgress struct {
	w     io.Writer
	verb  string
	start time.Time
	last  time.Time
	drawn bool
}

func newSnapProgress(w io.Writer, verb string) *snapProgress {
	return &snapProgress{w: w, verb: verb, start: time.Now()}
}

func (p *snapProgress) update(pr snapshot.Progress) {
	if time.Since(p.last) < 100*time.Millisecond && pr.Chunks != pr.TotalChunks {
		return
	}
	p.last = time.Now()
	secs := time.Since(p.start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(pr.Bytes) / secs
	}
	total, left := "", ""
	if pr.TotalChunks > 0 {
		total = fmt.Sprintf("/%d", pr.TotalChunks)
		if pr.Chunks > 0 {
			rem := time.Duration(secs * float64(pr.TotalChunks-pr.Chunks) / float64(pr.Chunks) * float64(time.Second))
			left = fmt.Sprintf("  %s left", rem.Round(time.Second))
		}
	}
	fmt.Fprintf(p.w, "\rchunks %d%s %s  %s  %.1f MiB/s%s ", pr.Chunks, total, p.verb, mib(pr.Bytes), rate/(1<<20), left)
	p.drawn = true
}

func (p *snapProgress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// snapshotCode is the stable code of a refused snapshot.
func snapshotCode(err error) string {
	var se *snapshot.Error
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

// quietStoreLog keeps Pebble's informational messages off the terminal.
type quietStoreLog struct{}

func (quietStoreLog) Infof(string, ...any) {}
func (quietStoreLog) Errorf(format string, args ...any) {
	pebble.DefaultLogger.Errorf(format, args...)
}
func (quietStoreLog) Fatalf(format string, args ...any) {
	pebble.DefaultLogger.Fatalf(format, args...)
}

// snapshotRunningNode asks the home's running node for the snapshot and
// moves it to out; false when no node runs there.
func snapshotRunningNode(cmd *cobra.Command, e *env, out string) (bool, error) {
	wait, _ := cmd.Flags().GetDuration("wait")
	ctx, cancel := context.WithTimeout(cmd.Context(), wait)
	defer cancel()
	start := time.Now()
	r, err := node.RequestSnapshot(ctx, config.Paths{Home: config.ResolveHome(cmd.Flags())}.DataDir())
	if errors.Is(err, node.ErrNoControl) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if h, _ := cmd.Flags().GetUint64("height"); cmd.Flags().Changed("height") && h != r.Height {
		os.Remove(r.Path)
		return true, usagef("the running node snapshotted its tip, height %d; a store keeps no older state", r.Height)
	}
	if err := moveFile(r.Path, out); err != nil {
		os.Remove(r.Path)
		return true, err
	}
	f, err := snapshot.OpenFile(out)
	if err != nil {
		return true, err
	}
	defer f.Close()
	m := f.Manifest
	fi, _ := os.Stat(out)
	fmt.Fprintf(e.stdout, "snapshot of height %d (made by the running node): %d state entries, %d transactions, %d chunks, %s in %s\n",
		m.Height, m.StateEntries, m.TxEntries, len(m.Chunks), mib(fi.Size()), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(e.stdout, "app hash %s (carried by header %d)\n", m.AppHash, m.Height+1)
	if f.Proof == nil {
		fmt.Fprintf(e.stdout, "no proof yet: the node did not store height %d within --wait; run qian snapshot prove %s --home DIR once it has (node stopped)\n", m.Height+1, out)
	}
	return true, nil
}

// moveFile renames from to to, which must not exist, copying when they are
// on different file systems.
func moveFile(from, to string) error {
	if _, err := os.Stat(to); err == nil {
		return fmt.Errorf("%s exists", to)
	}
	if err := os.Rename(from, to); err == nil {
		return nil
	}
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
		return err
	}
	return os.Remove(from)
}
