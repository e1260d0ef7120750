package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/httpserver"
	"github.com/qianchain/qianchain/node/web"
	"github.com/qianchain/qianchain/node/web/verifier"
)

// webHandler is what every node serves on its HTTP address: the API, the
// metrics and the pages (consumer pages at GS1 Digital Link paths, the
// explorer), with the rate limits and stream caps of the node's http.* keys;
// the in-browser verifier when one is built in.
func webHandler(n *node.Node) http.Handler {
	return webHandlerWith(web.Options{VerifierWasm: verifier.Embedded()})(n)
}

// webHandlerWith is webHandler with the pages' options.
func webHandlerWith(po web.Options) func(n *node.Node) http.Handler {
	return func(n *node.Node) http.Handler { return nodeHandler(n, po) }
}

func nodeHandler(n *node.Node, po web.Options) http.Handler {
	h := n.Config().HTTP
	handler := web.HandlerWith(n, api.OptionsFrom(h), po)
	if !h.PProf {
		return handler
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/", handler)
	p := profiled{ServeMux: mux}
	if l, ok := handler.(httpserver.Laned); ok {
		p.lane = l.Lane()
	}
	return p
}

// profiled is the API with the profiler's routes beside it, and the API's
// HTTP lane still (httpserver.Laned): a node profiled under load runs as
// it does unprofiled.
type profiled struct {
	*http.ServeMux
	lane httpserver.Lane
}

func (p profiled) Lane() httpserver.Lane { return p.lane }

// goMemLimit is qian start's soft limit on the Go runtime's memory when
// GOMEMLIMIT is not set. Pebble's block cache (64 MB) and memtables (two of
// at most 32 MB) are outside it, and the binary's mapped code and data about
// 40 MB: 128 MiB keeps the whole under 300 MB. (160 MiB let one run of four
// reach 301 MiB.)
const goMemLimit = 128 << 20

func newStartCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run a node from its home until SIGINT or SIGTERM",
		Long: `Run the node whose home is --home (else QIAN_HOME, else ~/.qian): open its store
in data/ (initialising it from genesis.json on first start), connect to its peers,
catch up by block sync, then take part in consensus (a validator) or follow it
(an observer). SIGINT or SIGTERM stops it cleanly; after a crash it resumes from
disk without signing anything twice.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := config.ResolveHome(cmd.Flags())
			cfg, err := config.Load(home, cmd.Flags())
			if err != nil {
				return err
			}
			doc, err := genesis.Load(cfg.Paths().GenesisFile())
			if err != nil {
				return err
			}
			log := cfg.Log.NewLogger(e.stderr)
			// A node allocates mostly short-lived buffers (decoded blocks and
			// transactions); collecting at twice the default heap growth
			// trades memory for CPU. But under overload the live heap swells
			// (full mempool, large blocks, queued requests) and three times it
			// took a validator past 450 MB; a soft limit on the Go runtime's
			// memory makes the collector work harder only then, so that with
			// the store's block cache and memtables (about 120 MB) a node stays
			// under 300 MB (peak 245-259 MiB per validator in the 5- and
			// 10-minute runs of docs/benchmarks.md, Headroom). GOGC and GOMEMLIMIT
			// in the environment still decide.
			if os.Getenv("GOGC") == "" {
				debug.SetGCPercent(200)
			}
			if os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(goMemLimit)
			}
			wasm, wasmFrom, err := findVerifierWasm(e.stderr, false)
			if err != nil {
				return err
			}
			if wasm != nil {
				log.Info("consumer pages verify in the browser too", "verifier", wasmFrom)
			}
			// SIGTERM or Ctrl-C from here on: a state-sync join inside New
			// stops at once with nothing written (the next start joins
			// again); a running node stops cleanly.
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			n, err := node.New(node.Options{Config: cfg, Genesis: doc, App: node.NewContractsApp(), Log: log,
				Handler: webHandlerWith(web.Options{VerifierWasm: wasm}), Version: versionString(), Context: ctx})
			if errors.Is(err, node.ErrJoinInterrupted) {
				log.Info("shutting down", "err", err)
				return nil
			}
			if err != nil {
				return err
			}
			n.Start()
			log.Info("node running", "moniker", cfg.Moniker, "role", cfg.Role, "chain", doc.ChainID,
				"peer_id", n.Net.ID(), "http", "http://"+n.HTTPAddr(), "height", n.Store.Height())
			var runErr error
			select {
			case <-ctx.Done():
				log.Info("shutting down")
			case runErr = <-n.Done():
			}
			if err := n.Stop(); err != nil && runErr == nil {
				runErr = err
			}
			if runErr != nil {
				return fmt.Errorf("node stopped: %w", runErr)
			}
			return nil
		},
	}
	config.AddNodeFlags(cmd.Flags())
	return cmd
}
