package genesis

import (
	"fmt"
	"testing"

	"github.com/qianchain/qianchain/ledger"
)

// BenchmarkParseFoundingGenesis: loading a genesis verifies every founding
// organisation's join signatures (two BIP-340 and one Ed25519 each), which
// every node start, `qian verify` and `qian audit` pays once.
func BenchmarkParseFoundingGenesis(b *testing.B) {
	for _, n := range []int{4, 100} {
		var reqs []*JoinRequest
		for i := 0; i < n; i++ {
			admin, val, node := testKey(b, fmt.Sprint("admin ", i)), testKey(b, fmt.Sprint("val ", i)), testNodeKey(b, fmt.Sprint(i))
			r := &JoinRequest{ChainID: ceremonyChain, Organisation: Organisation{
				ID: fmt.Sprintf("org-%d", i), Name: fmt.Sprint("机构 ", i), Roles: []Role{RoleFarm},
				GS1Prefixes: []string{fmt.Sprintf("69%05d", i)}, Admins: []ledger.PublicKey{admin.PublicKey()},
			}}
			r.Validator = &Validator{Name: fmt.Sprintf("node-%d", i), Org: r.Organisation.ID, PubKey: val.PublicKey(),
				PeerID: testPeer(b, fmt.Sprint(i)), Power: 10, Addresses: []string{fmt.Sprintf("/ip4/10.0.%d.%d/tcp/26656", i/256, i%256)}}
			if err := r.Sign(admin, val, node); err != nil {
				b.Fatal(err)
			}
			reqs = append(reqs, r)
		}
		d, err := Assemble(reqs, testAssembleOptions())
		if err != nil {
			b.Fatal(err)
		}
		text := d.JSON()
		b.Run(fmt.Sprintf("%d-organisations", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Parse(text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
