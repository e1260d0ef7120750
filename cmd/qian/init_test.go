package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/localnet"
	"github.com/qianchain/qianchain/node/nodekey"
)

func TestInitCommand(t *testing.T) {
	isolate(t)
	home := filepath.Join(t.TempDir(), "home")
	// The organisation's admin account needs a passphrase; without one,
	// nothing is written.
	runQian(t, "", nil, "init", "--home", home).wantErr(t, 1, "no_passphrase")
	if _, err := os.Stat(home); !os.IsNotExist(err) {
		t.Fatal("init without a passphrase wrote the home")
	}
	t.Setenv(keyring.EnvPassphrase, "tea")
	r := runQian(t, "", nil, "init", "--home", home, "--chain-id", "qian-solo", "--moniker", "tea",
		"--org", "meitan-farm", "--name", "湄潭云雾茶园", "--role", "farm,processor", "--prefix", "6901230", "--gln", "6901230000010")
	r.want(t, 0, "initialised node tea in "+home, "chain id:      qian-solo", "http://127.0.0.1:26657", "organisation:  meitan-farm (湄潭云雾茶园)",
		"admin account: meitan-farm ", "start it with: qian start --home "+home)
	doc, err := genesis.Load(filepath.Join(home, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.stdout, doc.Hash().String()) {
		t.Error("init does not print the genesis hash")
	}
	o := doc.Organisations[0]
	if len(doc.Organisations) != 1 || o.ID != "meitan-farm" || len(o.Roles) != 2 || o.GLNs[0] != "6901230000010" || doc.Validators[0].Org != o.ID {
		t.Fatalf("organisations %+v", doc.Organisations)
	}
	if _, err := nodekey.LoadValidatorKey(filepath.Join(home, "keys", "validator.key")); err != nil {
		t.Fatal(err)
	}
	runQian(t, "", nil, "init", "--home", home).wantErr(t, 1, "failed", "already exists")
	runQian(t, "", nil, "init", "--home", t.TempDir(), "--chain-id", "Bad").wantErr(t, 1, "failed", "chain-id")
	runQian(t, "", nil, "init", "--home", t.TempDir(), "--role", "miner").wantErr(t, 2, "usage", "unknown role")
	runQian(t, "", nil, "init", "--home", t.TempDir(), "--gln", "6901230000010").wantErr(t, 1, "invalid_request", "organisation.glns[0]", "not under")

	// QIAN_HOME stands in for --home.
	envHome := filepath.Join(t.TempDir(), "envhome")
	t.Setenv(config.EnvHome, envHome)
	runQian(t, "", nil, "init").want(t, 0, envHome, "organisation:  local (Local organisation)")
}

func TestConfigCommandPrecedence(t *testing.T) {
	isolate(t)
	home := filepath.Join(t.TempDir(), "home")
	t.Setenv(keyring.EnvPassphrase, "x")
	runQian(t, "", nil, "init", "--home", home).want(t, 0)
	runQian(t, "", nil, "config", "--home", home).want(t, 0, `listen = "127.0.0.1:26657"`, `level = "info"`)
	t.Setenv("QIAN_HTTP_LISTEN", "127.0.0.1:7000")
	t.Setenv("QIAN_LOG_LEVEL", "warn")
	runQian(t, "", nil, "config", "--home", home, "--log.level", "debug").want(t, 0, `listen = "127.0.0.1:7000"`, `level = "debug"`)
	t.Setenv("QIAN_MEMPOOL_MAX_TXS", "lots")
	runQian(t, "", nil, "config", "--home", home).wantErr(t, 1, "invalid_config", "mempool.max_txs", "QIAN_MEMPOOL_MAX_TXS")
}

func TestTestnetCommand(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "net")
	// Refuses to run without a passphrase source, writing nothing.
	runQian(t, "", nil, "testnet", "--out", dir, "--validators", "2").wantErr(t, 1, "no_passphrase", "QIAN_PASSPHRASE")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("a refused testnet wrote its directory")
	}
	// Bad flags are refused before the passphrase is asked for.
	term := &fakeTerminal{}
	runQian(t, "", term, "testnet", "--out", dir, "--validators", "0").wantErr(t, 1, "failed", "--validators")
	if len(term.prompts) != 0 {
		t.Fatal("asked for a passphrase before checking flags")
	}

	t.Setenv(keyring.EnvPassphrase, "demo")
	r := runQian(t, "", nil, "testnet", "--out", dir, "--validators", "3", "--chain-id", "qian-cli", "--base-port", "31000")
	r.want(t, 0, "testnet qian-cli written to "+dir, "genesis hash: ")
	doc, err := genesis.Load(filepath.Join(dir, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.stdout, doc.Hash().String()) {
		t.Error("testnet does not print the genesis hash")
	}
	// Each node's home, p2p address and HTTP URL are printed.
	for i, name := range []string{"node0", "node1", "node2", "observer"} {
		home := filepath.Join(dir, name)
		_, id, err := nodekey.LoadNodeKey(filepath.Join(home, "keys", "node.key"))
		if err != nil {
			t.Fatal(err)
		}
		p2p := config.TCPAddr("127.0.0.1", 31000+10*i) + "/p2p/" + id.String()
		url := "http://127.0.0.1:" + strconv.Itoa(31000+10*i+1)
		line := lineWith(r.stdout, name+" ")
		for _, s := range []string{home, p2p, url} {
			if !strings.Contains(line, s) {
				t.Errorf("line for %s lacks %s: %q", name, s, line)
			}
		}
	}
	for _, role := range localnet.DemoRoles() {
		if !strings.Contains(r.stdout, "  "+string(role)+" ") {
			t.Errorf("account %s not printed", role)
		}
	}
	// The accounts unlock with the passphrase, through the CLI too.
	t.Setenv(envExportPassphrase, "x")
	runQian(t, "", nil, "--home", filepath.Join(dir, "node1"), "keys", "export", "farm").want(t, 0, "BEGIN QIAN")

	// A second run into the same directory is refused.
	runQian(t, "", nil, "testnet", "--out", dir).wantErr(t, 1, "failed", "not empty")
}

func lineWith(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// `qian init` then `qian start`: a single-organisation chain, with nothing
// else done, commits blocks and a transaction signed by the organisation's
// admin account. (init once wrote a genesis with no organisation, which the
// contracts refuse: "genesis needs at least one founding organisation".)
func TestInitThenStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node process")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "QIAN_PASSPHRASE=solo secret"}
	qian := func(argv ...string) string {
		t.Helper()
		cmd := exec.Command(bin, argv...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("qian %s: %v\n%s", strings.Join(argv, " "), err, out)
		}
		return string(out)
	}
	qian("init", "--home", home)
	// The home's ports are the defaults; run on free ones so that other
	// tests on the machine do not collide with it.
	base := freeBase(t)
	url := fmt.Sprintf("http://127.0.0.1:%d", base+1)
	logf, _ := os.Create(filepath.Join(dir, "node.log"))
	node := exec.Command(bin, "start", "--home", home, "--p2p.listen", config.TCPAddr("127.0.0.1", base), "--http.listen", fmt.Sprintf("127.0.0.1:%d", base+1))
	node.Dir, node.Env, node.Stdout, node.Stderr = dir, env, logf, logf
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- node.Wait() }()
	t.Cleanup(func() { node.Process.Kill(); <-exited })
	deadline := time.Now().Add(60 * time.Second) // a guard against a node that never commits, not a timing check
	for {
		var st api.StatusResponse
		if _, err := getJSON(url+"/v1/status", &st); err == nil && st.Height >= 2 {
			break
		}
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(filepath.Join(dir, "node.log"))
			t.Fatalf("the node of the init home stopped (%v); log:\n%s", err, tail(log, 3000))
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "node.log"))
			t.Fatalf("the init home did not commit two blocks; log:\n%s", tail(log, 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	os.WriteFile(filepath.Join(dir, "report.pdf"), []byte("a report"), 0o644)
	out := qian("--home", home, "--node", url, "notary", "anchor", "report.pdf", "--json")
	var res txResult
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &res); err != nil || res.Code != "OK" || res.Height == 0 {
		t.Fatalf("anchor on the init chain: %q: %v", out, err)
	}
	node.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		t.Fatalf("after SIGTERM: %v", err)
	}
	exited <- nil
}
