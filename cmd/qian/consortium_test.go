package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger/keyring"
)

// ceremony is a founding ceremony run in-process: each organisation's home
// in its own directory, the request files and genesis in a shared one.
type ceremony struct {
	t      *testing.T
	shared string
}

func newCeremony(t *testing.T) *ceremony {
	isolate(t)
	t.Setenv(keyring.EnvPassphrase, "org secret")
	return &ceremony{t: t, shared: t.TempDir()}
}

func (c *ceremony) path(name string) string { return filepath.Join(c.shared, name) }

// request makes organisation org's home (in a new directory, or home when
// given) and its request file org.request.json, with GS1 prefix 69012NN
// and a GLN under it unless extra flags say otherwise, and returns the
// home.
func (c *ceremony) request(org string, n int, home string, extra ...string) string {
	c.t.Helper()
	if home == "" {
		home = filepath.Join(c.t.TempDir(), org)
	}
	prefix := fmt.Sprintf("69012%02d", n)
	argv := []string{"consortium", "request", "--home", home, "--chain-id", "qian-tea", "--org", org, "--name", "茶园 " + org,
		"--role", "farm", "--address", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 27000+10*n), "-o", c.path(org + ".request.json")}
	if !hasFlag(extra, "--prefix") {
		argv = append(argv, "--prefix", prefix, "--gln", prefix+glnTail(prefix))
	}
	runQian(c.t, "", nil, append(argv, extra...)...).want(c.t, 0, "request digest: ")
	return home
}

func hasFlag(argv []string, flag string) bool {
	for _, a := range argv {
		if a == flag {
			return true
		}
	}
	return false
}

// glnTail completes a 7-digit prefix into a GLN: 00001 and the check digit.
func glnTail(prefix string) string {
	body := prefix + "00001"
	return "00001" + string(genesis.CheckDigit(body))
}

func (c *ceremony) assemble(files ...string) result {
	c.t.Helper()
	argv := []string{"consortium", "assemble"}
	for _, f := range files {
		argv = append(argv, c.path(f))
	}
	return runQian(c.t, "", nil, append(argv, "--chain-id", "qian-tea", "--genesis-time", "2026-12-01T00:00:00Z", "-o", c.path("genesis.json"))...)
}

// editJSON rewrites a JSON file through f.
func editJSON(t *testing.T, path string, f func(m map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(to), 0o700)
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Each refusal of `qian consortium assemble`, through the command line:
// exit 1, the stable code, the files named, and no genesis written.
func TestConsortiumAssembleRefusals(t *testing.T) {
	c := newCeremony(t)
	farm := c.request("farm", 1, "")
	c.request("coop", 2, "")
	c.request("factory", 3, "")
	c.assemble("farm.request.json", "coop.request.json", "factory.request.json").want(t, 0, "genesis hash: ", "factory", "coop")
	os.Remove(c.path("genesis.json"))

	// Requests that conflict with farm's.
	c.request("other-chain", 4, "", "--chain-id", "qian-elsewhere")
	os.Rename(c.path("other-chain.request.json"), c.path("elsewhere.request.json"))
	sharedVal := filepath.Join(t.TempDir(), "copied-keys")
	copyFile(t, filepath.Join(farm, "keys", "node.key"), filepath.Join(sharedVal, "keys", "node.key"))
	copyFile(t, filepath.Join(farm, "keys", "validator.key"), filepath.Join(sharedVal, "keys", "validator.key"))
	c.request("copycat", 5, sharedVal)
	sharedNode := filepath.Join(t.TempDir(), "copied-node")
	copyFile(t, filepath.Join(farm, "keys", "node.key"), filepath.Join(sharedNode, "keys", "node.key"))
	c.request("same-node", 6, sharedNode, "--observer")
	c.request("same-name", 7, "", "--moniker", "farm")
	c.request("same-prefix", 8, "", "--prefix", "6901201")
	c.request("same-gln", 9, "", "--prefix", "6901201", "--gln", "6901201"+glnTail("6901201"))
	c.request("lab", 10, "", "--observer")
	copyFile(t, c.path("coop.request.json"), c.path("tampered.request.json"))
	editJSON(t, c.path("tampered.request.json"), func(m map[string]any) {
		m["validator"].(map[string]any)["power"] = 1000
	})
	copyFile(t, filepath.Join(farm, "config.toml"), c.path("config.request.json"))

	cases := []struct {
		name  string
		files []string
		code  string
		says  []string
	}{
		{"a signature fails", []string{"farm.request.json", "tampered.request.json"}, "bad_signature", []string{"tampered.request.json", "join_signatures.admin"}},
		{"not a request", []string{"farm.request.json", "config.request.json"}, "invalid_request", []string{"config.request.json"}},
		{"another chain", []string{"farm.request.json", "elsewhere.request.json"}, "wrong_chain", []string{"elsewhere.request.json", "qian-elsewhere"}},
		{"one file twice", []string{"farm.request.json", "coop.request.json", "farm.request.json"}, "duplicate_organisation", []string{"farm.request.json is given twice"}},
		{"keys copied from another home", []string{"farm.request.json", "copycat.request.json"}, "duplicate_key", []string{"validator key of one is the validator key of the other"}},
		{"a node key copied from another home", []string{"farm.request.json", "same-node.request.json"}, "duplicate_peer", []string{"same-node.request.json"}},
		{"one node name twice", []string{"farm.request.json", "same-name.request.json"}, "duplicate_node_name", []string{`"farm"`}},
		{"one GS1 prefix twice", []string{"farm.request.json", "same-prefix.request.json"}, "prefix_conflict", []string{"6901201"}},
		{"one GLN twice", []string{"farm.request.json", "same-gln.request.json"}, "gln_conflict", []string{"6901201" + glnTail("6901201")}},
		{"no validator", []string{"lab.request.json"}, "no_validators", []string{"needs at least one"}},
	}
	for _, tc := range cases {
		r := c.assemble(tc.files...)
		r.wantErr(t, 1, tc.code, tc.says...)
		if _, err := os.Stat(c.path("genesis.json")); !os.IsNotExist(err) {
			t.Fatalf("%s: a refused assemble wrote genesis.json", tc.name)
		}
	}
	runQian(t, "", nil, "consortium", "assemble", c.path("farm.request.json"), "--chain-id", "qian-tea", "-o", c.path("genesis.json"),
		"--timeout-propose", "0s").wantErr(t, 1, "invalid_genesis", "consensus.timeout_propose")
	runQian(t, "", nil, "consortium", "assemble", c.path("farm.request.json"), "-o", c.path("genesis.json")).wantErr(t, 2, "usage", "--chain-id")
}

// Each refusal of `qian consortium check`, and the check that passes and
// installs the genesis in the home.
func TestConsortiumCheck(t *testing.T) {
	c := newCeremony(t)
	farm := c.request("farm", 1, "")
	coop := c.request("coop", 2, "")
	c.request("lab", 3, "", "--observer")
	c.assemble("farm.request.json", "coop.request.json", "lab.request.json").want(t, 0)
	g, err := genesis.Load(c.path("genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(home, genesisFile string, requests ...string) result {
		argv := []string{"consortium", "check", c.path(genesisFile)}
		for _, r := range requests {
			argv = append(argv, "--request", c.path(r))
		}
		if home != "" {
			argv = append(argv, "--home", home)
		}
		return runQian(t, "", nil, argv...)
	}

	r := check(farm, "genesis.json", "farm.request.json")
	r.want(t, 0, "every entry comes from a join request whose signatures hold (3 requests)", "farm.request.json: in the genesis, unchanged",
		"installed the genesis in "+filepath.Join(farm, "genesis.json"), "genesis hash: "+g.Hash().String())
	check(farm, "genesis.json", "farm.request.json").want(t, 0, "already holds this genesis")
	check("", "genesis.json", "coop.request.json", "lab.request.json").want(t, 0, "lab.request.json: in the genesis, unchanged")
	if _, err := os.Stat(filepath.Join(coop, "genesis.json")); !os.IsNotExist(err) {
		t.Fatal("check without --home installed the genesis")
	}

	// Forged or mistaken genesis files.
	copyFile(t, c.path("genesis.json"), c.path("genesis-ok.json"))
	forge := func(name string, f func(m map[string]any)) {
		copyFile(t, c.path("genesis-ok.json"), c.path(name))
		editJSON(t, c.path(name), f)
	}
	forge("altered.json", func(m map[string]any) { m["validators"].([]any)[1].(map[string]any)["power"] = 1000 })
	forge("added-org.json", func(m map[string]any) {
		extra := map[string]any{"id": "ghost", "name": "幽灵", "roles": []any{"regulator"}, "admins": []any{"79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"}}
		m["organisations"] = append(m["organisations"].([]any), extra)
	})
	c.assemble("coop.request.json", "lab.request.json")
	os.Rename(c.path("genesis.json"), c.path("without-farm.json"))
	c.assemble("farm.request.json", "coop.request.json")
	os.Rename(c.path("genesis.json"), c.path("farm-coop.json"))
	// coop corrects its request (same home, same keys) after the
	// coordinator assembled the first one.
	c.request("coop", 2, coop, "--power", "20")
	c.request("farm-elsewhere", 4, "", "--chain-id", "qian-elsewhere")

	cases := []struct {
		name     string
		home     string
		genesis  string
		requests []string
		code     string
		says     []string
	}{
		{"an entry altered after signing", "", "altered.json", []string{"farm.request.json"}, "bad_signature", []string{`organisation "farm"`, "join_signatures"}},
		{"an organisation no request founded", "", "added-org.json", []string{"lab.request.json"}, "unsigned_entry", []string{`"ghost"`}},
		{"my request left out", "", "without-farm.json", []string{"farm.request.json"}, "request_missing", []string{`"farm"`}},
		{"an older request of mine used", "", "genesis-ok.json", []string{"coop.request.json"}, "request_altered", []string{"validator.power"}},
		{"my request is for another chain", "", "genesis-ok.json", []string{"farm-elsewhere.request.json"}, "wrong_chain", []string{"qian-elsewhere"}},
		{"a home that is not my request's", farm, "genesis-ok.json", []string{"lab.request.json"}, "home_mismatch", []string{"not the node of any --request"}},
		{"a home of another genesis", farm, "farm-coop.json", []string{"farm.request.json"}, "home_mismatch", []string{"holds another genesis"}},
		{"a genesis that is not one", "", "farm.request.json", []string{"farm.request.json"}, "invalid_genesis", nil},
	}
	for _, tc := range cases {
		r := check(tc.home, tc.genesis, tc.requests...)
		if r.code != 1 {
			t.Fatalf("%s: exit %d\n%s%s", tc.name, r.code, r.stdout, r.stderr)
		}
		r.wantErr(t, 1, tc.code, tc.says...)
		if strings.Contains(r.stdout, "genesis hash") {
			t.Errorf("%s: a refused check printed a genesis hash to compare", tc.name)
		}
	}
	runQian(t, "", nil, "consortium", "check", c.path("genesis.json")).wantErr(t, 2, "usage", "--request")
}
