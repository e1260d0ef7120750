package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/devnet"
	"github.com/qianchain/qianchain/node/web"
)

func newDevnetCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Run a local network of 4 validators with the demo story, in one process",
		Long: `Run a whole local network in this process: four validators, each with its own
Pebble store and libp2p host on 127.0.0.1, loaded on first start with the demo
story (a Duyun Maojian tea lot from the garden to a Guiyang shop, a recall, a
notarised data deal). It prints the URLs to open and stops cleanly on Ctrl-C.
The network lives in --dir and is reused by the next run.

The demo keyring in DIR/keys is encrypted with QIAN_PASSPHRASE, or with the
passphrase "` + devnet.DefaultPassphrase + `" when that is unset.`,
		Args: args(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, _ := cmd.Flags().GetString("dir")
			httpAddr, _ := cmd.Flags().GetString("http")
			basePort, _ := cmd.Flags().GetInt("base-port")
			var pass []byte
			if v, ok := os.LookupEnv("QIAN_PASSPHRASE"); ok && v != "" {
				pass = []byte(v)
			}
			logCfg := config.Log{Format: "text", Level: "warn"}
			if lvl, _ := cmd.Flags().GetString("log-level"); lvl != "" {
				logCfg.Level = lvl
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// The consumer page's in-browser check needs the WebAssembly
			// verifier: built in, named by QIAN_VERIFIER_WASM, or built
			// here from the source tree `go run ./cmd/qian devnet` runs in.
			wasm, wasmFrom, err := findVerifierWasm(e.stdout, true)
			switch {
			case err != nil:
				fmt.Fprintf(e.stderr, "note: the consumer page will not verify in the browser: %v\n", err)
			case wasm == nil:
				fmt.Fprintf(e.stdout, "note: this qian carries no in-browser verifier and runs outside the source tree: the consumer page shows the server's statement only (set %s to a build of cmd/qian-verify-wasm)\n", verifierWasmEnv)
			default:
				fmt.Fprintf(e.stdout, "in-browser verifier: %s (%d bytes)\n", wasmFrom, len(wasm))
			}
			return devnet.Run(ctx, devnet.Options{
				Dir: dir, HTTP: httpAddr, BasePort: basePort, Passphrase: pass,
				Out: e.stdout, Log: logCfg.NewLogger(e.stderr), Handler: webHandlerWith(web.Options{VerifierWasm: wasm}),
				KeyringOptions: e.keyringOpts,
			})
		},
	}
	cmd.Flags().String("dir", "./devnet", "directory of the network's files (created on first run)")
	cmd.Flags().String("http", "127.0.0.1:8080", "HTTP address of node0: the pages and API to open")
	cmd.Flags().Int("base-port", 0, "first libp2p port (node i uses base+10i and base+10i+1); 0 means 26656")
	cmd.Flags().String("log-level", "warn", "node log level: debug, info, warn or error")
	return cmd
}
