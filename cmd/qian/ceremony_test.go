package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/config"
)

// transcript records the commands a process test runs and what they print,
// with temporary paths shortened to names, for docs/operations.md and the
// closing note. QIAN_CEREMONY_TRANSCRIPT=FILE writes it to FILE.
type transcript struct {
	b     strings.Builder
	names [][2]string // temporary path -> short name, longest first
}

func (tr *transcript) alias(path, name string) {
	tr.names = append(tr.names, [2]string{path, name})
	sort.Slice(tr.names, func(i, j int) bool { return len(tr.names[i][0]) > len(tr.names[j][0]) })
}

func (tr *transcript) short(s string) string {
	for _, n := range tr.names {
		s = strings.ReplaceAll(s, n[0], n[1])
	}
	return s
}

func (tr *transcript) add(who string, argv []string, out string) {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = a
		if strings.ContainsAny(a, " '") {
			quoted[i] = "'" + a + "'"
		}
	}
	fmt.Fprintf(&tr.b, "[%s]$ qian %s\n%s\n", who, tr.short(strings.Join(quoted, " ")), tr.short(strings.TrimRight(out, "\n")))
}

func (tr *transcript) note(format string, args ...any) {
	fmt.Fprintf(&tr.b, "# %s\n", tr.short(fmt.Sprintf(format, args...)))
}

// party is one organisation (or the coordinator) on its own machine: its
// own directory, HOME and keyring passphrase. Nothing is shared between
// parties but the files copied to and from the shared directory.
type party struct {
	name string
	dir  string // the machine's working directory
	home string // the node home, DIR/home
	pass string
}

// run runs the qian binary as this party and fails the test unless it
// exits with 0.
func (p *party) run(t *testing.T, bin string, tr *transcript, argv ...string) string {
	t.Helper()
	cmd := exec.Command(bin, argv...)
	cmd.Dir = p.dir
	cmd.Env = []string{"HOME=" + p.dir, "PATH=" + os.Getenv("PATH"), "QIAN_PASSPHRASE=" + p.pass}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	tr.add(p.name, argv, out.String()+errb.String())
	if err != nil {
		t.Fatalf("[%s] qian %s: %v\n%s%s", p.name, strings.Join(argv, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// TestConsortiumCeremonyProcesses founds a four-organisation network the way
// docs/operations.md says, with real qian processes: each organisation
// makes its home and join request in its own directory, a coordinator
// assembles the requests, each organisation checks the genesis and starts
// its node, which finds the others from genesis alone. Blocks commit, a
// transaction lands, every node holds the same chain, and no private key
// (node key, validator key, admin account) is found outside its own home,
// by content, in any of the directories.
func TestConsortiumCeremonyProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes")
	}
	bin := buildBinary(t)
	base := freeBase(t)
	tr := &transcript{}
	shared := t.TempDir()
	tr.alias(shared, "shared")
	coordinator := &party{name: "coordinator", dir: t.TempDir(), pass: "-"}
	tr.alias(coordinator.dir, "coordinator")
	orgs := []struct {
		id, name, nameEN, role, prefix string
	}{
		{"meitan-farm", "湄潭云雾茶园", "Meitan Cloud-Mist Tea Garden", "farm", "6901230"},
		{"fenggang-coop", "凤冈县茶叶专业合作社", "Fenggang Tea Cooperative", "cooperative", "6901231"},
		{"zunyi-factory", "遵义黔香茶叶加工厂", "Zunyi Qianxiang Tea Factory", "processor", "6901234"},
		{"guiyang-market", "筑城生鲜超市", "Zhucheng Fresh Market", "retailer", "6901237"},
	}
	var parties []*party
	for i, o := range orgs {
		p := &party{name: o.id, dir: t.TempDir(), pass: "secret of " + o.id}
		p.home = filepath.Join(p.dir, "home")
		tr.alias(p.dir, o.id)
		parties = append(parties, p)
		gln := o.prefix + "00001"
		gln += string(genesis.CheckDigit(gln))
		tr.note("%s, on its own machine (QIAN_PASSPHRASE set to its own passphrase)", o.id)
		p.run(t, bin, tr, "consortium", "request", "--home", p.home, "--chain-id", "qian-guizhou-tea",
			"--org", o.id, "--name", o.name, "--name-en", o.nameEN, "--role", o.role, "--prefix", o.prefix, "--gln", gln,
			"--power", "10", "--address", config.TCPAddr("127.0.0.1", base+10*i), "--http", fmt.Sprintf("127.0.0.1:%d", base+10*i+1),
			"-o", o.id+".request.json")
		copyFile(t, filepath.Join(p.dir, o.id+".request.json"), filepath.Join(shared, o.id+".request.json"))
	}

	tr.note("the coordinator, with the four request files")
	argv := []string{"consortium", "assemble"}
	for _, o := range orgs {
		argv = append(argv, filepath.Join(shared, o.id+".request.json"))
	}
	out := coordinator.run(t, bin, tr, append(argv, "--chain-id", "qian-guizhou-tea", "-o", filepath.Join(shared, "genesis.json"))...)
	hash := lineValue(out, "genesis hash: ")
	if len(hash) != 64 {
		t.Fatalf("assemble printed no genesis hash:\n%s", out)
	}

	for i, p := range parties {
		copyFile(t, filepath.Join(shared, "genesis.json"), filepath.Join(p.dir, "genesis.json"))
		tr.note("%s checks the genesis it received against its own request, and installs it", p.name)
		out := p.run(t, bin, tr, "consortium", "check", "genesis.json", "--request", orgs[i].id+".request.json", "--home", p.home)
		if got := lineValue(out, "genesis hash: "); got != hash {
			t.Fatalf("%s computes genesis hash %s, the coordinator %s", p.name, got, hash)
		}
	}
	tr.note("every organisation read the same genesis hash %s to the others by phone", hash)

	// Start the four nodes; no config was edited by hand.
	procs := map[string]*exec.Cmd{}
	t.Cleanup(func() {
		for _, c := range procs {
			c.Process.Kill()
			c.Wait()
		}
	})
	for _, p := range parties {
		logf, err := os.Create(filepath.Join(p.dir, "node.log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "start", "--home", p.home)
		cmd.Dir, cmd.Env = p.dir, []string{"HOME=" + p.dir, "PATH=" + os.Getenv("PATH")}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[p.name] = cmd
		tr.note("%s: qian start --home %s  (running)", p.name, p.home)
	}
	url := func(i int) string { return fmt.Sprintf("http://127.0.0.1:%d", base+10*i+1) }
	waitHeight := func(i int, h uint64) uint64 {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second) // a guard against a stuck network, not a timing check
		for {
			var st api.StatusResponse
			if _, err := getJSON(url(i)+"/v1/status", &st); err == nil && st.Height >= h {
				return st.Height
			}
			if time.Now().After(deadline) {
				log, _ := os.ReadFile(filepath.Join(parties[i].dir, "node.log"))
				t.Fatalf("%s did not reach height %d; log:\n%s", parties[i].name, h, tail(log, 3000))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for i := range parties {
		waitHeight(i, 3)
	}

	// The farm notarises a file through its own node, signed by its admin
	// account; every node holds the transaction.
	farm := parties[0]
	os.WriteFile(filepath.Join(farm.dir, "harvest-2026-04.csv"), []byte("lot,kg\nMT-2026-04-01,120\n"), 0o644)
	tr.note("the farm notarises a file through its own node, signed with its admin account")
	out = farm.run(t, bin, tr, "--home", farm.home, "notary", "anchor", "harvest-2026-04.csv", "--json")
	var res txResult
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &res); err != nil || res.Code != "OK" || res.Height == 0 {
		t.Fatalf("anchor: %q: %v", out, err)
	}
	for i, p := range parties {
		waitHeight(i, res.Height)
		var tx api.TxResponse
		if _, err := getJSON(url(i)+"/v1/txs/"+res.TxHash.String(), &tx); err != nil || tx.Status != "committed" || tx.Height != res.Height {
			t.Fatalf("%s does not hold the transaction at height %d: %+v %v", p.name, res.Height, tx, err)
		}
	}
	low := uint64(1 << 62)
	for i := range parties {
		var st api.StatusResponse
		if _, err := getJSON(url(i)+"/v1/status", &st); err != nil {
			t.Fatal(err)
		}
		low = min(low, st.Height)
	}
	for h := uint64(1); h <= low; h++ {
		var want ledger.Hash
		for i, p := range parties {
			var b api.BlockResponse
			if _, err := getJSON(fmt.Sprintf("%s/v1/blocks/%d", url(i), h), &b); err != nil {
				t.Fatalf("%s block %d: %v", p.name, h, err)
			}
			if i == 0 {
				want = b.Hash
			} else if b.Hash != want {
				t.Fatalf("fork at height %d: %s has %s", h, p.name, b.Hash.Short())
			}
		}
	}
	tr.note("transaction %s committed at height %d on all four nodes; all four agree on blocks 1 to %d", res.TxHash.Short(), res.Height, low)

	for _, p := range parties {
		c := procs[p.name]
		c.Process.Signal(syscall.SIGTERM)
		if err := c.Wait(); err != nil {
			t.Fatalf("%s after SIGTERM: %v", p.name, err)
		}
		delete(procs, p.name)
	}

	// No private key outside its own home.
	secrets := map[string][]secret{}
	for _, p := range parties {
		secrets[p.home] = homeSecrets(t, p)
	}
	dirs := []string{shared, coordinator.dir}
	for _, p := range parties {
		dirs = append(dirs, p.dir)
	}
	files, leaks := scanForSecrets(t, dirs, secrets)
	for _, l := range leaks {
		t.Error(l)
	}
	tr.note("scanned %d files in the 4 organisations' directories, the shared directory and the coordinator's: no private key outside its own home", files)
	sharedFiles, _ := os.ReadDir(shared)
	var names []string
	for _, e := range sharedFiles {
		names = append(names, e.Name())
	}
	tr.note("the shared directory holds only: %s", strings.Join(names, " "))
	if len(names) != 5 {
		t.Fatalf("shared directory holds %v", names)
	}

	t.Logf("transcript:\n%s", tr.b.String())
	if p := os.Getenv("QIAN_CEREMONY_TRANSCRIPT"); p != "" {
		if err := os.WriteFile(p, []byte(tr.b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func lineValue(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
