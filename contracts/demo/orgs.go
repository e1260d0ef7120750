// Package demo is Qianchain's demonstration: a seeded, realistic Guizhou
// story of Duyun Maojian (都匀毛尖) green tea, from the tea gardens of Duyun
// to a retailer in Guiyang, with one recall and one data-product sale on
// the data exchange. `qian devnet`, tests and the docs use it.
//
// The testnet's demo organisations are one per role, named by role (Orgs).
// Scenario turns their admin keys into the story's transactions, in order.
// The key facts of the story (the demo lot, the recalled lot) are exported
// for tests and pages.
package demo

import (
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
)

// Org describes one demo organisation (without its keys).
type Org struct {
	Role     membership.Role
	Name     string // 中文名 (English gloss)
	Prefix   string // GS1 company prefix (fictitious 69231xx range)
	PartyGLN string // the organisation as a party
	SiteGLN  string // its main site
	Site     string // the site's name
}

// The demo organisations, one per role. Their ids are the role names.
var (
	Farm = Org{membership.Farm, "都匀螺丝壳生态茶园 (Duyun Luosike Ecological Tea Garden)", "6923101",
		"6923101000011", "6923101000028", "螺丝壳山三号茶园地块 (Luosike Mountain tea plot No. 3), 都匀市 Duyun"}
	Cooperative = Org{membership.Cooperative, "都匀市毛尖茶农民专业合作社 (Duyun Maojian Tea Farmers' Cooperative)", "6923102",
		"6923102000010", "6923102000027", "团山鲜叶收购点 (Tuanshan fresh-leaf collection station), 都匀市 Duyun"}
	Processor = Org{membership.Processor, "黔南都匀毛尖茶业有限公司 (Qiannan Duyun Maojian Tea Co., Ltd.)", "6923103",
		"6923103000019", "6923103000026", "都匀经济开发区加工厂 (Duyun Economic Development Zone factory)"}
	Logistics = Org{membership.Logistics, "贵州黔冷链物流有限公司 (Guizhou Qian Cold-Chain Logistics Co., Ltd.)", "6923104",
		"6923104000018", "6923104000025", "都匀冷链仓 (Duyun cold store)"}
	Retailer = Org{membership.Retailer, "贵阳筑城茶叶超市 (Guiyang Zhucheng Tea Market)", "6923105",
		"6923105000017", "6923105000024", "观山湖店 (Guanshanhu store), 贵阳市 Guiyang"}
	Inspector = Org{membership.Inspector, "黔南州茶叶质量检测中心 (Qiannan Tea Quality Testing Centre)", "6923106",
		"6923106000016", "6923106000023", "农残检测实验室 (pesticide-residue laboratory), 都匀市 Duyun"}
	Regulator = Org{membership.Regulator, "黔南州市场监督管理局 (Qiannan Prefecture Market Supervision Administration)", "6923107",
		"6923107000015", "6923107000022", "都匀市市场监管所 (Duyun market supervision office)"}
	DataExchange = Org{membership.DataExchange, "贵阳大数据交易所 (Guiyang Global Big Data Exchange)", "6923108",
		"6923108000014", "6923108000021", "贵阳市观山湖区 (Guanshanhu District, Guiyang)"}

	// Farm2 joins during the story through a membership proposal.
	Farm2 = Org{membership.Farm, "都匀市摆桑茶场 (Duyun Baisang Tea Farm)", "6923109",
		"6923109000013", "6923109000020", "摆桑村茶园 (Baisang village tea garden), 都匀市 Duyun"}
)

// Farm2ID is the id of the organisation added by proposal in the story.
const Farm2ID = "farm2"

// Founding lists the founding organisations in role order.
var Founding = []Org{Farm, Cooperative, Processor, Logistics, Retailer, Inspector, Regulator, DataExchange}

// Spec returns the organisation's spec with the given admin keys.
func (o Org) Spec(id string, admins ...ledger.PublicKey) membership.OrgSpec {
	return membership.OrgSpec{ID: id, Name: o.Name, Roles: []membership.Role{o.Role},
		Prefixes: []string{o.Prefix}, GLNs: []string{o.PartyGLN, o.SiteGLN}, Admins: admins}
}

// Orgs returns the founding organisations for genesis, one per role, id =
// role name, given each role's admin public key. A role missing from admins
// is left out.
func Orgs(admins map[membership.Role]ledger.PublicKey) []membership.OrgSpec {
	var out []membership.OrgSpec
	for _, o := range Founding {
		if k, ok := admins[o.Role]; ok {
			out = append(out, o.Spec(string(o.Role), k))
		}
	}
	return out
}
