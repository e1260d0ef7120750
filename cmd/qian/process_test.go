package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/localnet"
)

// procNet is a testnet whose nodes run as separate `qian start` processes.
type procNet struct {
	t     *testing.T
	bin   string
	tn    *localnet.Testnet
	procs map[string]*exec.Cmd
}

func buildBinary(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "qian")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeBase(t *testing.T) int {
	// Below Linux's ephemeral range (32768-60999), so that the ports found
	// free are not taken a moment later by some process's outgoing
	// connection; every candidate of the range is tried, from a start that
	// differs between test processes running at once.
	const lo, hi, step = 20000, 32700, 60
	n := (hi - lo) / step
	start := int(time.Now().UnixNano() % int64(n))
	for k := 0; k < n; k++ {
		p := lo + ((start+k)%n)*step
		ok := true
		for i := 0; i < 6 && ok; i++ {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+10*i))
			if err != nil {
				ok = false
			} else {
				ln.Close()
			}
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free ports")
	return 0
}

func newProcNet(t *testing.T) *procNet {
	tn, err := localnet.CreateTestnet(localnet.TestnetOptions{Dir: filepath.Join(t.TempDir(), "net"), Validators: 4, Observers: 1,
		BasePort: freeBase(t), Passphrase: []byte("test"), KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()}})
	if err != nil {
		t.Fatal(err)
	}
	pn := &procNet{t: t, bin: buildBinary(t), tn: tn, procs: map[string]*exec.Cmd{}}
	t.Cleanup(func() {
		for name := range pn.procs {
			pn.signal(name, syscall.SIGKILL)
		}
	})
	return pn
}

func (pn *procNet) start(i int) {
	n := pn.tn.Nodes[i]
	logf, err := os.OpenFile(filepath.Join(n.Home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		pn.t.Fatal(err)
	}
	cmd := exec.Command(pn.bin, "start", "--home", n.Home)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		pn.t.Fatal(err)
	}
	pn.procs[n.Name] = cmd
}

// signal sends sig to a node and waits for it to exit, returning its exit
// code (-1 when killed by a signal).
func (pn *procNet) signal(name string, sig syscall.Signal) int {
	cmd := pn.procs[name]
	if cmd == nil {
		return 0
	}
	_ = cmd.Process.Signal(sig)
	_ = cmd.Wait()
	delete(pn.procs, name)
	return cmd.ProcessState.ExitCode()
}

func (pn *procNet) status(i int) (*api.StatusResponse, error) {
	var st api.StatusResponse
	_, err := getJSON(pn.tn.Nodes[i].HTTPURL()+"/v1/status", &st)
	return &st, err
}

func (pn *procNet) waitHeight(i int, h uint64, timeout time.Duration) {
	pn.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st, err := pn.status(i)
		if err == nil && st.Height >= h {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(pn.tn.Nodes[i].Home, "node.log"))
			pn.t.Fatalf("%s did not reach height %d (status %+v, err %v); log:\n%s", pn.tn.Nodes[i].Name, h, st, err, tail(log, 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func (pn *procNet) submit(i int, tx *ledger.Tx) ledger.Hash {
	pn.t.Helper()
	resp, err := http.Post(pn.tn.Nodes[i].HTTPURL()+"/v1/txs", "application/octet-stream", bytes.NewReader(tx.Encode()))
	if err != nil {
		pn.t.Fatal(err)
	}
	defer resp.Body.Close()
	var sr api.SubmitResponse
	if err := json.NewDecoder(resp.Body).Decode(&sr); err != nil || resp.StatusCode != http.StatusAccepted {
		pn.t.Fatalf("submit to %s: %s %v", pn.tn.Nodes[i].Name, resp.Status, err)
	}
	return sr.Hash
}

func (pn *procNet) waitCommitted(i int, h ledger.Hash, timeout time.Duration) {
	pn.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var tr api.TxResponse
		if _, err := getJSON(pn.tn.Nodes[i].HTTPURL()+"/v1/txs/"+h.String(), &tr); err == nil && tr.Status == "committed" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	pn.t.Fatalf("tx %s not committed on %s", h.Short(), pn.tn.Nodes[i].Name)
}

// checkSameChain compares every block hash up to the lowest height of the
// running nodes, and checks that no block carries evidence of a double
// vote.
func (pn *procNet) checkSameChain(running []int) uint64 {
	pn.t.Helper()
	low := uint64(1 << 62)
	for _, i := range running {
		st, err := pn.status(i)
		if err != nil {
			pn.t.Fatal(err)
		}
		low = min(low, st.Height)
	}
	for h := uint64(1); h <= low; h++ {
		var want ledger.Hash
		for k, i := range running {
			var b api.BlockResponse
			if _, err := getJSON(fmt.Sprintf("%s/v1/blocks/%d", pn.tn.Nodes[i].HTTPURL(), h), &b); err != nil {
				pn.t.Fatalf("%s block %d: %v", pn.tn.Nodes[i].Name, h, err)
			}
			if len(b.Evidence) > 0 {
				pn.t.Fatalf("block %d carries evidence of a double vote: %+v", h, b.Evidence)
			}
			if k == 0 {
				want = b.Hash
			} else if b.Hash != want {
				pn.t.Fatalf("fork at height %d: %s has %s, %s has %s", h, pn.tn.Nodes[running[0]].Name, want.Short(), pn.tn.Nodes[i].Name, b.Hash.Short())
			}
		}
	}
	return low
}

// Four validator processes and an observer: transactions sent to any node
// are committed on all with identical hashes; a validator killed with
// SIGKILL and restarted resumes from disk without double-signing and
// catches up; SIGTERM stops every node cleanly.
func TestProcessNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("starts five node processes")
	}
	pn := newProcNet(t)
	for i := range pn.tn.Nodes {
		pn.start(i)
	}
	for i := range pn.tn.Nodes {
		pn.waitHeight(i, 2, 60*time.Second)
	}

	kr, err := keyring.Open(pn.tn.KeyringDir)
	if err != nil {
		t.Fatal(err)
	}
	keys := demo.Keys{}
	for _, role := range localnet.DemoRoles() {
		k, err := kr.Unlock(string(role), []byte("test"))
		if err != nil {
			t.Fatal(err)
		}
		keys[membership.Role(role)] = k
	}
	story, err := demo.Scenario(pn.tn.ChainID, keys)
	if err != nil {
		t.Fatal(err)
	}
	steps := story.Steps
	// The first half, each step to a different node (the observer too).
	half := len(steps) / 2
	for k, s := range steps[:half] {
		i := k % len(pn.tn.Nodes)
		pn.waitCommitted(i, pn.submit(i, s.Tx), 30*time.Second)
	}
	top := pn.checkSameChain([]int{0, 1, 2, 3, 4})
	t.Logf("%d story transactions committed; all five nodes agree up to height %d", half, top)

	// SIGKILL a validator; the other three go on with the rest of the story.
	if code := pn.signal("node1", syscall.SIGKILL); code != -1 {
		t.Fatalf("node1 exit code %d after SIGKILL", code)
	}
	for k, s := range steps[half:] {
		i := []int{0, 2, 3, 4}[k%4]
		pn.waitCommitted(i, pn.submit(i, s.Tx), 30*time.Second)
	}
	st0, _ := pn.status(0)
	pn.start(1)
	pn.waitHeight(1, st0.Height+2, 60*time.Second)
	top = pn.checkSameChain([]int{0, 1, 2, 3, 4})
	t.Logf("node1 restarted after SIGKILL and caught up; all agree up to height %d with no double-vote evidence", top)

	for _, name := range []string{"observer", "node3", "node2", "node1", "node0"} {
		if code := pn.signal(name, syscall.SIGTERM); code != 0 {
			t.Fatalf("%s exited with %d after SIGTERM", name, code)
		}
	}
}
