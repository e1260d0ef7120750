package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// The run changes the validator set under load, by governance, through the
// real command line (docs/operations.md, "Changing the validator set"):
// the fifth organisation's node, running from the start as a validator
// whose key is in no set (so it follows as an observer), is voted in; a
// founding validator is voted out and its process stopped once the removal
// takes effect; another rotates its key (qian validator next-key, a
// restart so that the node holds it, propose-rotate). Each change is
// proposed by one founding organisation and approved by the others until
// it passes; faults go on between the changes, with the orchestrator's
// idea of the validators (the quorum it expects, the nodes it faults)
// following the set as each change takes effect.

// candidateOrg runs the fifth node: the fifth demo organisation, which
// runs no validator in the testnet's genesis.
const candidateOrg = "retailer"

// electors propose and approve, in this order (the demo's founding
// organisations; the first proposes).
var electors = []string{"farm", "cooperative", "processor", "logistics", "retailer", "inspector", "regulator", "data_exchange"}

// setChange is one validator-set change of the run: what, on whose node,
// and when it was approved and took effect. For an addition or a rotation,
// the first height whose certificate (the next block's last_commit) counts
// the new key, and the time from the approving block to the block that
// carries that certificate (block times) and on the orchestrator's clock
// (from the approval's commit to seeing that block).
type setChange struct {
	Kind      string  `json:"kind"` // add, remove or rotate
	Node      string  `json:"node"`
	AtS       float64 `json:"at_s"`
	TookS     float64 `json:"took_s"` // the whole step, proposal to effect (and first signature)
	Approved  uint64  `json:"approved_height"`
	Effective uint64  `json:"effective_height"`
	// Set for an addition or a rotation.
	FirstSigned     uint64  `json:"first_signed_height,omitempty"`
	FirstSignatureS float64 `json:"first_signature_s,omitempty"`
	FirstSignWallS  float64 `json:"first_signature_wall_s,omitempty"`
}

// changePlan is when the run makes each change: at these fractions of the
// fault time, in this order.
var changePlan = []struct {
	kind string
	at   float64
}{{"add", 0.15}, {"remove", 0.4}, {"rotate", 0.65}}

// qianTx runs `qian ARGS --node URL --json` against node i with the demo
// keyring, and returns the transaction result.
func (r *runner) qianTx(ctx context.Context, i int, args ...string) (*txResult, error) {
	out, err := r.qian(ctx, append(args, "--node", r.c.Nodes[i].HTTPURL, "--keyring", filepath.Join(r.c.Dir, "keys"), "--json")...)
	var res txResult
	if jerr := json.Unmarshal(bytes.TrimSpace(out), &res); jerr != nil || err != nil || res.Code != "OK" {
		return nil, fmt.Errorf("qian %s: %v %v: %s", strings.Join(args, " "), err, jerr, out)
	}
	return &res, nil
}

// txResult is what `qian ... --json` prints for a transaction.
type txResult struct {
	TxHash  ledger.Hash `json:"tx_hash"`
	Height  uint64      `json:"height"`
	Code    string      `json:"code"`
	Message string      `json:"message"`
}

// qian runs the qian binary and returns its standard output.
func (r *runner) qian(ctx context.Context, args ...string) ([]byte, error) {
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, r.c.Bin, args...)
	cmd.Env = append(procnet.ChildEnv(), "QIAN_PASSPHRASE="+chaosPassphrase)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// govern proposes a validator-set change (ARGS after `qian validator`) as
// the first elector and approves it as the next ones until it passes,
// through a running validator other than the change's target (which may
// be restarting or syncing); it returns the approving height.
func (r *runner) govern(ctx context.Context, target int, args ...string) (uint64, error) {
	via := r.gateway(target)
	p, err := r.qianTx(ctx, via, append(append([]string{"validator"}, args...), "--key", electors[0], "--reason", "chaos run")...)
	if err != nil {
		return 0, err
	}
	for _, org := range electors[1:] {
		a, err := r.qianTx(ctx, via, "org", "approve", p.TxHash.String(), "--key", org)
		if err != nil {
			return 0, err
		}
		// A change approved by block h makes the record of the set of
		// h+2 (the run makes one change at a time).
		set, err := r.validatorsAt(ctx, via, a.Height+2)
		if err != nil {
			return 0, err
		}
		if set.From == a.Height+2 {
			return a.Height, nil
		}
	}
	return 0, fmt.Errorf("proposal %s did not pass with every elector's approval", p.TxHash.Short())
}

// gateway is the validator the orchestrator talks to about a change of
// node not: the first one in force that is running, fresh and not that
// node (the first one in force when none is).
func (r *runner) gateway(not int) int {
	vals := r.c.validators()
	s := r.mon.Snapshot()
	for _, i := range vals {
		if i != not && r.c.Nodes[i].State() == procRunning && s.Samples[i].Fresh {
			return i
		}
	}
	return vals[0]
}

// waitCaughtUp waits until node i is running and at the height a quorum
// of the validators has reached.
func (r *runner) waitCaughtUp(ctx context.Context, i int, timeout time.Duration) bool {
	for end := time.Now().Add(timeout); time.Now().Before(end) && ctx.Err() == nil; time.Sleep(200 * time.Millisecond) {
		s := r.mon.Snapshot()
		if x := s.Samples[i]; x.Fresh && x.Height >= s.quorumHeight(r.c.validators(), r.c.quorum()) {
			return true
		}
	}
	return false
}

func (r *runner) validatorsAt(ctx context.Context, i int, h uint64) (*api.ValidatorsResponse, error) {
	var v api.ValidatorsResponse
	gctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := r.c.Nodes[i].API.Get(gctx, fmt.Sprintf("/v1/validators?height=%d", h), &v)
	return &v, err
}

// waitQuorumHeight waits until a quorum of the validators has reached h.
func (r *runner) waitQuorumHeight(ctx context.Context, h uint64, timeout time.Duration) bool {
	for end := time.Now().Add(timeout); time.Now().Before(end) && ctx.Err() == nil; time.Sleep(100 * time.Millisecond) {
		if r.mon.Snapshot().quorumHeight(r.c.validators(), r.c.quorum()) >= h {
			return true
		}
	}
	return false
}

// firstCounted finds the first height from h on whose certificate (the
// next block's last_commit, as node i serves it) counts key, waiting for
// the chain up to timeout. It returns that height and the block carrying
// the certificate.
func (r *runner) firstCounted(ctx context.Context, i int, key ledger.PublicKey, h uint64, timeout time.Duration) (uint64, *api.BlockResponse, error) {
	end := time.Now().Add(timeout)
	for ; time.Now().Before(end) && ctx.Err() == nil; h++ {
		if !r.waitQuorumHeight(ctx, h+1, time.Until(end)) {
			break
		}
		var page api.BlocksResponse
		gctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := r.c.Nodes[i].API.Get(gctx, fmt.Sprintf("/v1/blocks?before=%d&limit=1", h+2), &page)
		cancel()
		if err != nil || len(page.Blocks) != 1 || page.Blocks[0].Height != h+1 {
			h-- // not served yet: ask again
			time.Sleep(100 * time.Millisecond)
			continue
		}
		set, err := r.c.fetchSet(ctx, i, h)
		if err != nil {
			return 0, nil, err
		}
		idx := set.IndexOf(key)
		if c := page.Blocks[0].LastCommit; idx >= 0 && c != nil {
			for _, s := range c.Sigs {
				if int(s.Validator) == idx {
					return h, page.Blocks[0], nil
				}
			}
		}
	}
	return 0, nil, fmt.Errorf("no certificate counts key %s up to height %d", key.Short(), h)
}

// header returns block h's header from node i.
func (r *runner) header(ctx context.Context, i int, h uint64) (*ledger.Header, error) {
	var page api.BlocksResponse
	gctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.c.Nodes[i].API.Get(gctx, fmt.Sprintf("/v1/blocks?before=%d&limit=1", h+1), &page); err != nil {
		return nil, err
	}
	if len(page.Blocks) != 1 || page.Blocks[0].Height != h {
		return nil, fmt.Errorf("block %d not served", h)
	}
	return &page.Blocks[0].Header, nil
}

// changeSet makes one change of the plan; an error is a violation.
func (r *runner) changeSet(ctx context.Context, kind string) error {
	started := time.Now()
	rec := &setChange{Kind: kind, AtS: started.Sub(r.start).Seconds()}
	var newKey ledger.PublicKey // the key whose first counted signature is measured
	var target int
	var approved time.Time
	switch kind {
	case "add":
		target = r.c.candidate
		key, err := nodekey.LoadValidatorKey(config.Paths{Home: r.c.Nodes[target].Home}.ValidatorKeyFile())
		if err != nil {
			return err
		}
		_, peerID, err := nodekey.LoadNodeKey(config.Paths{Home: r.c.Nodes[target].Home}.NodeKeyFile())
		if err != nil {
			return err
		}
		newKey = key.PublicKey()
		if rec.Approved, err = r.govern(ctx, target, "propose-add", "--org", candidateOrg, "--name", candidateOrg+"-node",
			"--pubkey", newKey.String(), "--peer-id", peerID.String(), "--power", "10"); err != nil {
			return err
		}
		approved = time.Now()
	case "remove":
		target = r.c.retireTarget
		key, err := nodekey.LoadValidatorKey(config.Paths{Home: r.c.Nodes[target].Home}.ValidatorKeyFile())
		if err != nil {
			return err
		}
		if rec.Approved, err = r.govern(ctx, target, "propose-remove", key.PublicKey().String()); err != nil {
			return err
		}
		// Nothing more is offered to it: transactions it accepted now
		// would wait in a mempool its peers no longer hear.
		r.c.setRetiring(target)
	case "rotate":
		target = r.c.rotateTarget
		home := r.c.Nodes[target].Home
		old, err := nodekey.LoadValidatorKey(config.Paths{Home: home}.ValidatorKeyFile())
		if err != nil {
			return err
		}
		out, err := r.qian(ctx, "validator", "next-key", "--home", home)
		if err != nil {
			return fmt.Errorf("qian validator next-key: %v", err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if s, ok := strings.CutPrefix(line, "public key "); ok {
				if newKey, err = ledger.ParsePublicKey(s); err != nil {
					return err
				}
			}
		}
		// A restart, so that the node holds the next key.
		if code, err := r.c.Signal(target, syscall.SIGTERM, 15*time.Second); err != nil || code != 0 {
			return fmt.Errorf("restart %s to hold its next key: exit %d, %v", r.c.Nodes[target].Name, code, err)
		}
		_ = r.tails[target].AfterExit()
		if err := r.c.Start(target); err != nil {
			return err
		}
		// Back and caught up before the vote: at the effective height it
		// must sign with the new key.
		if !r.waitCaughtUp(ctx, target, r.o.CatchUpLimit) {
			return fmt.Errorf("%s did not catch up within %s of its restart: %s", r.c.Nodes[target].Name, r.o.CatchUpLimit, r.heights())
		}
		if rec.Approved, err = r.govern(ctx, target, "propose-rotate", old.PublicKey().String(), "--new-pubkey", newKey.String()); err != nil {
			return err
		}
		approved = time.Now()
	}
	rec.Node = r.c.Nodes[target].Name
	rec.Effective = rec.Approved + 2
	if !r.waitQuorumHeight(ctx, rec.Effective, time.Minute) {
		return fmt.Errorf("%s %s approved at %d: the chain did not reach the effective height %d", kind, rec.Node, rec.Approved, rec.Effective)
	}
	switch kind {
	case "add":
		r.c.setMember(target, true)
	case "remove":
		r.c.setMember(target, false)
		code, err := r.c.Signal(target, syscall.SIGTERM, 15*time.Second)
		if err != nil || code != 0 {
			return fmt.Errorf("stop the removed %s: exit %d, %v", rec.Node, code, err)
		}
		_ = r.tails[target].AfterExit()
		r.c.retire(target)
	}
	if newKey != (ledger.PublicKey{}) {
		via := r.gateway(target)
		h, blk, err := r.firstCounted(ctx, via, newKey, rec.Effective, time.Minute)
		if err != nil {
			return fmt.Errorf("%s %s: %v", kind, rec.Node, err)
		}
		seen := time.Now()
		ah, err := r.header(ctx, via, rec.Approved)
		if err != nil {
			return err
		}
		rec.FirstSigned = h
		rec.FirstSignatureS = time.Duration(blk.Header.Time - ah.Time).Seconds()
		rec.FirstSignWallS = seen.Sub(approved).Seconds()
	}
	rec.TookS = time.Since(started).Seconds()
	r.setChanges = append(r.setChanges, rec)
	r.logf("set change: %s %s approved at height %d, in effect at %d%s (%.1fs)", kind, rec.Node, rec.Approved, rec.Effective, firstSigned(rec), rec.TookS)
	return nil
}

func firstSigned(c *setChange) string {
	if c.FirstSigned == 0 {
		return ""
	}
	return fmt.Sprintf("; the new key's first counted signature certifies height %d, %.2fs after the approving block (block times; %.2fs on the orchestrator's clock)", c.FirstSigned, c.FirstSignatureS, c.FirstSignWallS)
}
