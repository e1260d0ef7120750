package genesis

import (
	"fmt"

	"github.com/qianchain/qianchain/ledger"
)

// DemoOrg is one fictitious founding organisation of the demo network: a
// small Guizhou tea supply chain, one organisation per role.
//
// The GS1 company prefixes are fictitious 690xxxx numbers (GS1 China's
// range, shown as 0690xxxx... inside a GTIN-14 after its indicator digit);
// each GLN is prefix + 5-digit location reference + check digit.
//
// This table stands in until contracts/demo publishes the demo
// organisation list; testnet then takes its organisations from there
// (see DemoOrganisations).
type DemoOrg struct {
	Role   Role
	ID     string
	Name   string
	NameEN string
	Prefix string
	GLNs   []string
}

// DemoOrgs are the demo organisations in role order. The keyring account
// administering each is named after its role.
var DemoOrgs = []DemoOrg{
	{RoleFarm, "meitan-tea-garden", "湄潭云雾茶园", "Meitan Cloud-Mist Tea Garden", "6901230", []string{"6901230000010", "6901230000027"}},
	{RoleCooperative, "fenggang-tea-coop", "凤冈县茶叶专业合作社", "Fenggang County Tea Growers' Cooperative", "6901231", []string{"6901231000019"}},
	{RoleProcessor, "zunyi-qianxiang-tea", "遵义黔香茶叶加工厂", "Zunyi Qianxiang Tea Processing Plant", "6901234", []string{"6901234000016", "6901234000023"}},
	{RoleLogistics, "guiyang-mountain-coldchain", "贵阳山地冷链物流有限公司", "Guiyang Mountain Cold-Chain Logistics Co., Ltd.", "6901236", []string{"6901236000014"}},
	{RoleRetailer, "zhucheng-fresh-market", "筑城生鲜超市", "Zhucheng Fresh Supermarket", "6901237", []string{"6901237000013"}},
	{RoleInspector, "qian-agri-testing", "黔农产品质量检测中心", "Qian Agricultural Product Quality Testing Centre", "6901238", []string{"6901238000012"}},
	{RoleRegulator, "qian-demo-market-supervision", "黔示范市场监督管理局", "Qian Demonstration Market Supervision Bureau", "6901239", []string{"6901239000011"}},
	{RoleDataExchange, "qian-data-exchange", "黔数据交换中心", "Qian Data Exchange Centre", "6901240", []string{"6901240000017"}},
}

// DemoRoles lists the roles of DemoOrgs, which are also the names of their
// admin accounts in the testnet keyring.
func DemoRoles() []Role {
	out := make([]Role, len(DemoOrgs))
	for i, o := range DemoOrgs {
		out[i] = o.Role
	}
	return out
}

// DemoOrganisations returns the demo organisations as founding
// organisations, each administered by admins[role]. Every demo role must
// have an admin key.
func DemoOrganisations(admins map[Role]ledger.PublicKey) ([]Organisation, error) {
	out := make([]Organisation, 0, len(DemoOrgs))
	for _, d := range DemoOrgs {
		k, ok := admins[d.Role]
		if !ok {
			return nil, fmt.Errorf("demo organisation %s: no admin key for role %s", d.ID, d.Role)
		}
		out = append(out, Organisation{
			ID: d.ID, Name: d.Name, NameEN: d.NameEN,
			Roles:       []Role{d.Role},
			GS1Prefixes: []string{d.Prefix},
			GLNs:        append([]string(nil), d.GLNs...),
			Admins:      []ledger.PublicKey{k},
		})
	}
	return out, nil
}
