package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/localnet"
)

// buildQian builds qian with build tags and a version, for tests that run
// two builds side by side. Call it before isolate: go finds its caches
// through HOME.
func buildQian(t *testing.T, name, version string, tags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	argv := []string{"build", "-o", bin, "-ldflags", "-X main.version=" + version}
	if len(tags) > 0 {
		argv = append(argv, "-tags", strings.Join(tags, ","))
	}
	if out, err := exec.Command("go", append(argv, ".")...).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", name, err, out)
	}
	return bin
}

// startBin starts node i with the binary bin; its output goes to
// HOME/node.log.
func (pn *procNet) startBin(i int, bin string) {
	pn.t.Helper()
	n := pn.tn.Nodes[i]
	logf, err := os.OpenFile(filepath.Join(n.Home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		pn.t.Fatal(err)
	}
	fmt.Fprintf(logf, "=== %s start\n", filepath.Base(bin))
	cmd := exec.Command(bin, "start", "--home", n.Home)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		pn.t.Fatal(err)
	}
	pn.procs[n.Name] = cmd
}

// waitExit waits for node i's process to exit by itself and returns its
// exit code.
func (pn *procNet) waitExit(i int, timeout time.Duration) int {
	pn.t.Helper()
	n := pn.tn.Nodes[i]
	cmd := pn.procs[n.Name]
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		log, _ := os.ReadFile(filepath.Join(n.Home, "node.log"))
		pn.t.Fatalf("%s did not exit within %s; log:\n%s", n.Name, timeout, tail(log, 3000))
	}
	delete(pn.procs, n.Name)
	return cmd.ProcessState.ExitCode()
}

func (pn *procNet) log(i int) string {
	b, _ := os.ReadFile(filepath.Join(pn.tn.Nodes[i].Home, "node.log"))
	return string(b)
}

// submitRaw posts tx to node i and returns the HTTP status and the error
// code of a refusal ("" when accepted).
func (pn *procNet) submitRaw(i int, tx *ledger.Tx) (int, string) {
	pn.t.Helper()
	resp, err := http.Post(pn.tn.Nodes[i].HTTPURL()+"/v1/txs", "application/octet-stream", bytes.NewReader(tx.Encode()))
	if err != nil {
		pn.t.Fatal(err)
	}
	defer resp.Body.Close()
	var e api.Error
	_ = json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Code
}

// A network of four validator processes goes through an upgrade scheduled
// by governance, with two builds of qian: nodes 0 and 1 run the build that
// knows the upgrade demo-v2 (the build tag qian_upgrade_demo, version
// v-new), nodes 2 and 3 the build that does not (v-old). The method the
// upgrade brings (notary.ping) is refused before the upgrade height on
// every node, the new build included: the switch is the chain's protocol
// version, not the binary. The old build stops by itself right after
// committing the height, with exit code 3 and the upgrade's name, and
// refuses to start again; with only half the power left the chain waits;
// nodes 2 and 3 restarted on the new build carry it on from the height,
// where notary.ping now commits. No block is lost or forked and no block
// carries evidence of a double vote.
func TestUpgradeAtAgreedHeightProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds qian twice and runs four node processes")
	}
	// Built before isolate moves HOME, so go uses the machine's module
	// and build caches.
	oldBin := buildQian(t, "qian-old", "v-old")
	newBin := buildQian(t, "qian-new", "v-new", "qian_upgrade_demo")
	isolate(t)
	tn, err := localnet.CreateTestnet(localnet.TestnetOptions{Dir: filepath.Join(t.TempDir(), "net"), Validators: 4,
		BasePort: freeBase(t), Passphrase: []byte("test"), KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()}})
	if err != nil {
		t.Fatal(err)
	}
	pn := &procNet{t: t, bin: oldBin, tn: tn, procs: map[string]*exec.Cmd{}}
	t.Cleanup(func() {
		for name := range pn.procs {
			pn.signal(name, syscall.SIGKILL)
		}
	})
	bins := []string{newBin, newBin, oldBin, oldBin}
	for i, b := range bins {
		pn.startBin(i, b)
	}
	for i := range bins {
		pn.waitHeight(i, 2, 60*time.Second)
	}
	t.Setenv("QIAN_NODE", tn.Nodes[0].HTTPURL())
	t.Setenv("QIAN_KEYRING", tn.KeyringDir)
	t.Setenv("QIAN_PASSPHRASE", "test")
	kr, err := keyring.Open(tn.KeyringDir, keyring.InsecureTestKDF())
	if err != nil {
		t.Fatal(err)
	}
	farm, err := kr.Unlock("farm", []byte("test"))
	if err != nil {
		t.Fatal(err)
	}
	nonce := uint64(time.Now().UnixNano())
	ping := func() *ledger.Tx {
		nonce++
		tx := &ledger.Tx{ChainID: tn.ChainID, Sender: farm.PublicKey(), Nonce: nonce, Contract: "notary", Method: "ping"}
		if err := tx.Sign(farm); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	// Before the upgrade: refused by the build that has the method (the
	// chain's protocol version is 1) and by the one that has not.
	for _, i := range []int{0, 2} {
		if status, code := pn.submitRaw(i, ping()); code != "ERR_UNKNOWN_METHOD" {
			t.Fatalf("notary.ping before the upgrade on node%d (%s): %d %s", i, bins[i], status, code)
		}
	}

	// Governance: the farm proposes, five more founders approve (6 of 8).
	tx := func(argv ...string) txResult {
		t.Helper()
		r := runQian(t, "", nil, append(argv, "--json")...)
		var res txResult
		if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &res); err != nil || r.code != 0 || res.Code != "OK" {
			t.Fatalf("qian %s: exit %d %v\n%s\n%s", strings.Join(argv, " "), r.code, err, r.stdout, r.stderr)
		}
		return res
	}
	st, err := pn.status(0)
	if err != nil {
		t.Fatal(err)
	}
	at := st.Height + 25
	p := tx("upgrade", "propose", "demo-v2", "--height", fmt.Sprint(at), "--reason", "test", "--key", "farm")
	var passed uint64
	for _, org := range []string{"cooperative", "processor", "logistics", "retailer", "regulator"} {
		passed = tx("org", "approve", p.TxHash.String(), "--key", org).Height
	}
	if passed >= at {
		t.Fatalf("the upgrade passed at height %d, not before its height %d", passed, at)
	}
	t.Logf("upgrade demo-v2 scheduled at height %d by the block at height %d", at, passed)
	for i := range bins {
		pn.waitHeight(i, passed, 30*time.Second)
		st, err := pn.status(i)
		if err != nil {
			t.Fatal(err)
		}
		u := st.Protocol.Planned
		if u == nil || u.Name != "demo-v2" || u.Height != at || u.Known != (bins[i] == newBin) {
			t.Fatalf("node%d (%s) status shows the plan %+v", i, st.Protocol.Software, u)
		}
		if want := map[string]string{newBin: "v-new", oldBin: "v-old"}[bins[i]]; st.Protocol.Software != want || st.Protocol.Version != 1 {
			t.Fatalf("node%d: software %q protocol %d", i, st.Protocol.Software, st.Protocol.Version)
		}
	}
	r := runQian(t, "", nil, "status")
	if r.code != 0 || !strings.Contains(r.stdout, "upgrade:     demo-v2 at height "+fmt.Sprint(at)) || !strings.Contains(r.stdout, "software:    qian v-new") {
		t.Fatalf("qian status:\n%s\n%s", r.stdout, r.stderr)
	}
	resp, err := http.Get(tn.Nodes[2].HTTPURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var metrics bytes.Buffer
	metrics.ReadFrom(resp.Body)
	resp.Body.Close()
	for _, want := range []string{fmt.Sprintf("qian_upgrade_planned_height %d", at), "qian_upgrade_planned_known 0", "qian_protocol_version 1",
		`qian_build_info{planned_upgrade="demo-v2",version="v-old"} 1`} {
		if !strings.Contains(metrics.String(), want) {
			t.Fatalf("node2's metrics lack %q", want)
		}
	}

	// The old build stops by itself after committing the upgrade height.
	for _, i := range []int{2, 3} {
		if code := pn.waitExit(i, 120*time.Second); code != 3 {
			t.Fatalf("node%d (old build) exited with %d, want 3; log:\n%s", i, code, tail([]byte(pn.log(i)), 3000))
		}
		log := pn.log(i)
		if !strings.Contains(log, "upgrade_needed") || !strings.Contains(log, `upgrade "demo-v2" was scheduled at height `+fmt.Sprint(at)) ||
			!strings.Contains(log, fmt.Sprintf("(height %d)", at)) {
			t.Fatalf("node%d's last words do not name the upgrade and the height:\n%s", i, tail([]byte(log), 2000))
		}
	}
	// The new build waits at the height: half the power cannot commit.
	pn.waitHeight(0, at, 30*time.Second)
	time.Sleep(3 * time.Second)
	for _, i := range []int{0, 1} {
		st, err := pn.status(i)
		if err != nil || st.Height != at {
			t.Fatalf("node%d (new build) at height %d (%v), want %d: waiting for the others", i, st.Height, err, at)
		}
	}
	// Admission now asks for the next height, which runs protocol 2.
	early := ping()
	if status, code := pn.submitRaw(0, early); status != http.StatusAccepted {
		t.Fatalf("notary.ping at the upgrade height on node0: %d %s", status, code)
	}
	// The old build refuses to start again.
	pn.startBin(2, oldBin)
	if code := pn.waitExit(2, 60*time.Second); code != 3 || !strings.Contains(pn.log(2)[strings.LastIndex(pn.log(2), "=== qian-old start"):], "upgrade_needed") {
		t.Fatalf("the old build started again on node2: exit %d\n%s", code, tail([]byte(pn.log(2)), 2000))
	}
	// The new build carries the chain on from the height.
	pn.startBin(2, newBin)
	pn.startBin(3, newBin)
	for i := range bins {
		pn.waitHeight(i, at+3, 90*time.Second)
	}
	pn.waitCommitted(0, early.Hash(), 30*time.Second)
	var tr api.TxResponse
	if _, err := getJSON(tn.Nodes[3].HTTPURL()+"/v1/txs/"+early.Hash().String(), &tr); err != nil || tr.Height <= at || tr.Code != "OK" {
		t.Fatalf("notary.ping after the upgrade: height %d code %s (%v)", tr.Height, tr.Code, err)
	}
	late := ping()
	pn.waitCommitted(2, pn.submit(2, late), 30*time.Second)
	for i := range bins {
		st, err := pn.status(i)
		if err != nil {
			t.Fatal(err)
		}
		p := st.Protocol
		if p.Version != 2 || p.Planned != nil || len(p.Applied) != 1 || p.Applied[0].Name != "demo-v2" || p.Applied[0].Height != at+1 || p.Software != "v-new" {
			t.Fatalf("node%d after the upgrade: %+v", i, p)
		}
	}
	top := pn.checkSameChain([]int{0, 1, 2, 3})
	t.Logf("the old build stopped at %d and refused to start again; the new build went on; notary.ping committed at height %d (upgrade applied at %d); all four agree up to height %d with no double-vote evidence",
		at, tr.Height, at+1, top)
	for i := range bins {
		if code := pn.signal(tn.Nodes[i].Name, syscall.SIGTERM); code != 0 {
			t.Fatalf("node%d exited with %d after SIGTERM", i, code)
		}
	}
}
