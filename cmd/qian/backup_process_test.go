package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/notary"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/nodekey"
)

// qian runs the test's qian binary as a process and returns its exit code
// and combined output.
func (pn *procNet) qian(argv ...string) (int, string) {
	pn.t.Helper()
	out, err := exec.Command(pn.bin, argv...).CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			pn.t.Fatal(err)
		}
	}
	return exitCode(err), string(out)
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// load submits notary anchors from the farm's key to the given nodes, one
// every few milliseconds, without waiting for them, until stop is closed.
func (pn *procNet) load(nodes []int, stop <-chan struct{}) *sync.WaitGroup {
	pn.t.Helper()
	kr, err := keyring.Open(pn.tn.KeyringDir)
	if err != nil {
		pn.t.Fatal(err)
	}
	farm, err := kr.Unlock("farm", []byte("test"))
	if err != nil {
		pn.t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		base := uint64(time.Now().UnixNano())
		for i := uint64(0); ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			p := &notary.Anchor{Hash: ledger.Sum([]byte(fmt.Sprint(base, i))), Kind: notary.Evidence, Name: fmt.Sprintf("log-%d.csv", i), MediaType: "text/csv", Size: 1}
			tx := &ledger.Tx{ChainID: pn.tn.ChainID, Sender: farm.PublicKey(), Nonce: base + i, Contract: "notary", Method: "anchor", Payload: p.Encode()}
			if tx.Sign(farm) != nil {
				return
			}
			n := pn.tn.Nodes[nodes[int(i)%len(nodes)]]
			resp, err := http.Post(n.HTTPURL()+"/v1/txs", "application/octet-stream", bytes.NewReader(tx.Encode()))
			if err == nil {
				resp.Body.Close()
			}
		}
	}()
	return &wg
}

// signedBy reports whether node i's block at height h records a precommit
// of the validator at index self (in its last commit, for height h-1).
func (pn *procNet) signedBy(i int, h uint64, self int) bool {
	pn.t.Helper()
	var b api.BlockResponse
	if _, err := getJSON(fmt.Sprintf("%s/v1/blocks/%d", pn.tn.Nodes[i].HTTPURL(), h), &b); err != nil {
		pn.t.Fatal(err)
	}
	if b.LastCommit == nil {
		return false
	}
	for _, s := range b.LastCommit.Sigs {
		if int(s.Validator) == self {
			return true
		}
	}
	return false
}

// A validator killed mid-load is restored from a backup taken while it
// ran, with its signer state rolled back as well, as an operator copying a
// whole old home would: the double-sign guard refuses to start it (exit
// code 4, signer_behind) once block sync shows the chain holds its later
// precommits. With the newest signer state put back (the documented
// restore leaves it in place) it catches up and signs again. Rolled back
// once more and moved on with qian validator signer-advance, it starts
// and signs again too. The other validators carry the chain throughout;
// every node agrees on every block and no block carries evidence of a
// double vote.
func TestBackupRestoreWithoutDoubleSigningProcesses(t *testing.T) {
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
	home := pn.tn.Nodes[1].Home
	data := filepath.Join(home, "data")
	statePath := filepath.Join(data, node.SignerStateFile)
	doc, err := genesis.Load(filepath.Join(home, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	vals, err := doc.ValidatorSet()
	if err != nil {
		t.Fatal(err)
	}
	key, err := nodekey.LoadValidatorKey(filepath.Join(home, "keys", "validator.key"))
	if err != nil {
		t.Fatal(err)
	}
	self := vals.IndexOf(key.PublicKey())
	if self < 0 {
		t.Fatal("node1's key is not in the genesis set")
	}

	stop := make(chan struct{})
	loading := pn.load([]int{0, 2, 3}, stop)
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		loading.Wait()
	}()
	pn.waitHeight(1, 4, 30*time.Second)

	// A backup of the running validator, and the signer state of that
	// moment, which an operator copying the whole home would get too.
	file := filepath.Join(t.TempDir(), "node1.tar")
	code, out := pn.qian("backup", "--home", home, "-o", file)
	if code != 0 || !strings.Contains(out, "from the running node") {
		t.Fatalf("qian backup: exit %d\n%s", code, out)
	}
	oldState, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	old, err := node.ReadSignerState(statePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup of node1 while running: %s", strings.TrimSpace(out))

	// node1 signs on for a while under load, then dies.
	pn.waitHeight(1, old.Height+10, 60*time.Second)
	if code := pn.signal("node1", syscall.SIGKILL); code != -1 {
		t.Fatalf("node1 exit code %d after SIGKILL", code)
	}
	newest, err := node.ReadSignerState(statePath)
	if err != nil {
		t.Fatal(err)
	}

	// Restore: the store moved aside, the backup restored, and the signer
	// state of the backup's time copied over the newest one.
	lost := filepath.Join(t.TempDir(), "data.lost")
	if err := os.Rename(data, lost); err != nil {
		t.Fatal(err)
	}
	code, out = pn.qian("restore", file, "--home", home)
	if code != 0 || !strings.Contains(out, "no signer state") {
		t.Fatalf("qian restore: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(data, "cs.wal")); err == nil {
		t.Fatal("the restore wrote a consensus WAL")
	}
	if code, out := pn.qian("restore", file, "--home", home); code != 1 || !strings.Contains(out, "restore_target_exists") {
		t.Fatalf("a second restore over the restored store: exit %d\n%s", code, out)
	}
	if err := os.WriteFile(statePath, oldState, 0o600); err != nil {
		t.Fatal(err)
	}
	pn.start(1)
	if code := pn.waitExit(1, 120*time.Second); code != 4 {
		t.Fatalf("node1 with a rolled-back signer state exited with %d, want 4; log:\n%s", code, tail([]byte(pn.log(1)), 3000))
	}
	if log := pn.log(1); !strings.Contains(log, "signer_behind") || !strings.Contains(log, fmt.Sprintf("last signed height %d", old.Height)) {
		t.Fatalf("node1's refusal does not say why:\n%s", tail([]byte(log), 2000))
	}
	t.Logf("node1 restored with its signer state at height %d (the newest was %d): refused to start", old.Height, newest.Height)

	// The newest signer state put back (the WAL too): node1 catches up
	// and signs again.
	for _, name := range []string{node.SignerStateFile, "cs.wal"} {
		b, err := os.ReadFile(filepath.Join(lost, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pn.start(1)
	st0, _ := pn.status(0)
	pn.waitSigned(1, st0.Height, self)
	t.Logf("node1 with its newest signer state put back caught up and signs again")

	// Rolled back once more, then moved on with signer-advance.
	if code := pn.signal("node1", syscall.SIGTERM); code != 0 {
		t.Fatalf("node1 exited with %d after SIGTERM", code)
	}
	if err := os.WriteFile(statePath, oldState, 0o600); err != nil {
		t.Fatal(err)
	}
	pn.start(1)
	if code := pn.waitExit(1, 120*time.Second); code != 4 {
		t.Fatalf("node1 rolled back again exited with %d, want 4", code)
	}
	code, out = pn.qian("validator", "signer-advance", "--home", home)
	if code != 0 {
		t.Fatalf("qian validator signer-advance: exit %d\n%s", code, out)
	}
	t.Logf("%s", strings.TrimSpace(out))
	pn.start(1)
	st0, _ = pn.status(0)
	pn.waitSigned(1, st0.Height, self)

	close(stop)
	loading.Wait()
	pn.waitHeight(1, st0.Height+3, 60*time.Second)
	top := pn.checkSameChain([]int{0, 1, 2, 3, 4})
	t.Logf("all five nodes agree up to height %d; no block carries evidence of a double vote", top)
	for _, name := range []string{"observer", "node3", "node2", "node1", "node0"} {
		if code := pn.signal(name, syscall.SIGTERM); code != 0 {
			t.Fatalf("%s exited with %d after SIGTERM", name, code)
		}
	}
}

// waitSigned waits until a block after height from, as node 0 stores it,
// records a precommit of the validator at index self: it is signing again.
func (pn *procNet) waitSigned(i int, from uint64, self int) {
	pn.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for h := from + 1; time.Now().Before(deadline); {
		st, err := pn.status(0)
		if err == nil && st.Height >= h {
			if pn.signedBy(0, h, self) {
				return
			}
			h++
			continue
		}
		time.Sleep(100 * time.Millisecond)
	}
	pn.t.Fatalf("%s's precommits appear in no block after height %d; log:\n%s", pn.tn.Nodes[i].Name, from, tail([]byte(pn.log(i)), 3000))
}
