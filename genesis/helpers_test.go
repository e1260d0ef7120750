package genesis

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// testKey is a deterministic account or consensus key.
func testKey(t testing.TB, label string) ledger.PrivateKey {
	t.Helper()
	seed := sha256.Sum256([]byte("account " + label))
	k, err := ledger.PrivateKeyFromBytes(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testPeer is a deterministic libp2p peer id.
func testPeer(t testing.TB, label string) peer.ID {
	t.Helper()
	seed := sha256.Sum256([]byte("node " + label))
	sk, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(sk)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// testOrgs are eight fictitious organisations, one per role. The
// validation table refers to them by index: prefixes 6901230, 6901231,
// 6901234, 6901236, 6901237, 6901238, 6901239, 6901240.
var testOrgs = []struct {
	role             Role
	id, name, nameEN string
	prefix           string
	glns             []string
}{
	{RoleFarm, "meitan-tea-garden", "湄潭云雾茶园", "Meitan Cloud-Mist Tea Garden", "6901230", []string{"6901230000010", "6901230000027"}},
	{RoleCooperative, "fenggang-tea-coop", "凤冈县茶叶专业合作社", "Fenggang County Tea Growers' Cooperative", "6901231", []string{"6901231000019"}},
	{RoleProcessor, "zunyi-qianxiang-tea", "遵义黔香茶叶加工厂", "Zunyi Qianxiang Tea Processing Plant", "6901234", []string{"6901234000016", "6901234000023"}},
	{RoleLogistics, "guiyang-coldchain", "贵阳山地冷链物流有限公司", "Guiyang Mountain Cold-Chain Logistics Co., Ltd.", "6901236", []string{"6901236000014"}},
	{RoleRetailer, "zhucheng-fresh-market", "筑城生鲜超市", "Zhucheng Fresh Supermarket", "6901237", []string{"6901237000013"}},
	{RoleInspector, "qian-agri-testing", "黔农产品质量检测中心", "Qian Agricultural Product Quality Testing Centre", "6901238", []string{"6901238000012"}},
	{RoleRegulator, "qian-market-supervision", "黔示范市场监督管理局", "Qian Demonstration Market Supervision Bureau", "6901239", []string{"6901239000011"}},
	{RoleDataExchange, "qian-data-exchange", "黔数据交换中心", "Qian Data Exchange Centre", "6901240", []string{"6901240000017"}},
}

// testDoc is a valid document: three validators and testOrgs with
// deterministic admin keys.
func testDoc(t testing.TB) *Doc {
	t.Helper()
	d := &Doc{
		ChainID:     "qian-test",
		GenesisTime: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
		Consensus:   DefaultConsensusParams(),
	}
	for i, n := range []string{"node0", "node1", "node2"} {
		d.Validators = append(d.Validators, Validator{
			Name: n, PubKey: testKey(t, "validator "+n).PublicKey(), PeerID: testPeer(t, n), Power: uint64(10 + i),
			Org: testOrgs[i].id,
		})
	}
	for _, o := range testOrgs {
		d.Organisations = append(d.Organisations, Organisation{
			ID: o.id, Name: o.name, NameEN: o.nameEN, Roles: []Role{o.role},
			GS1Prefixes: []string{o.prefix}, GLNs: append([]string(nil), o.glns...),
			Admins: []ledger.PublicKey{testKey(t, "admin "+string(o.role)).PublicKey()},
		})
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("test document is invalid: %v", err)
	}
	return d
}

// testJSON is testDoc as a generic JSON tree, for tests that edit fields.
func testJSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(testDoc(t).JSON(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}
