// Package devnet runs a whole local Qianchain network in one process: four
// validators, each with its own Pebble store and libp2p host on 127.0.0.1,
// loaded with the demo story (a Duyun Maojian tea lot from the garden to a
// Guiyang shop, a recall, a notarized data deal). It is what the README's
// first command starts: `qian devnet`.
package devnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/localnet"
)

// DefaultPassphrase encrypts the devnet's demo keyring when QIAN_PASSPHRASE
// is not set. The devnet is a local demonstration; its keys guard nothing.
const DefaultPassphrase = "qianchain-devnet"

// Options configure Run.
type Options struct {
	Dir        string // the network's files; created on first run, reused after
	HTTP       string // node0's HTTP address (the pages to open)
	Validators int
	BasePort   int // first libp2p port; 0 means the testnet default
	Passphrase []byte
	Out        io.Writer    // where the URLs and progress go
	Log        *slog.Logger // node logs
	// Handler builds each node's HTTP handler (API and pages).
	Handler func(n *node.Node) http.Handler
	// KeyringOptions are passed to the demo keyring (tests use a fast KDF).
	KeyringOptions []keyring.Option
	// Ready, when set, is called once the demo is loaded, with the running
	// network.
	Ready func(*Network)
}

// Network is a running devnet.
type Network struct {
	Dir     string
	Genesis *genesis.Doc
	Nodes   []*node.Node
	URLs    []string
}

// Run starts the network, loads the demo story on first start, prints the
// URLs to open, and runs until ctx is done; then it stops every node
// cleanly.
func Run(ctx context.Context, o Options) error {
	if o.Validators == 0 {
		o.Validators = 4
	}
	if len(o.Passphrase) == 0 {
		o.Passphrase = []byte(DefaultPassphrase)
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	nw, err := openOrRenew(dir, o)
	defer func() { nw.stop() }()
	if err != nil {
		return err
	}
	for _, n := range nw.Nodes {
		n.Start()
	}
	fmt.Fprintf(o.Out, "启动 Started %d validators (chain %s); waiting for the first block...\n", len(nw.Nodes), nw.Genesis.ChainID)
	if err := waitHeight(ctx, nw.Nodes[0], 1, 60*time.Second); err != nil {
		return err
	}
	if err := loadDemo(ctx, nw, o); err != nil {
		return fmt.Errorf("load the demo story: %w", err)
	}
	printURLs(o.Out, nw)
	if o.Ready != nil {
		o.Ready(nw)
	}
	errs := make(chan error, len(nw.Nodes))
	for _, n := range nw.Nodes {
		go func(n *node.Node) {
			if err := <-n.Done(); err != nil {
				errs <- err
			}
		}(n)
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(o.Out, "\n停止 Stopping the network...")
		return nil
	case err := <-errs:
		return err
	}
}

// openOrRenew opens the network in dir (creating it on first use). A
// network whose chain this build refuses (store.ErrFormat, or a genesis
// file this build no longer accepts, such as one without the validators'
// organisations: made by another version of qian) is moved aside, said so,
// and made anew: a devnet is a demonstration, regenerated rather than
// repaired, and its files are kept, not deleted.
func openOrRenew(dir string, o Options) (*Network, error) {
	nw, err := open(dir, o)
	var fe *store.FormatError
	var ge *genesis.FieldError
	switch {
	case errors.As(err, &ge):
		nw.stop()
		aside, merr := moveAside(dir)
		if merr != nil {
			return nil, fmt.Errorf("%w; moving %s aside to make a new one failed: %v", err, dir, merr)
		}
		fmt.Fprintf(o.Out, "本地网络已过期 The local network in %s was made by another version of qian (%v): "+
			"this one does not accept its genesis file. Moved it to %s (remove that when you no longer need it); making a new one.\n", dir, ge, aside)
		return open(dir, o)
	case !errors.As(err, &fe):
		return nw, err
	}
	nw.stop()
	aside, merr := moveAside(dir)
	if merr != nil {
		return nil, fmt.Errorf("%w; moving %s aside to make a new one failed: %v", err, dir, merr)
	}
	fmt.Fprintf(o.Out, "本地网络已过期 The local network in %s was made by another version of qian (%v): "+
		"this one cannot verify its chain. Moved it to %s (remove that when you no longer need it); making a new one.\n", dir, fe, aside)
	return open(dir, o)
}

// open creates the network's files in dir on first use, or reuses them,
// and makes (without starting) its nodes. On an error the returned
// network holds the nodes made so far, for the caller to stop.
func open(dir string, o Options) (*Network, error) {
	if _, err := os.Stat(filepath.Join(dir, config.GenesisFileName)); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(o.Out, "创建本地网络 Creating a local network of %d validators in %s\n", o.Validators, dir)
		if _, err := localnet.CreateTestnet(localnet.TestnetOptions{Dir: dir, Validators: o.Validators, ChainID: "qian-devnet", BasePort: o.BasePort, Passphrase: o.Passphrase, KeyringOptions: o.KeyringOptions}); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	} else {
		fmt.Fprintf(o.Out, "复用本地网络 Reusing the local network in %s\n", dir)
	}
	doc, err := genesis.Load(filepath.Join(dir, config.GenesisFileName))
	if err != nil {
		return nil, err
	}
	nw := &Network{Dir: dir, Genesis: doc}
	for i := 0; i < len(doc.Validators); i++ {
		home := filepath.Join(dir, fmt.Sprintf("node%d", i))
		cfg, err := config.Load(home, nil)
		if err != nil {
			return nw, fmt.Errorf("node%d: %w", i, err)
		}
		if i == 0 && o.HTTP != "" {
			cfg.HTTP.Listen = o.HTTP
		}
		n, err := node.New(node.Options{Config: cfg, Genesis: doc, App: node.NewContractsApp(), Log: o.Log.With("node", cfg.Moniker), Handler: o.Handler})
		if err != nil {
			return nw, fmt.Errorf("node%d: %w", i, err)
		}
		nw.Nodes = append(nw.Nodes, n)
		nw.URLs = append(nw.URLs, "http://"+n.HTTPAddr())
	}
	return nw, nil
}

// stop stops every node made; a nil network has none.
func (nw *Network) stop() {
	if nw == nil {
		return
	}
	for _, n := range nw.Nodes {
		_ = n.Stop()
	}
	nw.Nodes = nil
}

// moveAside renames dir to the first free name of dir.old, dir.old2, ...
// and returns it.
func moveAside(dir string) (string, error) {
	for i := 1; ; i++ {
		aside := dir + ".old"
		if i > 1 {
			aside += fmt.Sprint(i)
		}
		if _, err := os.Lstat(aside); errors.Is(err, os.ErrNotExist) {
			return aside, os.Rename(dir, aside)
		} else if err != nil {
			return "", err
		}
	}
}

func waitHeight(ctx context.Context, n *node.Node, h uint64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for n.Store.Height() < h {
		if time.Now().After(deadline) {
			return fmt.Errorf("no block after %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
