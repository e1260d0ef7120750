package demo

import "github.com/qianchain/qianchain/contracts/gs1"

// Products of the story (GTIN-14).
const (
	GTINFreshLeaves    = "06923101000103" // 螺丝壳茶园 都匀毛尖鲜叶 (fresh leaves, one bud one leaf)
	GTINFreshLeaves2   = "06923109000105" // 摆桑茶场 鲜叶 (Baisang fresh leaves)
	GTINGradedLeaves   = "06923102000102" // 合作社 分级鲜叶 (co-op graded fresh leaves)
	GTINMaojianSpecial = "06923103000118" // 都匀毛尖 特级 250克 罐装 (special grade, 250 g tin)
	GTINMaojianFirst   = "06923103000125" // 都匀毛尖 一级 500克 袋装 (first grade, 500 g bag)
	SSCCPallet         = "069231030000000019"
	LotFarm            = "LSK20250324-01"
	LotFarm2           = "BS20250324-01"
	LotCoop1           = "HZS20250324-1"
	LotCoop2           = "HZS20250324-2"
	LotMaojian         = "DYMJ20250325A" // the demo lot: special grade, from Luosike leaves
	LotMaojianB        = "DYMJ20250325B" // first grade, from Baisang leaves: reached by the recall
	DatasetName        = "2025年都匀毛尖春茶产销数据集 (2025 Duyun Maojian spring tea production and sales dataset)"
	TradeReference     = "GBDEX-2025-04-0017"
	DatasetProductID   = "GBDEX-DP-2025-0391"
	// WrongShipmentID is the eventID of the pallet's shipment recorded to
	// the wrong warehouse (the co-op's) and declared erroneous by the
	// carrier; CorrectedShipmentID that of the shipment to the store that
	// corrects it.
	WrongShipmentID     = "urn:uuid:0c1f7a52-6b1e-4d8a-9f3e-2025032713a1"
	CorrectedShipmentID = "urn:uuid:0c1f7a52-6b1e-4d8a-9f3e-2025032713a2"
)

// Key facts for tests and pages.
var (
	// DemoLot is the lot whose page tells the whole story: harvested at
	// Luosike, graded by the co-op, processed into special-grade Maojian,
	// certified, shipped cold, sold in Guiyang.
	DemoLot = gs1.ObjectID{Kind: gs1.Lot, Key: GTINMaojianSpecial, Ext: LotMaojian}
	// RecalledLot is the lot the regulator recalls: Baisang fresh leaves
	// with bifenthrin above the limit.
	RecalledLot = gs1.ObjectID{Kind: gs1.Lot, Key: GTINFreshLeaves2, Ext: LotFarm2}
	// RecallReaches lists every object the recall reaches, derived from
	// RecalledLot: the co-op lot, the first-grade Maojian lot and the pallet
	// it travelled on.
	RecallReaches = []gs1.ObjectID{
		{Kind: gs1.Lot, Key: GTINGradedLeaves, Ext: LotCoop2},
		{Kind: gs1.Lot, Key: GTINMaojianFirst, Ext: LotMaojianB},
		{Kind: gs1.Container, Key: SSCCPallet},
	}
	// NotRecalled are lots of the story the recall must not reach.
	NotRecalled = []gs1.ObjectID{
		DemoLot,
		{Kind: gs1.Lot, Key: GTINFreshLeaves, Ext: LotFarm},
		{Kind: gs1.Lot, Key: GTINGradedLeaves, Ext: LotCoop1},
	}
	Pallet = gs1.ObjectID{Kind: gs1.Container, Key: SSCCPallet}
)
