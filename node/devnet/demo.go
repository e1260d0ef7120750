package devnet

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/localnet"
)

// demoMarker records that the story is on the chain, so a reused devnet
// does not submit it again.
const demoMarker = "demo-loaded"

// loadDemo submits the demo story's transactions one by one, each after the
// previous one committed (later steps depend on earlier ones), and checks
// each outcome against the story's expectation.
func loadDemo(ctx context.Context, nw *Network, o Options) error {
	marker := filepath.Join(nw.Dir, demoMarker)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	kr, err := keyring.Open(filepath.Join(nw.Dir, localnet.KeyringDirName), o.KeyringOptions...)
	if err != nil {
		return err
	}
	keys := demo.Keys{}
	for _, role := range localnet.DemoRoles() {
		k, err := kr.Unlock(string(role), o.Passphrase)
		if err != nil {
			return fmt.Errorf("unlock %s: %w", role, err)
		}
		keys[membership.Role(role)] = k
	}
	story, err := demo.Scenario(nw.Genesis.ChainID, keys)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "载入演示数据 Loading the demo story: %d transactions\n", len(story.Steps))
	n := nw.Nodes[0]
	for i, step := range story.Steps {
		code, err := SubmitAndWait(ctx, n, step.Tx, 30*time.Second)
		if err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, step.Note, err)
		}
		if code != step.Expect {
			return fmt.Errorf("step %d (%s): got %s, the story expects %s", i+1, step.Note, code, step.Expect)
		}
		progress(o.Out, i+1, len(story.Steps))
	}
	fmt.Fprintln(o.Out)
	return os.WriteFile(marker, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644)
}

// SubmitAndWait submits tx to n and waits until it is committed, returning
// its result code (or the admission rejection's code).
func SubmitAndWait(ctx context.Context, n *node.Node, tx *ledger.Tx, timeout time.Duration) (string, error) {
	_, h, err := n.Submit(tx.Encode())
	if err != nil {
		if code := codeOf(err); code != "" {
			return code, nil
		}
		return "", err
	}
	deadline := time.Now().Add(timeout)
	for {
		at, err := n.Store.Tx(h)
		if err == nil {
			out, err := node.DecodeOutcome(at.Result)
			if err != nil {
				return "", err
			}
			return out.Code, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("transaction %s not committed within %s", h.Short(), timeout)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func progress(w io.Writer, done, total int) {
	const width = 30
	filled := done * width / total
	bar := make([]byte, width)
	for i := range bar {
		if i < filled {
			bar[i] = '#'
		} else {
			bar[i] = '.'
		}
	}
	fmt.Fprintf(w, "\r  [%s] %d/%d", bar, done, total)
}

func printURLs(w io.Writer, nw *Network) {
	base := nw.URLs[0]
	lot := demo.DemoLot
	fmt.Fprintf(w, `
黔链本地网络已运行 Qianchain devnet is running (chain %s, %d validators).

  消费者页面 Consumer page of the demo tea lot:
    %s/01/%s/10/%s
  区块浏览器 Explorer:          %s/explorer
  节点状态 Node status (JSON):  %s/v1/status
  指标 Metrics:                 %s/metrics
  Other validators' APIs:      %v

Press Ctrl-C to stop. 按 Ctrl-C 停止。
`, nw.Genesis.ChainID, len(nw.Nodes), base, lot.Key, lot.Ext, base, base, base, nw.URLs[1:])
}
