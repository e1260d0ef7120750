package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/localnet"
	"github.com/qianchain/qianchain/node/nodekey"
	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// The demo keyring of the testnet is throwaway, sealed with a fixed
// passphrase (the load process gets it as QIAN_PASSPHRASE).
const attackPassphrase = "attack-passphrase"

// target is node0 as the attacks see it.
type target struct {
	HTTP     string // host:port
	P2P      string // host:port of its libp2p TCP listener
	PeerID   string
	FrameCap int    // the largest consensus frame node0 accepts (genesis max_block_bytes + 256 KiB)
	PagePath string // the demo lot's consumer page
}

// writeNetwork writes the testnet (four validators and an observer whose
// identity the frame attack borrows; the observer's process is not run),
// sets node0's http.limit_loopback so that its per-client limits apply to
// the loopback attackers, and opens it as processes.
func writeNetwork(bin, dir string, pprof bool, logf func(string, ...any)) (*procnet.Net, crypto.PrivKey, error) {
	base, err := procnet.FreeBasePort(5)
	if err != nil {
		return nil, nil, err
	}
	out := filepath.Join(dir, "net")
	if _, err := localnet.CreateTestnet(localnet.TestnetOptions{Dir: out, Validators: 4, Observers: 1, BasePort: base,
		Passphrase: []byte(attackPassphrase)}); err != nil {
		return nil, nil, err
	}
	pn, cfgs, err := procnet.Open(out, bin, []string{localnet.ObserverName(0)}, logf)
	if err != nil {
		return nil, nil, err
	}
	cfgs[0].HTTP.LimitLoopback = true
	cfgs[0].HTTP.PProf = pprof
	if err := procnet.WriteConfig(cfgs[0]); err != nil {
		return nil, nil, err
	}
	obs := pn.Nodes[len(pn.Nodes)-1]
	key, _, err := nodekey.LoadNodeKey(config.Paths{Home: obs.Home}.NodeKeyFile())
	if err != nil {
		return nil, nil, fmt.Errorf("the observer's node key: %w", err)
	}
	return pn, key, nil
}

// startValidators starts the validators' processes and waits for height 2.
func startValidators(ctx context.Context, pn *procnet.Net) error {
	for _, i := range pn.Validators() {
		if err := pn.Start(i); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := pn.Nodes[1].API.Status(ctx)
		if err == nil && st.Height >= 2 {
			return nil
		}
		if c := pn.Crashes(); len(c) > 0 {
			return fmt.Errorf("a node exited: %s", c[0])
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no height 2 within 2 minutes (%v)", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// loadDemo submits the demo story through node1, each transaction after
// the one before is committed, and checks each outcome against the story,
// so that node0 has the demo lot's consumer page to serve.
func loadDemo(ctx context.Context, pn *procnet.Net, admins map[membership.Role]ledger.PrivateKey, logf func(string, ...any)) error {
	story, err := demo.Scenario(pn.Doc.ChainID, demo.Keys(admins))
	if err != nil {
		return err
	}
	logf("loading the demo story: %d transactions", len(story.Steps))
	c := pn.Nodes[1].API
	for i, step := range story.Steps {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		o, err := c.SubmitAndWait(wctx, step.Tx)
		cancel()
		if err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, step.Note, err)
		}
		if o.Code != step.Expect {
			return fmt.Errorf("step %d (%s): got %s, the story expects %s", i+1, step.Note, o.Code, step.Expect)
		}
	}
	return nil
}

// waitPage waits until url answers 200 (node0 has caught up with the story).
func waitPage(ctx context.Context, url string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not answer 200 (%v)", url, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
