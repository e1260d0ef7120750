package localnet

import (
	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
)

// DemoRoles are the roles of the demo's founding organisations
// (contracts/demo.Founding), in order: the names of their admin accounts in
// a testnet keyring and, as the demo defines them, their organisation ids.
func DemoRoles() []genesis.Role {
	out := make([]genesis.Role, len(demo.Founding))
	for i, o := range demo.Founding {
		out[i] = genesis.Role(o.Role)
	}
	return out
}

// demoOrganisations turns the demo's founding organisations into genesis
// organisations administered by admins[role], exactly as demo.Orgs builds
// them for the contracts: id = role name, the demo's name, one role, one
// prefix, the party and site GLNs.
func demoOrganisations(admins map[genesis.Role]ledger.PublicKey) []genesis.Organisation {
	out := make([]genesis.Organisation, 0, len(demo.Founding))
	for _, o := range demo.Founding {
		role := genesis.Role(o.Role)
		out = append(out, genesis.Organisation{
			ID:          string(o.Role),
			Name:        o.Name,
			Roles:       []genesis.Role{role},
			GS1Prefixes: []string{o.Prefix},
			GLNs:        []string{o.PartyGLN, o.SiteGLN},
			Admins:      []ledger.PublicKey{admins[role]},
		})
	}
	return out
}
