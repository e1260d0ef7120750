package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/node/devnet"
	"github.com/qianchain/qianchain/node/localnet"
)

// runningDevnet starts the devnet in-process with the demo story loaded and
// returns node0's URL and the demo keyring directory.
func runningDevnet(t *testing.T) (url, keys string) {
	t.Helper()
	dir := t.TempDir()
	ready := make(chan *devnet.Network, 1)
	errc := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	// freeBase may t.Fatal: call it here, not on the devnet's goroutine,
	// where a Fatal would leave this function waiting for ever.
	base := freeBase(t)
	go func() {
		errc <- devnet.Run(ctx, devnet.Options{Dir: dir, HTTP: "127.0.0.1:0", BasePort: base, Handler: webHandler,
			KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()},
			Ready:          func(nw *devnet.Network) { ready <- nw }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("devnet: %v", err)
		}
	})
	select {
	case nw := <-ready:
		return nw.URLs[0], filepath.Join(dir, localnet.KeyringDirName)
	case err := <-errc:
		t.Fatalf("devnet: %v", err)
	}
	return "", ""
}

// devnetClient runs a devnet (runningDevnet) for a test of the client
// commands, in an environment of its own (isolate) that points them at
// the devnet's keyring and passphrase, and returns node0's URL and the
// genesis file's path. It skips the test with -short.
func devnetClient(t *testing.T) (url, gen string) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a devnet")
	}
	isolate(t)
	url, keys := runningDevnet(t)
	t.Setenv("QIAN_PASSPHRASE", devnet.DefaultPassphrase)
	t.Setenv("QIAN_KEYRING", keys)
	return url, filepath.Join(filepath.Dir(keys), "genesis.json")
}

// The client commands against a running network: anchoring a file twice,
// a batch with certificates that verify offline, registering an operator
// key, and capturing an EPCIS document.
func TestClientCommands(t *testing.T) {
	url, _ := devnetClient(t)
	t.Setenv("QIAN_NODE", url)
	work := t.TempDir()

	data := filepath.Join(work, "sales.csv")
	os.WriteFile(data, []byte("month,kg\n2025-04,1200\n"), 0o644)
	r := runQian(t, "", nil, "notary", "anchor", data, "--key", "data_exchange", "--kind", "data_product", "--attr", "listing=GBDEX-DP-TEST")
	if r.code != 0 || !strings.Contains(r.stdout, "OK (block") {
		t.Fatalf("anchor: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runQian(t, "", nil, "notary", "anchor", data, "--key", "farm", "--json")
	if r.code != 1 || !strings.Contains(r.stdout, "ERR_ALREADY_ANCHORED") || !strings.Contains(r.stderr, "ERR_ALREADY_ANCHORED") {
		t.Fatalf("second anchor: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var res txResult
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &res); err != nil || res.Height == 0 {
		t.Fatalf("--json output %q: %v", r.stdout, err)
	}

	photos := filepath.Join(work, "photos")
	os.MkdirAll(filepath.Join(photos, "sub"), 0o755)
	for i := 0; i < 5; i++ {
		os.WriteFile(filepath.Join(photos, fmt.Sprintf("img%d.jpg", i)), []byte(fmt.Sprint("photo ", i)), 0o644)
	}
	os.WriteFile(filepath.Join(photos, "sub", "note.txt"), []byte("a note"), 0o644)
	certs := filepath.Join(work, "certs")
	r = runQian(t, "", nil, "notary", "batch", photos, "--out", certs, "--key", "farm")
	if r.code != 0 || !strings.Contains(r.stdout, "6 certificates") {
		t.Fatalf("batch: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(certs, "*.cert.json"))
	if len(files) != 6 {
		t.Fatalf("%d certificates", len(files))
	}
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		c, err := proof.ParseCertificate(raw)
		if err != nil {
			t.Fatal(err)
		}
		if c.Height == 0 || c.Name == "" || c.Bundle.Outcome == nil {
			t.Fatalf("%s: height %d, name %q, outcome %v", f, c.Height, c.Name, c.Bundle.Outcome)
		}
	}

	r = runQian(t, "", nil, "account", "add", "--new", "clerk2", "--key", "farm")
	if r.code != 0 || !strings.Contains(r.stdout, "OK (block") {
		t.Fatalf("account add: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	other := filepath.Join(work, "clerk-note.txt")
	os.WriteFile(other, []byte("anchored by the new clerk"), 0o644)
	if r = runQian(t, "", nil, "notary", "anchor", other, "--key", "clerk2"); r.code != 0 {
		t.Fatalf("anchor by the new operator: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	doc := filepath.Join(work, "harvest.jsonld")
	raw, _ := os.ReadFile("testdata/harvest-new-lot.jsonld")
	os.WriteFile(doc, raw, 0o644)
	r = runQian(t, "", nil, "trace", "capture", doc, "--key", "farm")
	if r.code != 0 || !strings.Contains(r.stdout, "OK (block") {
		t.Fatalf("capture: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	disc := filepath.Join(work, "harvest.disclosures.json")
	if st, err := os.Stat(disc); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("disclosures file: %v", err)
	}
	// It names the event that recorded each commitment, and is never
	// overwritten: a second capture of the document stops before sending.
	first, _ := os.ReadFile(disc)
	if ds, err := disclosure.ParseFile(first); err != nil || len(ds) != 1 || ds[0].Event == "" || !strings.Contains(r.stdout, "trace event 0: "+ds[0].Event) {
		t.Fatalf("disclosures file %s: %v\n%s", first, err, r.stdout)
	}
	runQian(t, "", nil, "trace", "capture", doc, "--key", "farm").wantErr(t, 1, "failed", "already exists")
	if again, _ := os.ReadFile(disc); string(again) != string(first) {
		t.Fatal("the disclosures file was changed")
	}
	os.Rename(disc, disc+".kept")
	// Its history comes back as an EPCIS query document.
	r = runQian(t, "", nil, "trace", "history", "urn:epc:class:lgtin:6923101.000010.LSK20250415-02")
	if r.code != 0 || !strings.Contains(r.stdout, `"EPCISQueryDocument"`) || !strings.Contains(r.stdout, "LSK20250415-02") {
		t.Fatalf("history: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The same document again is a duplicate event, refused; the new
	// disclosures, which open nothing on chain, are removed.
	if r = runQian(t, "", nil, "trace", "capture", doc, "--key", "farm"); r.code != 1 || !strings.Contains(r.stdout, "ERR_DUPLICATE_EVENT") {
		t.Fatalf("second capture: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(disc); !os.IsNotExist(err) {
		t.Fatalf("the refused capture's disclosures file is still there: %v", err)
	}
}
