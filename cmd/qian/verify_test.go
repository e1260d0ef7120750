package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/audit/audittest"
)

// storyChain is a closed node home holding the demo story (4 validators)
// and a few blocks after it, with the harvest transaction (which records
// the picker's name and phone as commitments) and the farm's disclosures.
type storyChain struct {
	*audittest.Chain
	harvest     ledger.Hash
	refused     ledger.Hash // the story's one refused transaction: a sale of a recalled lot
	disclosures string      // a file of the farm's disclosures
}

func newStoryChain(t *testing.T) *storyChain {
	t.Helper()
	c := audittest.New(t, 4)
	st := c.Story(6)
	c.Block(c.Anchors(5), nil)
	c.Block(nil, nil)
	c.Close()
	sc := &storyChain{Chain: c}
	for _, s := range st.Steps {
		if s.Expect != "OK" {
			sc.refused = s.Tx.Hash()
		}
	}
	for _, s := range st.Steps {
		if s.Tx.Contract != trace.Contract || s.Tx.Method != trace.MethodCapture {
			continue
		}
		if ev, err := trace.DecodeCapture(s.Tx.Payload); err == nil && len(ev.PersonalData) > 0 {
			sc.harvest = s.Tx.Hash()
			break
		}
	}
	if sc.harvest.IsZero() {
		t.Fatal("no harvest in the story")
	}
	b, _ := json.MarshalIndent(st.Disclosures, "", "  ")
	sc.disclosures = filepath.Join(t.TempDir(), "harvest.disclosures.json")
	if err := os.WriteFile(sc.disclosures, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return sc
}

// bundle builds the bundle of tx from the closed home, as a node would.
func (c *storyChain) bundle(t *testing.T, tx ledger.Hash) string {
	t.Helper()
	st, err := store.Open(c.ChainDir(), &store.Options{Pebble: &pebble.Options{ReadOnly: true, Logger: quietPebble{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := proof.Build(st, tx)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(path, b.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerifyPrintsWhatWasProved(t *testing.T) {
	isolate(t)
	c := newStoryChain(t)
	path := c.bundle(t, c.harvest)
	r := runQian(t, "", nil, "verify", path, "--genesis", c.GenesisFile())
	r.want(t, 0, "VERIFIED", "trace.capture", "Recorded in block", "Signed by 4 of 4 validators: validator-0, validator-1, validator-2, validator-3",
		"40 of 40 voting power (100.0%", "the certificate is the one the chain recorded in block", "Outcome OK", "proven: the app hash in header 3 (certified too) commits to it",
		`"type": "ObjectEvent"`, "commissioning", "event trace.event")
	t.Log(r.stdout)

	// --json for tools.
	r = runQian(t, "", nil, "verify", path, "--genesis", c.GenesisFile(), "--json")
	r.want(t, 0)
	var out verifyOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || !out.Verified || out.Report.TxHash != c.harvest || out.Report.SignedPower != 40 {
		t.Fatalf("json: %v %+v", err, out)
	}

	// The farm's disclosures open the commitments the harvest recorded.
	r = runQian(t, "", nil, "verify", path, "--genesis", c.GenesisFile(), "--disclose", c.disclosures)
	r.want(t, 0, "Disclosure farmerName: 王秀英 opens commitment", "Disclosure farmerPhone: 13985400217 opens commitment")
	// A changed value does not.
	raw, _ := os.ReadFile(c.disclosures)
	wrong := filepath.Join(t.TempDir(), "wrong.json")
	os.WriteFile(wrong, []byte(strings.Replace(string(raw), "王秀英", "王秀兰", 1)), 0o600)
	runQian(t, "", nil, "verify", path, "--genesis", c.GenesisFile(), "--disclose", wrong).wantErr(t, 1, "ERR_DISCLOSURE", "do not open commitment")
	// Without a proven outcome nothing says the harvest recorded its event:
	// the bundle verifies, the disclosures cannot be checked.
	b, err := proof.ParseBundle(mustRead(t, path))
	if err != nil {
		t.Fatal(err)
	}
	b.Outcome = nil
	noOutcome := filepath.Join(t.TempDir(), "no-outcome.json")
	os.WriteFile(noOutcome, b.Marshal(), 0o644)
	runQian(t, "", nil, "verify", noOutcome, "--genesis", c.GenesisFile()).want(t, 0, "Outcome: not in the bundle")
	runQian(t, "", nil, "verify", noOutcome, "--genesis", c.GenesisFile(), "--disclose", c.disclosures).wantErr(t, 1, "ERR_DISCLOSURE", "carries no outcome")
	// Nor against another transaction; that one a founding admin sent.
	other := c.bundle(t, lastTx(t, c))
	runQian(t, "", nil, "verify", other, "--genesis", c.GenesisFile()).want(t, 0, "notary.anchor", "(a founding admin key of farm, per genesis)")
	runQian(t, "", nil, "verify", other, "--genesis", c.GenesisFile(), "--disclose", c.disclosures).wantErr(t, 1, "ERR_DISCLOSURE", "not a trace capture")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lastTx(t *testing.T, c *storyChain) ledger.Hash {
	t.Helper()
	st, err := store.Open(c.ChainDir(), &store.Options{Pebble: &pebble.Options{ReadOnly: true, Logger: quietPebble{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := st.Block(st.Height() - 1)
	if err != nil || len(b.Txs) == 0 {
		t.Fatalf("block: %v", err)
	}
	return b.Txs[0].Hash()
}

func TestVerifyRefuses(t *testing.T) {
	isolate(t)
	c := newStoryChain(t)
	path := c.bundle(t, c.harvest)
	raw, _ := os.ReadFile(path)

	// One changed byte: a hex digit inside the commit's signatures.
	s := string(raw)
	i := strings.Index(s, `"commit": {`)
	i = strings.Index(s[i:], `"encoding": "`) + i + len(`"encoding": "`) + 120
	flipped := []byte(s)
	flipped[i] = map[bool]byte{true: '1', false: '0'}[flipped[i] == '0']
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, flipped, 0o644)
	r := runQian(t, "", nil, "verify", bad, "--genesis", c.GenesisFile())
	r.wantErr(t, 1, proof.ErrMismatch, "commit.hash")
	r = runQian(t, "", nil, "verify", bad, "--genesis", c.GenesisFile(), "--json")
	if r.code != 1 || !strings.Contains(r.stdout, `"verified": false`) || !strings.Contains(r.stdout, proof.ErrMismatch) {
		t.Fatalf("json failure: %d\n%s", r.code, r.stdout)
	}

	// Another chain's genesis.
	other := audittest.New(t, 4)
	other.Close()
	runQian(t, "", nil, "verify", path, "--genesis", other.GenesisFile()).wantErr(t, 1, proof.ErrChain, "genesis")

	// Not a bundle; no genesis; no file.
	junk := filepath.Join(t.TempDir(), "junk.json")
	os.WriteFile(junk, []byte(`{"version": 1}`), 0o644)
	runQian(t, "", nil, "verify", junk, "--genesis", c.GenesisFile()).wantErr(t, 1, proof.ErrFormat)
	runQian(t, "", nil, "verify", path).wantErr(t, 2, "usage", "--genesis")
	runQian(t, "", nil, "verify", "--genesis", c.GenesisFile()).wantErr(t, 2, "usage")
}

// An outcome the bundle cannot prove is not VERIFIED: the bundle of the
// story's refused sale (ERR_RECALLED), with outcome.proof stripped and the
// outcome rewritten to OK (every readable copy consistent with the forged
// leaf), exits 1 with ERR_PROOF_OUTCOME, and --json says verified false.
func TestVerifyRefusesAnUnprovenOutcome(t *testing.T) {
	isolate(t)
	c := newStoryChain(t)
	path := c.bundle(t, c.refused)
	runQian(t, "", nil, "verify", path, "--genesis", c.GenesisFile()).want(t, 0, "VERIFIED", "Outcome ERR_RECALLED")

	raw, _ := os.ReadFile(path)
	b, err := proof.ParseBundle(raw)
	if err != nil {
		t.Fatal(err)
	}
	res, err := proof.DecodeResult(b.Outcome.Result)
	if err != nil {
		t.Fatal(err)
	}
	res.Code, res.Message = "OK", ""
	b.Outcome = &proof.OutcomePart{Result: proof.EncodeResult(res), Code: "OK", Message: "", Events: res.Events}
	forged := filepath.Join(t.TempDir(), "forged.json")
	os.WriteFile(forged, b.Marshal(), 0o644)

	r := runQian(t, "", nil, "verify", forged, "--genesis", c.GenesisFile())
	r.wantErr(t, 1, proof.ErrOutcome, "without outcome.proof")
	if strings.Contains(r.stdout, "VERIFIED") {
		t.Fatalf("a forged, unproven outcome printed as verified:\n%s", r.stdout)
	}
	r = runQian(t, "", nil, "verify", forged, "--genesis", c.GenesisFile(), "--json")
	var out verifyOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 1 || out.Verified || out.Code != proof.ErrOutcome {
		t.Fatalf("--json: exit %d, %v, %+v", r.code, err, out)
	}
}

func TestAuditHome(t *testing.T) {
	isolate(t)
	c := newStoryChain(t)
	r := runQian(t, "", nil, "audit", "--home", c.Home)
	r.want(t, 0, "OK: every block", "refused by the contracts")
	if !strings.Contains(r.stderr, "blocks/s") || !strings.Contains(r.stderr, "tx/s") {
		t.Fatalf("no progress bar on stderr:\n%s", r.stderr)
	}
	t.Log(r.stdout)

	r = runQian(t, "", nil, "audit", "--home", c.Home, "--json", "--quiet")
	r.want(t, 0)
	var sum struct {
		OK     bool   `json:"ok"`
		Blocks uint64 `json:"blocks"`
		Tip    uint64 `json:"tip"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || !sum.OK || sum.Blocks != sum.Tip || r.stderr != "" {
		t.Fatalf("json: %v %+v stderr %q", err, sum, r.stderr)
	}

	// One byte of a stored commit signature, in the node's own data.
	db, err := pebble.Open(c.ChainDir(), &pebble.Options{Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	key := binary.BigEndian.AppendUint64([]byte{'c'}, 4)
	v, closer, err := db.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	v = append([]byte{}, v...)
	closer.Close()
	v[len(v)-1] ^= 0x40
	db.Set(key, v, pebble.Sync)
	db.Close()
	r = runQian(t, "", nil, "audit", "--home", c.Home)
	r.wantErr(t, 1, "ERR_AUDIT_COMMIT", "height 4:", "stored certificate")
	if !strings.Contains(r.stdout, "FAILED at height 4") {
		t.Fatalf("summary:\n%s", r.stdout)
	}
	runQian(t, "", nil, "audit", "--home", t.TempDir()).wantErr(t, 1, "failed", "holds no chain")
}

type quietPebble struct{}

func (quietPebble) Infof(string, ...any)  {}
func (quietPebble) Errorf(string, ...any) {}
func (quietPebble) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}
