package main

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/nodetest"
)

// A live network (four validators run by four organisations, a fifth
// organisation's node following as an observer, real libp2p on loopback)
// whose validator set governance changes four times through the qian
// command line: the observer voted in, a power changed, a key rotated (the
// node holding its next key switches by itself), a validator removed (its
// process stopped later). The chain keeps committing throughout; proofs of
// transactions before and after each change verify from genesis alone with
// qian verify; qian audit --node and --home pass the chain, and refuse a
// forged certificate and a forged transition.
func TestValidatorSetChangesOnALiveNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 5-node network")
	}
	isolate(t)
	const pass = "valset-test-passphrase"
	kr, err := keyring.Open(filepath.Join(t.TempDir(), "keys"), keyring.InsecureTestKDF())
	if err != nil {
		t.Fatal(err)
	}
	var orgs []genesis.Organisation
	for _, o := range demo.Founding[:5] {
		k, _ := ledger.GenerateKey()
		if _, err := kr.Add(string(o.Role), k, []byte(pass)); err != nil {
			t.Fatal(err)
		}
		spec := o.Spec(string(o.Role), k.PublicKey())
		orgs = append(orgs, genesis.Organisation{ID: spec.ID, Name: spec.Name, Roles: []genesis.Role{genesis.Role(o.Role)},
			GS1Prefixes: spec.Prefixes, GLNs: spec.GLNs, Admins: spec.Admins})
	}
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Candidates: 1, Orgs: orgs,
		App: func() node.Application { return node.NewContractsApp() }, Handler: webHandler})
	cand := nw.Members[4]
	// Validators 1-3 admit the fifth organisation's node only once the
	// chain makes it a validator; node0 admits it as an observer, so it
	// follows the chain from the start.
	for _, m := range nw.Members[1:4] {
		m.Config.P2P.AllowedPeers = nil
	}
	nw.StartAll()
	nw.WaitHeight(2, 30*time.Second)
	url := nw.Members[0].URL
	t.Setenv("QIAN_NODE", url)
	t.Setenv("QIAN_KEYRING", kr.Dir())
	t.Setenv("QIAN_PASSPHRASE", pass)
	genesisFile := filepath.Join(t.TempDir(), "genesis.json")
	if err := nw.Genesis.Save(genesisFile); err != nil {
		t.Fatal(err)
	}

	tx := func(argv ...string) txResult {
		t.Helper()
		r := runQian(t, "", nil, append(argv, "--json")...)
		var res txResult
		if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &res); err != nil || r.code != 0 || res.Code != "OK" {
			t.Fatalf("qian %s: exit %d %v\n%s\n%s", strings.Join(argv, " "), r.code, err, r.stdout, r.stderr)
		}
		return res
	}
	var records []ledger.Hash // transactions before and after each change
	anchor := func() {
		t.Helper()
		f := filepath.Join(t.TempDir(), "record.txt")
		os.WriteFile(f, []byte(fmt.Sprint("record ", len(records), " ", time.Now().UnixNano())), 0o644)
		records = append(records, tx("notary", "anchor", f, "--key", "farm").TxHash)
	}
	// govern proposes as the farm and approves as three more founders (4
	// of 5 electors); it returns the approving height.
	govern := func(argv ...string) uint64 {
		t.Helper()
		p := tx(append([]string{"validator"}, append(argv, "--key", "farm", "--reason", "test")...)...)
		var h uint64
		for _, org := range []string{"cooperative", "processor", "logistics"} {
			h = tx("org", "approve", p.TxHash.String(), "--key", org).Height
		}
		return h
	}
	n0 := nw.Members[0].Node
	setAt := func(h uint64) *ledger.ValidatorSet {
		t.Helper()
		// A transaction's commit is visible through node0's index a moment
		// before its store moves the tip (ledger/store.CommitBlock), so the
		// approving height may be one past node0's tip: wait for the block
		// that decides the set of h (h-2).
		for deadline := time.Now().Add(30 * time.Second); n0.Store.Height()+2 < h && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		s, err := n0.Store.ValidatorSet(h)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	signed := func(h uint64, key ledger.PublicKey) bool { // key's precommit counted in the chain's certificate of h
		t.Helper()
		nw.WaitHeight(h+1, 60*time.Second)
		b, err := n0.Store.Block(h + 1)
		if err != nil {
			t.Fatal(err)
		}
		i := setAt(h).IndexOf(key)
		for _, s := range b.LastCommit.Sigs {
			if int(s.Validator) == i {
				return true
			}
		}
		return false
	}

	anchor()
	// 1. The fifth organisation's node is voted in.
	candPeer := cand.PeerID()
	if nw.Members[1].Node.Net.Admits(candPeer) {
		t.Fatal("node1 admits the fifth organisation's node before any vote")
	}
	ha := govern("propose-add", "--org", "retailer", "--name", "retailer-node", "--pubkey", cand.ValKey.PublicKey().String(),
		"--peer-id", candPeer.String(), "--power", "10")
	// The approving height is the client's node's; the others admit the
	// new peer once they too have committed that block.
	nw.WaitHeight(ha, 30*time.Second)
	for _, m := range nw.Members[1:4] {
		if !m.Node.Net.Admits(candPeer) {
			t.Fatalf("%s (at height %d) does not admit the new validator's node after the approving block %d", m.Name, m.Node.Store.Height(), ha)
		}
	}
	if setAt(ha+1).Size() != 4 || setAt(ha+2).Size() != 5 {
		t.Fatalf("the addition approved at %d: sets %d at %d, %d at %d", ha, setAt(ha+1).Size(), ha+1, setAt(ha+2).Size(), ha+2)
	}
	first := ha + 2
	for !signed(first, cand.ValKey.PublicKey()) {
		first++
		if first > ha+40 {
			t.Fatalf("the new validator's signature is counted in no certificate from %d to %d", ha+2, first)
		}
	}
	approved, _ := n0.Store.Header(ha)
	certified, _ := n0.Store.Header(first + 1)
	t.Logf("FIGURE new validator: approved by block %d; its first counted signature certifies block %d (effective %d), recorded in block %d, %s after the approving block",
		ha, first, ha+2, first+1, time.Duration(certified.Time-approved.Time).Round(time.Millisecond))
	anchor()

	// 2. A power change.
	v1 := nw.Members[1].ValKey.PublicKey()
	hp := govern("propose-power", v1.String(), "12")
	nw.WaitHeight(hp+2, 30*time.Second)
	if v, _ := setAt(hp + 2).Get(setAt(hp + 2).IndexOf(v1)); v.Power != 12 {
		t.Fatalf("power after the change: %d", v.Power)
	}
	anchor()

	// 3. A key rotation: node2 makes its next key, restarts holding it,
	// and switches at the height the rotation takes effect.
	m2 := nw.Members[2]
	os.MkdirAll(m2.Config.Paths().KeysDir(), 0o700)
	r := runQian(t, "", nil, "validator", "next-key", "--home", m2.Config.Home)
	r.want(t, 0, "public key ")
	nextKey := ledger.PublicKey{}
	for _, line := range strings.Split(r.stdout, "\n") {
		if s, ok := strings.CutPrefix(line, "public key "); ok {
			if nextKey, err = ledger.ParsePublicKey(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	nw.Stop(2)
	nw.Start(2)
	oldKey := m2.ValKey.PublicKey()
	hr := govern("propose-rotate", oldKey.String(), "--new-pubkey", nextKey.String())
	set := setAt(hr + 2)
	if set.IndexOf(nextKey) != setAt(hr+1).IndexOf(oldKey) || set.IndexOf(oldKey) >= 0 {
		t.Fatalf("the rotation: old at %d, new at %d", setAt(hr+1).IndexOf(oldKey), set.IndexOf(nextKey))
	}
	rotatedSigned := false
	for h := hr + 2; h < hr+20 && !rotatedSigned; h++ {
		rotatedSigned = signed(h, nextKey)
	}
	if !rotatedSigned {
		t.Fatal("the rotated validator's new key signs nothing that counts")
	}
	anchor()

	// 4. Validator 3 removed; its process stopped later.
	m3 := nw.Members[3]
	hx := govern("propose-remove", m3.ValKey.PublicKey().String())
	// Node3 is dropped by the others once its removal takes effect, so it
	// falls behind from there: wait for node0 alone.
	for deadline := time.Now().Add(30 * time.Second); n0.Store.Height() < hx+3; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("node0 at %d, want %d", n0.Store.Height(), hx+3)
		}
	}
	if setAt(hx+2).IndexOf(m3.ValKey.PublicKey()) >= 0 {
		t.Fatal("the removed validator is still in the set")
	}
	if n0.Net.Admits(m3.PeerID()) {
		t.Fatal("node0 still admits the removed validator's node")
	}
	nw.Stop(3)
	anchor()
	nw.WaitHeight(n0.Store.Height()+5, 30*time.Second)
	nw.CheckSameChain()
	t.Logf("heights: add approved %d, power %d, rotation %d, removal %d; tip %d", ha, hp, hr, hx, n0.Store.Height())

	// Every record's proof verifies from genesis alone.
	dir := t.TempDir()
	var lastBundle string
	for i, h := range records {
		path := filepath.Join(dir, fmt.Sprintf("record-%d.json", i))
		runQian(t, "", nil, "proof", h.String(), "-o", path).want(t, 0)
		want := fmt.Sprintf("through %d validator-set changes", i)
		if i == 0 {
			want = "the validators are the genesis set"
		}
		runQian(t, "", nil, "verify", path, "--genesis", genesisFile).want(t, 0, "VERIFIED", want)
		lastBundle = path
	}
	// A forged transition is refused: the move to the five-validator set
	// certified by that set's keys alone, as it indexes them.
	raw, _ := os.ReadFile(lastBundle)
	b, err := proof.ParseBundle(raw)
	if err != nil || len(b.Transitions) != 4 {
		t.Fatalf("the last bundle: %v, %d transitions", err, len(b.Transitions))
	}
	th, _ := ledger.DecodeHeader(b.Transitions[0].Header.Encoding)
	newSet, _ := ledger.DecodeValidatorSet(b.Transitions[0].Validators.Encoding)
	keys := map[ledger.PublicKey]ledger.PrivateKey{}
	for _, m := range nw.Members {
		keys[m.ValKey.PublicKey()] = m.ValKey
	}
	bh := th.Hash()
	byNew := &ledger.Commit{Height: th.Height, BlockHash: bh}
	for i, v := range newSet.Validators {
		vote := &ledger.Vote{Type: ledger.Precommit, Height: th.Height, BlockHash: &bh, Validator: uint16(i)}
		if err := vote.Sign(nw.Genesis.Identity(), keys[v.PubKey]); err != nil {
			t.Fatal(err)
		}
		byNew.Sigs = append(byNew.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: vote.Sig})
	}
	forgedJSON := strings.Replace(string(raw), hexOf(mustCommit(t, b.Transitions[0].Commit.Encoding).Encode()), hexOf(byNew.Encode()), 1)
	forgedJSON = strings.Replace(forgedJSON, b.Transitions[0].Commit.Hash.String(), byNew.Hash().String(), 1)
	forged := filepath.Join(dir, "forged.json")
	os.WriteFile(forged, []byte(forgedJSON), 0o644)
	runQian(t, "", nil, "verify", forged, "--genesis", genesisFile).wantErr(t, 1, proof.ErrMismatch, "signers")
	var fb proof.Bundle
	json.Unmarshal([]byte(forgedJSON), &fb)
	fb.Transitions[0].Commit.Signers = byNew.Signers()
	os.WriteFile(forged, fb.Marshal(), 0o644)
	runQian(t, "", nil, "verify", forged, "--genesis", genesisFile).wantErr(t, 1, proof.ErrTransition, "not in the set of 4")

	// The auditor passes the chain, from a running node and from a stopped
	// node's home, and counts the changes.
	r = runQian(t, "", nil, "audit", "--node", url, "--genesis", genesisFile, "--json", "--quiet")
	r.want(t, 0, `"validator_set_changes": 4`)
	home := nw.Members[0].Config.Home
	nw.StopAll()
	r = runQian(t, "", nil, "audit", "--home", home, "--genesis", genesisFile, "--json", "--quiet")
	r.want(t, 0, `"validator_set_changes": 4`)

	// A stored certificate after the removal that counts the removed
	// validator's precommit, in its old place, is refused.
	chain := filepath.Join(home, "data", "chain")
	st, err := store.Open(chain, &store.Options{Pebble: &pebble.Options{ReadOnly: true, Logger: quietPebble{}}})
	if err != nil {
		t.Fatal(err)
	}
	at := hx + 3
	blk, err := st.Block(at)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	bh = blk.Hash()
	bad := &ledger.Commit{Height: at, BlockHash: bh}
	for i, k := range []ledger.PrivateKey{nw.Members[0].ValKey, nw.Members[1].ValKey, m3.ValKey} {
		vote := &ledger.Vote{Type: ledger.Precommit, Height: at, BlockHash: &bh, Validator: uint16(i)}
		if err := vote.Sign(nw.Genesis.Identity(), k); err != nil {
			t.Fatal(err)
		}
		bad.Sigs = append(bad.Sigs, ledger.CommitSig{Validator: uint16(i), Sig: vote.Sig})
	}
	db, err := pebble.Open(chain, &pebble.Options{Logger: quietPebble{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set(binary.BigEndian.AppendUint64([]byte{'c'}, at), bad.Encode(), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	db.Close()
	runQian(t, "", nil, "audit", "--home", home, "--genesis", genesisFile, "--quiet").wantErr(t, 1, "ERR_AUDIT_COMMIT", fmt.Sprintf("height %d", at))
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func mustCommit(t *testing.T, enc []byte) *ledger.Commit {
	t.Helper()
	c, err := ledger.DecodeCommit(enc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
