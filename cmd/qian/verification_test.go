package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/devnet"
	"github.com/qianchain/qianchain/node/localnet"
)

// The verification commands against a real network (the devnet: four
// validators in this process with the demo story): fetch a bundle, verify
// it offline, check the farm's disclosures by event hash, audit through the
// API; then, with the network stopped, audit a node's own data and copies of
// it with one flipped byte of a stored transaction and of a stored commit
// signature.
func TestVerificationAgainstANetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet")
	}
	isolate(t)
	dir := t.TempDir()
	ready := make(chan *devnet.Network, 1)
	errc := make(chan error, 1)
	// freeBase may end the test (t.Fatal), which only the test's own
	// goroutine may do: called inside the one below, it would leave this
	// test waiting forever for a network that was never started.
	base := freeBase(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		errc <- devnet.Run(ctx, devnet.Options{Dir: dir, HTTP: "127.0.0.1:0", BasePort: base, Handler: webHandler,
			KeyringOptions: []keyring.Option{keyring.InsecureTestKDF()},
			Ready:          func(nw *devnet.Network) { ready <- nw }})
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("devnet: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	var nw *devnet.Network
	select {
	case nw = <-ready:
	case err := <-errc:
		t.Fatalf("devnet: %v", err)
	}
	url := nw.URLs[0]
	gen := filepath.Join(dir, config.GenesisFileName)
	work := t.TempDir()

	// The story as the devnet loaded it: the harvest and the farm's
	// disclosures (the story is deterministic given the keys).
	kr, err := keyring.Open(filepath.Join(dir, localnet.KeyringDirName), keyring.InsecureTestKDF())
	if err != nil {
		t.Fatal(err)
	}
	keys := demo.Keys{}
	for _, role := range localnet.DemoRoles() {
		if keys[membership.Role(role)], err = kr.Unlock(string(role), []byte(devnet.DefaultPassphrase)); err != nil {
			t.Fatal(err)
		}
	}
	story, err := demo.Scenario(nw.Genesis.ChainID, keys)
	if err != nil {
		t.Fatal(err)
	}
	var harvest ledger.Hash
	for _, s := range story.Steps {
		if ev, err := trace.DecodeCapture(s.Tx.Payload); err == nil && s.Tx.Method == trace.MethodCapture && len(ev.PersonalData) > 0 {
			harvest = s.Tx.Hash()
			break
		}
	}
	disc := filepath.Join(work, "harvest.disclosures.json")
	b, _ := json.Marshal(story.Disclosures)
	os.WriteFile(disc, b, 0o600)

	bundle := filepath.Join(work, "bundle.json")
	r := runQian(t, "", nil, "proof", harvest.String(), "--node", url, "-o", bundle)
	r.want(t, 0)
	if !strings.Contains(r.stderr, "qian verify "+bundle) {
		t.Fatalf("stderr:\n%s", r.stderr)
	}
	r = runQian(t, "", nil, "verify", bundle, "--genesis", gen)
	r.want(t, 0, "VERIFIED", "Transaction "+harvest.String(), "trace.capture", "Signed by", "the certificate is the one the chain recorded", "Outcome OK")
	t.Logf("qian verify:\n%s", r.stdout)
	var out verifyOutput
	r = runQian(t, "", nil, "verify", bundle, "--genesis", gen, "--json")
	r.want(t, 0)
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	var event string
	for _, ev := range out.Report.Result.Events {
		for _, a := range ev.Attrs {
			if ev.Type == "trace.event" && a.Key == "event" {
				event = a.Value
			}
		}
	}
	r = runQian(t, "", nil, "verify", "--disclose", disc, "--event", event, "--node", url, "--genesis", gen)
	r.want(t, 0, "Disclosure farmerName: 王秀英 opens commitment", "in trace event "+event[:16])
	t.Logf("qian verify --disclose:\n%s", r.stdout)

	// A notary batch: one file's certificate rides in the bundle.
	t.Setenv("QIAN_PASSPHRASE", devnet.DefaultPassphrase)
	t.Setenv("QIAN_KEYRING", filepath.Join(dir, localnet.KeyringDirName))
	files := filepath.Join(work, "files")
	os.MkdirAll(files, 0o755)
	for i, body := range []string{"检测报告 A", "检测报告 B", "检测报告 C"} {
		os.WriteFile(filepath.Join(files, "report-"+itoa(uint64(i))+".txt"), []byte(body), 0o644)
	}
	certs := filepath.Join(work, "certs")
	runQian(t, "", nil, "notary", "batch", files, "--out", certs, "--key", "farm", "--node", url).want(t, 0, "3 certificates")
	cert := filepath.Join(certs, "report-1.txt.cert.json")
	itemBundle := filepath.Join(work, "item.json")
	runQian(t, "", nil, "proof", "--certificate", cert, "--node", url, "-o", itemBundle).want(t, 0)
	r = runQian(t, "", nil, "verify", itemBundle, "--genesis", gen)
	r.want(t, 0, "notary.anchor_batch", "Batch item", "is item 1 of the 3 whose root")
	runQian(t, "", nil, "proof", harvest.String(), "--certificate", cert, "--node", url).wantErr(t, 2, "usage", "the certificate is for transaction")

	r = runQian(t, "", nil, "audit", "--node", url, "--genesis", gen)
	r.want(t, 0, "OK: every block")
	t.Logf("qian audit --node:\n%s", r.stdout)
	runQian(t, "", nil, "audit", "--node", url).wantErr(t, 2, "usage", "--genesis")

	// A stopped node's own data, then damaged copies of it.
	stop()
	home := filepath.Join(dir, "node1")
	r = runQian(t, "", nil, "audit", "--home", home, "--quiet")
	r.want(t, 0, "OK: every block")
	t.Logf("qian audit --home:\n%s", r.stdout)

	st := openChain(t, home)
	var txHeight uint64
	var txEnc []byte
	for h := uint64(1); ; h++ {
		v, closer, err := st.Get(binary.BigEndian.AppendUint64([]byte{'b'}, h))
		if err != nil {
			t.Fatal(err)
		}
		blk, err := ledger.DecodeBlock(v[32:])
		closer.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(blk.Txs) > 0 && h > 3 {
			txHeight, txEnc = h, blk.Txs[len(blk.Txs)-1].Encode()
			break
		}
	}
	st.Close()

	flipped := copyHome(t, home)
	flip(t, flipped, binary.BigEndian.AppendUint64([]byte{'b'}, txHeight), func(v []byte) {
		i := bytes.Index(v, txEnc)
		v[i+len(txEnc)/2] ^= 0x01
	})
	runQian(t, "", nil, "audit", "--home", flipped, "--quiet").wantErr(t, 1, "ERR_AUDIT_STORE", "height "+itoa(txHeight)+":")

	flipped = copyHome(t, home)
	flip(t, flipped, binary.BigEndian.AppendUint64([]byte{'c'}, txHeight), func(v []byte) { v[len(v)-20] ^= 0x01 })
	r = runQian(t, "", nil, "audit", "--home", flipped, "--quiet")
	r.wantErr(t, 1, "ERR_AUDIT_COMMIT", "height "+itoa(txHeight)+":", "signature does not verify")
	t.Logf("flipped commit signature:\n%s%s", r.stdout, r.stderr)
}

func itoa(n uint64) string { return strings.TrimSpace(thousands(n)) }

func openChain(t *testing.T, home string) *pebble.DB {
	t.Helper()
	db, err := pebble.Open(filepath.Join(home, "data", "chain"), &pebble.Options{Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func flip(t *testing.T, home string, key []byte, change func(v []byte)) {
	t.Helper()
	db := openChain(t, home)
	defer db.Close()
	v, closer, err := db.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	v = append([]byte{}, v...)
	closer.Close()
	change(v)
	if err := db.Set(key, v, pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

// copyHome copies a node home's chain and genesis file.
func copyHome(t *testing.T, home string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.Walk(home, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(home, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(to, rel))
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}
